package org.jbits.engine;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.file.Umask;
import org.jbits.spi.JobEventDispatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs and BITS' state machine over them. One lock guards every job's record and scheduler state; every change
 * is committed to the store first, then logged, then announced (listeners, waiters, the scheduler). Methods that
 * must be called with the lock held say so and check it.
 */
final class JobStateMachine {
    private static final Logger log = LoggerFactory.getLogger(JobStateMachine.class);

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every change of a job's state: {@link #awaitStateChange} waits on it. */
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}: the jobs that are not final, in creation order. */
    private final Map<UUID, EngineJob> jobs = new LinkedHashMap<>();
    private final JobStore store;
    private final EngineClock clock;
    private final JobEventDispatcher notifier;
    private final Runnable wakeScheduler;
    /** Guarded by {@link #lock}. */
    private long nextSequence;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Set once at engine start, before any job is loaded. */
    private NotifyCommands notifyCommands;

    JobStateMachine(JobStore store, EngineClock clock, JobEventDispatcher notifier, Runnable wakeScheduler) {
        this.store = store;
        this.clock = clock;
        this.notifier = notifier;
        this.wakeScheduler = wakeScheduler;
    }

    /** The notify command lines' runner; set once by the engine before jobs are loaded. */
    void notifyCommands(NotifyCommands commands) {
        this.notifyCommands = commands;
    }

    NotifyCommands notifyCommands() {
        return notifyCommands;
    }

    /** Runs {@code body} under the lock: every read and change of job state goes through here. */
    <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    void assertLocked() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("the engine lock must be held");
        }
    }

    /** Takes in a job from the store at start-up; a TransientError job waits its retry delay again. */
    void load(EngineJob job) {
        locked(() -> {
            JobRecord rec = job.rec;
            nextSequence = Math.max(nextSequence, rec.sequence + 1);
            if (rec.state == JobState.TRANSIENT_ERROR) {
                job.retryAtNanos = clock.nanoTime() + rec.minimumRetryDelaySeconds * 1_000_000_000L;
            }
            jobs.put(rec.id, job);
            if (notifyCommands != null) {
                notifyCommands.loaded(job);
            }
            return null;
        });
    }

    /**
     * Creates and commits a new job (Suspended, BITS' defaults, the maximum download time of the engine's
     * MaxDownloadTime): BG_E_TOO_MANY_JOBS_PER_USER once the user has {@code limits.maxJobsPerUser()} jobs.
     */
    EngineJob create(PortableEngine engine, String displayName, JobType type, String owner, EngineSettings limits) {
        return locked(() -> {
            ensureOpen();
            if (jobs.size() >= limits.maxJobsPerUser()) {
                throw new BitsException(HResult.BG_E_TOO_MANY_JOBS_PER_USER, owner + " has " + jobs.size()
                        + " jobs, the most one user may have (MaxJobsPerUser " + limits.maxJobsPerUser()
                        + "); complete or remove some first");
            }
            JobRecord rec = new JobRecord(UUID.randomUUID(), type, owner, displayName, clock.now());
            rec.maximumDownloadTimeSeconds = limits.maxDownloadTimeSeconds();
            rec.sequence = nextSequence++;
            // The creating process's umask, as a file it wrote itself would get (an agent is told its caller's).
            rec.fileMode = Umask.fileMode(Umask.current());
            store.insertJob(rec);
            EngineJob job = new EngineJob(engine, rec);
            jobs.put(rec.id, job);
            log.info("job {} created: '{}' ({})", rec.id, displayName, type.displayName());
            return job;
        });
    }

    EngineJob get(UUID id) {
        return locked(() -> {
            EngineJob job = jobs.get(id);
            if (job == null) {
                throw new BitsException(HResult.BG_E_NOT_FOUND, "no job " + id);
            }
            return job;
        });
    }

    List<BitsJob> list() {
        return locked(() -> List.copyOf(jobs.values()));
    }

    /** The jobs, for the scheduler's look at them. Call with the lock held. */
    List<EngineJob> all() {
        assertLocked();
        return new ArrayList<>(jobs.values());
    }

    /** Applies a property change: checked, timestamped, committed, then announced. */
    void modify(EngineJob job, Consumer<JobRecord> change) {
        locked(() -> {
            ensureNotFinal(job);
            change.accept(job.rec);
            job.rec.modified = clock.now();
            store.saveJob(job.rec);
            wakeScheduler.run();
            fireModification(job);
            return null;
        });
    }

    /**
     * Adds files whose names were checked ({@link LocalNames}): BITS' per-job rules for all of them first, then all
     * committed with the job in one transaction, or none.
     */
    void addFiles(EngineJob job, List<FileRecord.Added> added, int maxFilesPerJob) {
        locked(() -> {
            ensureNotFinal(job);
            JobRecord rec = job.rec;
            for (int i = 0; i < added.size(); i++) {
                checkRules(rec, added.get(i), rec.files.size() + i, maxFilesPerJob);
            }
            List<FileRecord> files = new ArrayList<>(added.size());
            for (FileRecord.Added a : added) {
                int index = rec.files.size() + files.size();
                FileRecord file = new FileRecord(index, a.remoteName(), a.uri(), a.local().toString(),
                        LocalNames.tempNameFor(rec.id, index, a.local()));
                file.dirId = a.directory();
                file.urlCredentials = a.credentials();
                file.ranges = a.ranges();
                files.add(file);
            }
            rec.files.addAll(files);
            rec.modified = clock.now();
            try {
                store.saveJobAndFiles(rec, files);
            } catch (RuntimeException e) {
                rec.files.removeAll(files);
                throw e;
            }
            for (FileRecord f : files) {
                log.info("job {}: added {} -> {}", rec.id, f.remoteName, f.localName);
            }
            fireModification(job);
            return null;
        });
    }

    /** BITS' rules for the file that would be the job's {@code index}-th. */
    private static void checkRules(JobRecord rec, FileRecord.Added added, int index, int maxFilesPerJob) {
        URI uri = added.uri();
        Path local = added.local();
        if (rec.type != JobType.DOWNLOAD) {
            if (index > 0) {
                throw new BitsException(HResult.BG_E_TOO_MANY_FILES, "an upload job holds exactly one file");
            }
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE,
                        "an upload goes to an http:// or https:// URL");
            }
            if (!Files.isRegularFile(local)) {
                throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "the file to upload, " + local
                        + ", does not exist");
            }
        }
        if (added.ranges() != null) {
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new BitsException(HResult.E_INVALIDARG, "file ranges need an http:// or https:// URL (BITS"
                        + " 3.0 and later take no SMB or local ranges)");
            }
            if (rec.type != JobType.DOWNLOAD) {
                throw new BitsException(HResult.E_NOTIMPL, "file ranges are for download jobs only");
            }
            if (rec.dynamicContent) {
                throw new BitsException(HResult.BG_E_UNSUPPORTED_JOB_CONFIGURATION, "the job takes dynamic content,"
                        + " which has no ranges");
            }
        }
        if (index >= maxFilesPerJob) {
            throw new BitsException(HResult.BG_E_TOO_MANY_FILES_IN_JOB, "a job holds at most " + maxFilesPerJob
                    + " files (MaxFilesPerJob)");
        }
    }

    void resume(EngineJob job) {
        locked(() -> {
            ensureNotFinal(job);
            JobRecord rec = job.rec;
            if (rec.files.isEmpty()) {
                throw new BitsException(HResult.BG_E_EMPTY, job + " has no files");
            }
            if (!rec.everResumed) {
                rec.everResumed = true;
                store.saveJob(rec);
            }
            switch (rec.state) {
                case SUSPENDED, ERROR, TRANSIENT_ERROR -> setState(job, JobState.QUEUED);
                case TRANSFERRED -> {
                    if (rec.nextFile() != null) {
                        setState(job, JobState.QUEUED);
                    }
                }
                default -> {
                    // Queued, Connecting, Transferring: already going.
                }
            }
            return null;
        });
    }

    /** Suspends the job; returns its run, stopped, for the caller to wait for outside the lock (or null). */
    Run suspend(EngineJob job) {
        return locked(() -> {
            ensureNotFinal(job);
            Run r = null;
            if (job.rec.state != JobState.SUSPENDED) {
                r = stopRun(job);
                setState(job, JobState.SUSPENDED);
            }
            return r;
        });
    }

    /**
     * Commits Cancelled or Acknowledged and forgets the job; returns its run, stopped, for the caller to wait for
     * before the files are dealt with (or null).
     */
    Run end(EngineJob job, JobState finalState) {
        return locked(() -> {
            ensureNotFinal(job);
            Run r = stopRun(job);
            setState(job, finalState);
            jobs.remove(job.rec.id);
            return r;
        });
    }

    /**
     * Stops the job's run for Complete and keeps the scheduler from starting it until {@link #release}; returns the
     * run for the caller to wait for outside the lock (or null).
     */
    Run hold(EngineJob job) {
        return locked(() -> {
            ensureNotFinal(job);
            job.held = true;
            Run r = stopRun(job);
            if (r != null && !r.job.rec.state.isFinal() && isActive(job.rec.state)) {
                setState(job, JobState.QUEUED);
            }
            return r;
        });
    }

    private static boolean isActive(JobState s) {
        return s == JobState.CONNECTING || s == JobState.TRANSFERRING;
    }

    void release(EngineJob job) {
        locked(() -> {
            job.held = false;
            wakeScheduler.run();
            return null;
        });
    }

    /**
     * Complete found a file it cannot complete: the error is recorded on the job, which goes to Error; a file whose
     * data is gone is set to be fetched again.
     */
    void refuseComplete(EngineJob job, JobFinisher.Problem problem) {
        locked(() -> {
            JobRecord rec = job.rec;
            FileRecord f = problem.file();
            if (problem.refetch()) {
                f.completed = false;
                f.checkpoint = 0;
                f.bytesTransferred = 0;
                f.validator = null;
                f.tempId = null;
                store.saveFile(rec.id, f);
            }
            recordError(job, problem.hresult(), ErrorContext.LOCAL_FILE, problem.message(), f.index);
            log.info("job {}: cannot complete: {}", rec.id, problem.message());
            if (rec.state == JobState.ERROR) {
                rec.modified = clock.now();
                store.saveJob(rec);
                fireModification(job);
            } else {
                setState(job, JobState.ERROR);
            }
            return null;
        });
    }

    /** A Complete whose files could not all be moved: the job comes back in the state it had, with the error. */
    void reinstate(EngineJob job, JobState state, JobFinisher.Problem problem) {
        locked(() -> {
            JobRecord rec = job.rec;
            rec.state = state;
            recordError(job, problem.hresult(), ErrorContext.LOCAL_FILE, problem.message(), problem.file().index);
            rec.modified = clock.now();
            store.saveJob(rec);
            jobs.put(rec.id, job);
            changed.signalAll();
            log.info("job {}: Complete failed, the job is back in {}: {}", rec.id, state.displayName(),
                    problem.message());
            fireModification(job);
            return null;
        });
    }

    /** A file's new remote name as SetRemoteName checked it. */
    record RemoteName(int index, String remoteName, URI uri, org.jbits.transport.Credentials credentials) {
    }

    /**
     * Gives files new remote names (SetRemoteName, ReplaceRemotePrefix), all committed together. A running transfer
     * is stopped and the job queued again, so the next request goes to the new name: it continues where it stopped
     * when the new server has the same version of the file (its validator), else it starts over. Transferred files
     * keep their bytes.
     */
    void changeRemoteNames(EngineJob job, List<RemoteName> changes) {
        locked(() -> {
            ensureNotFinal(job);
            JobRecord rec = job.rec;
            if (rec.type != JobType.DOWNLOAD) {
                throw new BitsException(HResult.E_NOTIMPL, "remote names of " + rec.type.displayName()
                        + " jobs cannot be changed (download jobs only)");
            }
            for (RemoteName c : changes) {
                FileRecord f = job.file(c.index());
                String scheme = c.uri().getScheme();
                if (f.ranges != null && !"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                    throw new BitsException(HResult.E_INVALIDARG, "file " + c.index() + " has ranges, which need an"
                            + " http:// or https:// URL");
                }
            }
            List<RemoteName> undo = new ArrayList<>();
            try {
                store.inTransaction(() -> {
                    for (RemoteName c : changes) {
                        FileRecord f = rec.files.get(c.index());
                        undo.add(new RemoteName(c.index(), f.remoteName, f.uri, f.urlCredentials));
                        log.info("job {}: file {}: remote name {} -> {}", rec.id, c.index(), f.remoteName, c.remoteName());
                        f.remoteName = c.remoteName();
                        f.uri = c.uri();
                        f.urlCredentials = c.credentials();
                        store.saveFile(rec.id, f);
                    }
                    rec.modified = clock.now();
                    store.saveJob(rec);
                });
            } catch (RuntimeException e) {
                for (RemoteName u : undo) {
                    FileRecord f = rec.files.get(u.index());
                    f.remoteName = u.remoteName();
                    f.uri = u.uri();
                    f.urlCredentials = u.credentials();
                }
                throw e;
            }
            if (job.run != null && !job.run.isStopped()) {
                log.info("job {}: its transfer stops and starts again with the new remote name", rec.id);
                job.run.stop();
                setState(job, JobState.QUEUED);
            } else {
                wakeScheduler.run();
            }
            fireModification(job);
            return null;
        });
    }

    private static Run stopRun(EngineJob job) {
        Run r = job.run;
        if (r != null) {
            r.stop();
        }
        return r;
    }

    /** Commits a state change, then logs and announces it. Call with the lock held. */
    void setState(EngineJob job, JobState state) {
        assertLocked();
        JobRecord rec = job.rec;
        if (rec.state == state) {
            return;
        }
        JobState old = rec.state;
        Instant oldModified = rec.modified;
        Instant oldCompletedAt = rec.completedAt;
        rec.state = state;
        rec.modified = clock.now();
        if (state == JobState.TRANSFERRED) {
            rec.completedAt = rec.modified;
        }
        boolean oldNotifyPending = rec.notifyPending;
        if (notifyCommands != null) {
            notifyCommands.arm(job, state);
        }
        try {
            store.saveJob(rec);
        } catch (RuntimeException notCommitted) {
            // The job is in the state its store says (a full disk, a store gone read-only): nothing is announced.
            rec.notifyPending = oldNotifyPending;
            rec.state = old;
            rec.modified = oldModified;
            rec.completedAt = oldCompletedAt;
            throw notCommitted;
        }
        changed.signalAll();
        wakeScheduler.run();
        log.info("job {}: {} -> {}", rec.id, old.displayName(), state.displayName());
        if (notifyCommands != null) {
            notifyCommands.started(job);
        }
        fireModification(job);
        if (state == JobState.TRANSFERRED) {
            notifier.fire(rec.notifyFlags, NotifyFlag.JOB_TRANSFERRED, l -> l.jobTransferred(job));
        } else if (state == JobState.ERROR) {
            JobError err = job.error().orElse(null);
            notifier.fire(rec.notifyFlags, NotifyFlag.JOB_ERROR, l -> l.jobError(job, err));
        }
    }

    /** Records an error on the job's record (committed by the state change that follows). Call with the lock held. */
    void recordError(EngineJob job, int hresult, ErrorContext context, String description, int fileIndex) {
        assertLocked();
        JobRecord rec = job.rec;
        rec.errorHresult = hresult;
        rec.errorContext = context;
        rec.errorDescription = description;
        rec.errorFile = fileIndex;
        rec.errorCount++;
    }

    /** Waits until the job leaves {@code from}, on the signal every state change raises. */
    JobState awaitStateChange(EngineJob job, JobState from, Duration timeout) {
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (job.rec.state == from && left > 0 && !closed) {
                left = changed.awaitNanos(left);
            }
            return job.rec.state;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return job.rec.state;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new work and stops every run; returns the runs for the caller to wait for. */
    List<Run> close() {
        return locked(() -> {
            List<Run> runs = new ArrayList<>();
            if (closed) {
                return runs;
            }
            closed = true;
            for (EngineJob j : jobs.values()) {
                if (j.run != null) {
                    runs.add(j.run);
                    j.run.stop();
                }
            }
            changed.signalAll();
            wakeScheduler.run();
            return runs;
        });
    }

    boolean isClosed() {
        return locked(() -> closed);
    }

    /** Asks the scheduler for a look. */
    void wakeScheduler() {
        wakeScheduler.run();
    }

    JobStore store() {
        return store;
    }

    EngineClock clock() {
        return clock;
    }

    JobEventDispatcher notifier() {
        return notifier;
    }

    void fireModification(EngineJob job) {
        notifier.fire(job.rec.notifyFlags, NotifyFlag.JOB_MODIFICATION, l -> l.jobModification(job));
    }

    private void ensureOpen() {
        if (closed) {
            throw new BitsException(HResult.E_UNEXPECTED, "the engine is closed");
        }
    }

    private static void ensureNotFinal(EngineJob job) {
        if (job.rec.state.isFinal()) {
            throw new BitsException(HResult.BG_E_INVALID_STATE, job + " is " + job.rec.state.displayName());
        }
    }
}
