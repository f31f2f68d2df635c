package org.jbits.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jbits.transport.TransferContext;

/**
 * One turn of a job on a worker thread. Stopping it (suspend, preemption, cancel, shutdown) aborts blocking I/O
 * through its {@link TransferContext}; the engine waits on {@link #awaitDone} before touching the files.
 *
 * <p>What the byte path learns (the server answered, bytes reached the file) is noted here as flags and the
 * scheduler is woken to apply it: the byte path never takes the engine's lock, which store commits hold.
 */
final class Run {
    final EngineJob job;
    final long startNanos;
    final TransferContext context;
    private final Runnable wake;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicBoolean connected = new AtomicBoolean();
    private final AtomicBoolean progressed = new AtomicBoolean();

    Run(EngineJob job, long startNanos, TransferContext context, Runnable wake) {
        this.job = job;
        this.startNanos = startNanos;
        this.context = context;
        this.wake = wake;
    }

    void stop() {
        context.stop();
    }

    boolean isStopped() {
        return context.isStopped();
    }

    /** The server answered and the body begins: Connecting becomes Transferring. */
    void noteConnected() {
        connected.set(true);
        wake.run();
    }

    /** Bytes reached the file: the job made progress. */
    void noteProgress() {
        progressed.set(true);
        wake.run();
    }

    /** Whether {@link #noteConnected} was called since the last look (and clears it). */
    boolean takeConnected() {
        return connected.getAndSet(false);
    }

    /** Whether {@link #noteProgress} was called since the last look (and clears it). */
    boolean takeProgress() {
        return progressed.getAndSet(false);
    }

    void markDone() {
        done.countDown();
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
