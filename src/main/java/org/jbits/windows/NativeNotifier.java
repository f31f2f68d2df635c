package org.jbits.windows;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jbits.BitsException;
import org.jbits.BitsFile;
import org.jbits.BitsFileRange;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobListener;
import org.jbits.JobState;
import org.jbits.NotifyFlag;
import org.jbits.spi.JobEventDispatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds BITS' notifications to the manager's {@link JobListener}s. The primary path is a Java
 * {@link CopyCallback} set with SetNotifyInterface on every job this process touches while a listener is
 * registered (BITS drops a callback when its process goes, so it is set again on create, open, enumerate, resume
 * and addListener). Where SetNotifyInterface fails the job is polled instead, every {@value #POLL_MILLIS} ms,
 * and events are derived from state and progress changes, filtered by the job's notify flags as BITS would.
 * Both paths hand their events to a {@link JobEventDispatcher}, whose thread runs the listeners: never the COM
 * thread or BITS' RPC threads.
 */
final class NativeNotifier implements CopyCallback.Sink {
    private static final Logger log = LoggerFactory.getLogger(NativeNotifier.class);
    static final long POLL_MILLIS = 500;

    private final NativeBitsManager manager;
    private final JobEventDispatcher events = new JobEventDispatcher("jbits-native-events");
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
        events.addListener(l);
    }

    void removeListener(JobListener l) {
        events.removeListener(l);
    }

    /** Sets this process' callback on {@code job} (on the COM thread); polls the job when BITS refuses it. */
    void register(NativeJob job) {
        if (!events.hasListeners()) {
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

    private synchronized void startPolling() {
        if (poller == null) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "jbits-native-poller"));
            poller.scheduleWithFixedDelay(this::pollOnce, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    // --- callback path: these run on BITS' RPC threads; the pointers are borrowed, so read now, deliver later.
    // BITS calls the callback only for the events the job's notify flags ask for, so nothing is filtered here.

    @Override
    public void jobTransferred(Pointer job) {
        NativeJob j = adoptBorrowed(job);
        events.deliver(l -> l.jobTransferred(j));
    }

    @Override
    public void jobError(Pointer job, Pointer error) {
        NativeJob j = adoptBorrowed(job);
        JobError e = ComReads.error(new IBackgroundCopyError(error), null);
        events.deliver(l -> l.jobError(j, e));
    }

    @Override
    public void jobModification(Pointer job) {
        NativeJob j = adoptBorrowed(job);
        events.deliver(l -> l.jobModification(j));
    }

    @Override
    public void fileTransferred(Pointer job, Pointer file) {
        NativeJob j = adoptBorrowed(job);
        BitsFile f = ComReads.file(new IBackgroundCopyFile(file));
        events.deliver(l -> l.fileTransferred(j, f));
    }

    @Override
    public void fileRangesTransferred(Pointer job, Pointer file, int count, Pointer ranges) {
        NativeJob j = adoptBorrowed(job);
        BitsFile f = ComReads.file(new IBackgroundCopyFile(file));
        List<BitsFileRange> r = BitsStructures.BG_FILE_RANGE.list(ranges, count);
        events.deliver(l -> l.fileRangesTransferred(j, f, r));
    }

    /** An API job for a pointer BITS lends to a callback: AddRef it so the job object owns a reference of its own. */
    private NativeJob adoptBorrowed(Pointer p) {
        IBackgroundCopyJob job = new IBackgroundCopyJob(p);
        job.AddRef();
        return manager.adopt(job);
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

    /** Derives the events BITS would have called back since the last look; the dispatcher applies the flags. */
    private void poll(Polled p) {
        NativeJob job = p.job;
        JobState state = job.state();
        long bytes = job.progress().bytesTransferred();
        int flags = NotifyFlag.toMask(job.notifyFlags());
        List<BitsFile> files = job.files();
        List<Boolean> completed = new ArrayList<>();
        files.forEach(f -> completed.add(f.progress().completed()));
        if (p.state != null) {
            for (int i = 0; i < files.size(); i++) {
                boolean before = i < p.completed.size() && p.completed.get(i);
                if (completed.get(i) && !before) {
                    BitsFile f = files.get(i);
                    events.fire(flags, NotifyFlag.FILE_TRANSFERRED, l -> l.fileTransferred(job, f));
                }
            }
            if (state != p.state || bytes != p.bytes) {
                events.fire(flags, NotifyFlag.JOB_MODIFICATION, l -> l.jobModification(job));
            }
            if (state != p.state && state == JobState.TRANSFERRED) {
                events.fire(flags, NotifyFlag.JOB_TRANSFERRED, l -> l.jobTransferred(job));
            }
            if (state != p.state && state == JobState.ERROR) {
                job.error().ifPresent(e -> events.fire(flags, NotifyFlag.JOB_ERROR, l -> l.jobError(job, e)));
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
        events.close();
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
