package org.jbits.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jbits.ProxySettings;
import org.jbits.transport.TransferControl;

/**
 * One turn of a job on a worker thread. Stopping it (suspend, preemption, cancel, shutdown) aborts blocking I/O
 * through the hooks the transport registered; the engine waits on {@link #awaitDone} before touching the files.
 */
final class Run implements TransferControl {
    final EngineJob job;
    final long startNanos;
    private final ProxySettings proxy;
    private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopped;

    Run(EngineJob job, long startNanos, ProxySettings proxy) {
        this.job = job;
        this.startNanos = startNanos;
        this.proxy = proxy;
    }

    void stop() {
        stopped = true;
        for (Runnable r : hooks) {
            r.run();
        }
    }

    @Override
    public boolean isStopped() {
        return stopped;
    }

    @Override
    public void onStop(Runnable action) {
        hooks.add(action);
        if (stopped) {
            action.run();
        }
    }

    @Override
    public ProxySettings proxySettings() {
        return proxy;
    }

    void markDone() {
        done.countDown();
    }

    boolean isDone() {
        return done.getCount() == 0;
    }

    boolean awaitDone(long millis) {
        try {
            return done.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
