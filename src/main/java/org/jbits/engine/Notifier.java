package org.jbits.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jbits.JobListener;
import org.jbits.NotifyFlag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers job events to listeners on one notification thread, filtered by each job's notify flags. */
final class Notifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private final List<JobListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jbits-notify");
        t.setDaemon(true);
        return t;
    });

    void add(JobListener l) {
        listeners.add(l);
    }

    void remove(JobListener l) {
        listeners.remove(l);
    }

    /** Queues {@code event} for every listener when {@code flag} is set in the job's mask (and DISABLE is not). */
    void fire(int jobFlags, NotifyFlag flag, Consumer<JobListener> event) {
        if (listeners.isEmpty() || (jobFlags & NotifyFlag.DISABLE.bit()) != 0 || (jobFlags & flag.bit()) == 0) {
            return;
        }
        thread.execute(() -> {
            for (JobListener l : listeners) {
                try {
                    event.accept(l);
                } catch (RuntimeException e) {
                    log.warn("a job listener failed", e);
                }
            }
        });
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
