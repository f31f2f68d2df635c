package org.jbits.spi;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jbits.BitsManager;
import org.jbits.JobListener;
import org.jbits.NotifyFlag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener fan-out of a backend's {@link BitsManager}: holds its {@link JobListener}s and calls them on one
 * notification thread of its own, in the order the events were fired, never on the thread that fired them (a
 * scheduler, a COM callback). An event is dropped unless the job's notify flags ask for it, as BITS drops a callback
 * the flags do not ask for; a listener that throws is logged and the other listeners, and later events, still run.
 *
 * <p>For backend implementers: {@link BitsManager#addListener} and {@link BitsManager#removeListener} delegate here,
 * the backend fires each event, and {@link BitsManager#close} closes the dispatcher.
 */
public final class JobEventDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobEventDispatcher.class);
    /** How long {@link #close()} lets queued events finish. */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final List<JobListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;
    private volatile Thread deliveryThread;

    /** A dispatcher whose delivery thread (a daemon, started on the first event) is called {@code threadName}. */
    public JobEventDispatcher(String threadName) {
        thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            deliveryThread = t;
            return t;
        });
    }

    /** Registers a listener for every later event. */
    public void addListener(JobListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener; an event already queued may still reach it. */
    public void removeListener(JobListener listener) {
        listeners.remove(listener);
    }

    /** True while a listener is registered: a backend may skip the work of watching jobs until then. */
    public boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /**
     * Queues {@code delivery} for every listener when the job's notify flags ({@code notifyFlags}, a
     * {@code BG_NOTIFY_*} mask) contain {@code event} and not {@link NotifyFlag#DISABLE}.
     */
    public void fire(int notifyFlags, NotifyFlag event, Consumer<JobListener> delivery) {
        if ((notifyFlags & NotifyFlag.DISABLE.bit()) == 0 && (notifyFlags & event.bit()) != 0) {
            deliver(delivery);
        }
    }

    /**
     * Queues {@code delivery} for every listener without looking at notify flags: for events whose source has
     * applied them already (BITS calls its callback only for the events a job's flags ask for).
     */
    public void deliver(Consumer<JobListener> delivery) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            thread.execute(() -> {
                for (JobListener l : listeners) {
                    try {
                        delivery.accept(l);
                    } catch (RuntimeException | Error e) {
                        if (e instanceof VirtualMachineError) {
                            throw e;
                        }
                        log.warn("a job listener failed", e);
                    }
                }
            });
        } catch (RejectedExecutionException closed) {
            log.debug("a job event after close was dropped");
        }
    }

    /**
     * Takes no more events and lets the queued ones reach the listeners, waiting up to 5 seconds for them (not at
     * all when a listener itself closes the manager, on the delivery thread).
     */
    @Override
    public void close() {
        thread.shutdown();
        if (Thread.currentThread() == deliveryThread) {
            return;
        }
        try {
            if (!thread.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("job listeners were still running {} s after close", CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
