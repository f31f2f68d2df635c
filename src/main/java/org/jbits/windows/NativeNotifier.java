package org.jbits.windows;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jbits.BitsException;
import org.jbits.BitsFile;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobListener;
import org.jbits.JobState;
import org.jbits.NotifyFlag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds BITS' notifications to the manager's {@link JobListener}s. The primary path is a Java
 * {@link CopyCallback} set with SetNotifyInterface on every job this process touches while a listener is
 * registered (BITS drops a callback when its process goes, so it is set again on create, open, enumerate, resume
 * and addListener). Where SetNotifyInterface fails the job is polled instead, every {@value #POLL_MILLIS} ms,
 * and events are derived from state and progress changes, filtered by the job's notify flags as BITS would.
 * Listeners run on one notification thread, never on the COM thread or on BITS' RPC threads.
 */
final class NativeNotifier implements CopyCallback.Sink {
    private static final Logger log = LoggerFactory.getLogger(NativeNotifier.class);
    static final long POLL_MILLIS = 500;

    private final NativeBitsManager manager;
    private final List<JobListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> daemon(r, "jbits-native-events"));
    /** Created on the COM thread at the first registration. */
    private CopyCallback callback;
    private final Map<UUID, Polled> polled = new ConcurrentHashMap<>();
    private ScheduledExecutorService poller;
    private final Set<Integer> reportedFailures = ConcurrentHashMap.newKeySet();

    /** What the poller saw of one job last time. */
    private static final class Polled {
        final NativeJob job;
        JobState state;
        long bytes = -1;
        List<Boolean> completed = List.of();

        Polled(NativeJob job) {
            this.job = job;
        }
    }

    NativeNotifier(NativeBitsManager manager) {
        this.manager = manager;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    void addListener(JobListener l) {
        listeners.add(l);
    }

    void removeListener(JobListener l) {
        listeners.remove(l);
    }

    /** Sets this process' callback on {@code job} (on the COM thread); polls the job when BITS refuses it. */
    void register(NativeJob job) {
        if (listeners.isEmpty()) {
            return;
        }
        if (callback == null) {
            callback = new CopyCallback(this);
        }
        int hr = job.refs().job.setNotifyInterface(callback.pointer());
        if (hr >= 0) {
            polled.remove(job.id());
            return;
        }
        if (reportedFailures.add(hr)) {
            log.warn("SetNotifyInterface failed with {} ({}); polling jobs every {} ms instead", HResult.name(hr),
                    HResult.hex(hr), POLL_MILLIS);
        }
        polled.computeIfAbsent(job.id(), id -> new Polled(job));
        startPolling();
    }

    /** True when {@code job} is watched by polling rather than by the callback. */
    boolean isPolled(UUID job) {
        return polled.containsKey(job);
    }

    private synchronized void startPolling() {
        if (poller == null) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "jbits-native-poller"));
            poller.scheduleWithFixedDelay(this::pollOnce, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    // --- callback path: these run on BITS' RPC threads; the pointers are borrowed, so read now, deliver later.

    @Override
    public void jobTransferred(Pointer job) {
        NativeJob j = adoptBorrowed(job);
        dispatch(l -> l.jobTransferred(j));
    }

    @Override
    public void jobError(Pointer job, Pointer error) {
        NativeJob j = adoptBorrowed(job);
        JobError e = ComReads.error(new IBackgroundCopyError(error), null);
        dispatch(l -> l.jobError(j, e));
    }

    @Override
    public void jobModification(Pointer job) {
        NativeJob j = adoptBorrowed(job);
        dispatch(l -> l.jobModification(j));
    }

    @Override
    public void fileTransferred(Pointer job, Pointer file) {
        NativeJob j = adoptBorrowed(job);
        BitsFile f = ComReads.file(new IBackgroundCopyFile(file));
        dispatch(l -> l.fileTransferred(j, f));
    }

    /** An API job for a pointer BITS lends to a callback: AddRef it so the job object owns a reference of its own. */
    private NativeJob adoptBorrowed(Pointer p) {
        IBackgroundCopyJob job = new IBackgroundCopyJob(p);
        job.AddRef();
        return manager.adopt(job);
    }

    private void dispatch(Consumer<JobListener> event) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            events.execute(() -> {
                for (JobListener l : listeners) {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        log.warn("a job listener failed", e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the manager is closing
        }
    }

    // --- polling path

    private void pollOnce() {
        for (Polled p : List.copyOf(polled.values())) {
            try {
                poll(p);
            } catch (BitsException e) {
                polled.remove(p.job.id());
                log.debug("stopped polling job {}: {}", p.job.id(), e.getMessage());
            } catch (RuntimeException e) {
                log.warn("polling job {} failed", p.job.id(), e);
            }
        }
    }

    private void poll(Polled p) {
        NativeJob job = p.job;
        JobState state = job.state();
        long bytes = job.progress().bytesTransferred();
        Set<NotifyFlag> flags = job.notifyFlags();
        List<BitsFile> files = job.files();
        List<Boolean> completed = new ArrayList<>();
        files.forEach(f -> completed.add(f.progress().completed()));
        boolean first = p.state == null;
        boolean enabled = !flags.contains(NotifyFlag.DISABLE);
        if (!first && enabled) {
            if (flags.contains(NotifyFlag.FILE_TRANSFERRED)) {
                for (int i = 0; i < files.size(); i++) {
                    boolean before = i < p.completed.size() && p.completed.get(i);
                    if (completed.get(i) && !before) {
                        BitsFile f = files.get(i);
                        dispatch(l -> l.fileTransferred(job, f));
                    }
                }
            }
            if ((state != p.state || bytes != p.bytes) && flags.contains(NotifyFlag.JOB_MODIFICATION)) {
                dispatch(l -> l.jobModification(job));
            }
            if (state != p.state && state == JobState.TRANSFERRED && flags.contains(NotifyFlag.JOB_TRANSFERRED)) {
                dispatch(l -> l.jobTransferred(job));
            }
            if (state != p.state && state == JobState.ERROR && flags.contains(NotifyFlag.JOB_ERROR)) {
                job.error().ifPresent(e -> dispatch(l -> l.jobError(job, e)));
            }
        }
        p.state = state;
        p.bytes = bytes;
        p.completed = completed;
        if (state.isFinal()) {
            polled.remove(job.id());
        }
    }

    /** Stops polling and event delivery. */
    void close() {
        synchronized (this) {
            if (poller != null) {
                poller.shutdownNow();
            }
        }
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Cuts BITS' proxies to the callback so no call arrives after close; on the COM thread. */
    void disconnect() {
        if (callback != null) {
            int hr = manager.com().ole32().CoDisconnectObject(callback.pointer(), 0);
            if (hr < 0) {
                log.debug("CoDisconnectObject: {}", HResult.name(hr));
            }
        }
    }
}
