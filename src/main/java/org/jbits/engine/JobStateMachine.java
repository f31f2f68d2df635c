package org.jbits.engine;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.jbits.JobListener;
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
    /**
     * Guarded by {@link #lock}: the jobs the scheduler looks at, by creation order: Queued, Connecting,
     * Transferring, TransientError, any whose run is still winding down, and any owed a notify command line run.
     * Any other Suspended, Error or Transferred job costs the scheduler nothing but its look at inactivity once a
     * minute, however many there are.
     */
    private final TreeMap<Long, EngineJob> scheduled = new TreeMap<>();
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

    /**
     * Runs {@code body} under the lock: every read and change of job state goes through here. The store writes the
     * body makes are queued under the lock and waited for after it is released (the store's group commit): the
     * call returns once they are committed, and no other caller waits for this one's fsync to take the lock.
     */
    <T> T locked(Supplier<T> body) {
        lock.lock();
        store.beginDeferring();
        T result;
        try {
            result = body.get();
        } catch (RuntimeException | Error e) {
            lock.unlock();
            try {
                store.endDeferring();
            } catch (RuntimeException commit) {
                e.addSuppressed(commit);
                undo();
            }
            undos.get().clear();
            throw e;
        }
        lock.unlock();
        try {
            store.endDeferring();
        } catch (RuntimeException notCommitted) {
            undo();
            throw notCommitted;
        }
        undos.get().clear();
        return result;
    }

    /** Per thread: what to undo in memory if the writes of its current locked section are not committed. */
    private final ThreadLocal<List<Runnable>> undos = ThreadLocal.withInitial(ArrayList::new);

    /**
     * Registers what puts memory back as the store has it if the writes queued in this locked section fail to
     * commit (a full disk, a store gone read-only); run under the lock, after the failed commit, newest first.
     * Call with the lock held.
     */
    void onNotCommitted(Runnable undo) {
        assertLocked();
        undos.get().add(undo);
    }

    private void undo() {
        List<Runnable> list = undos.get();
        if (list.isEmpty()) {
            return;
        }
        List<Runnable> copy = new ArrayList<>(list);
        list.clear();
        lock.lock();
        try {
            for (int i = copy.size() - 1; i >= 0; i--) {
                copy.get(i).run();
            }
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
            track(job);
            return null;
        });
    }

    /**
     * Creates and commits a new job (Suspended, BITS' defaults, the maximum download time of the engine's
     * MaxDownloadTime): BG_E_TOO_MANY_JOBS_PER_USER once the user has {@code limits.maxJobsPerUser()} jobs, unless
     * the limit does not apply to {@code owner} (root, as BITS exempts administrators).
     */
    EngineJob create(PortableEngine engine, String displayName, JobType type, EngineOwner owner,
            EngineSettings limits) {
        EngineJob[] made = new EngineJob[1];
        try {
            return locked(() -> {
                made[0] = createLocked(engine, displayName, type, owner, limits);
                return made[0];
            });
        } catch (BitsException e) {
            if (made[0] != null) {
                // Its commit failed: the job was never there.
                locked(() -> jobs.remove(made[0].rec.id));
            }
            throw e;
        }
    }

    private EngineJob createLocked(PortableEngine engine, String displayName, JobType type, EngineOwner owner,
            EngineSettings limits) {
        ensureOpen();
        if (jobs.size() >= limits.maxJobsPerUser() && limits.maxJobsPerUserApplies(owner)) {
            throw new BitsException(HResult.BG_E_TOO_MANY_JOBS_PER_USER, owner.name() + " has " + jobs.size()
                    + " jobs, the most one user may have (MaxJobsPerUser " + limits.maxJobsPerUser()
                    + "); complete or remove some first");
        }
        JobRecord rec = new JobRecord(UUID.randomUUID(), type, owner.name(), displayName, clock.now());
        rec.maximumDownloadTimeSeconds = limits.maxDownloadTimeSeconds();
        rec.sequence = nextSequence++;
        // The creating process's umask, as a file it wrote itself would get (an agent is told its caller's).
        rec.fileMode = Umask.fileMode(Umask.current());
        store.insertJob(rec);
        EngineJob job = new EngineJob(engine, rec);
        jobs.put(rec.id, job);
        log.info("job {} created: '{}' ({})", rec.id, displayName, type.displayName());
        return job;
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

    /**
     * The jobs the scheduler has to look at (see {@link #scheduled}), a copy it may change states under. Call with
     * the lock held.
     */
    List<EngineJob> all() {
        assertLocked();
        return new ArrayList<>(scheduled.values());
    }

    /** Every job that is not final, for the scheduler's look at inactivity. Call with the lock held. */
    List<EngineJob> everyJob() {
        assertLocked();
        return new ArrayList<>(jobs.values());
    }

    /** Puts the job in or out of the scheduler's set after a change of its state or its run. Call with the lock held. */
    void track(EngineJob job) {
        assertLocked();
        JobRecord rec = job.rec;
        boolean looked = job.run != null || rec.notifyPending || switch (rec.state) {
            case QUEUED, CONNECTING, TRANSFERRING, TRANSIENT_ERROR -> true;
            default -> false;
        };
        if (looked && jobs.get(rec.id) == job) {
            scheduled.put(rec.sequence, job);
        } else {
            scheduled.remove(rec.sequence, job);
        }
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
     * Applies a change to the file {@code fileIndex} (E_INVALIDARG when there is none): checked, timestamped,
     * committed with the job's row, then announced. A job waiting for an on-demand request is not woken: it is
     * Suspended, as BITS leaves it, until resumed.
     */
    void modifyFile(EngineJob job, int fileIndex, java.util.function.BiConsumer<JobRecord, FileRecord> change) {
        locked(() -> {
            ensureNotFinal(job);
            FileRecord f = job.file(fileIndex);
            change.accept(job.rec, f);
            job.rec.modified = clock.now();
            store.saveJobAndFile(job.rec, f);
            wakeScheduler.run();
            fireModification(job);
            return null;
        });
    }

    /** Applies a change of the job's credentials: committed with the job's row, then announced; never logged. */
    void modifyCredentials(EngineJob job, Consumer<JobRecord> change) {
        locked(() -> {
            ensureNotFinal(job);
            change.accept(job.rec);
            job.rec.modified = clock.now();
            store.saveJobAndCredentials(job.rec);
            fireModification(job);
            return null;
        });
    }

    /**
     * Adds files whose names were checked ({@link LocalNames}): BITS' per-job rules for all of them first, then all
     * committed with the job in one transaction, or none.
     */
    void addFiles(EngineJob job, List<FileRecord.Added> added, int maxFilesPerJob) {
        List<FileRecord> queued = new ArrayList<>();
        try {
            addFilesLocked(job, added, maxFilesPerJob, queued);
        } catch (BitsException e) {
            if (!queued.isEmpty()) {
                // Their commit failed: the files were never added.
                locked(() -> job.rec.files.removeAll(queued));
            }
            throw e;
        }
    }

    private void addFilesLocked(EngineJob job, List<FileRecord.Added> added, int maxFilesPerJob,
            List<FileRecord> queued) {
        locked(() -> {
            ensureNotFinal(job);
            JobRecord rec = job.rec;
            if (rec.type != JobType.DOWNLOAD) {
                if (!rec.files.isEmpty() || added.size() > 1) {
                    throw new BitsException(HResult.BG_E_TOO_MANY_FILES, "an upload job holds exactly one file");
                }
                addUploadFile(job, added.get(0));
                return null;
            }
            for (FileRecord.Added a : added) {
                checkRanges(rec, a);
            }
            if (rec.files.size() + added.size() > maxFilesPerJob) {
                throw new BitsException(HResult.BG_E_TOO_MANY_FILES_IN_JOB, "a job holds at most " + maxFilesPerJob
                        + " files (MaxFilesPerJob)");
            }
            List<FileRecord> files = new ArrayList<>(added.size());
            for (FileRecord.Added a : added) {
                int index = rec.files.size() + files.size();
                FileRecord file = new FileRecord(index, a.remoteName(), a.uri(), a.local().toString(),
                        LocalNames.tempNameFor(rec.id, index, a.local()));
                file.dirId = a.directory();
                file.urlCredentials = a.credentials();
                file.ranges = a.ranges();
                file.expectedSha256 = a.expectedSha256();
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
            queued.addAll(files);
            for (FileRecord f : files) {
                log.info("job {}: added {} -> {}", rec.id, f.remoteName, f.localName);
            }
            fireModification(job);
            return null;
        });
    }

    /**
     * BITS' rules for AddFileWithRanges' ranges: an HTTP(S) URL (E_INVALIDARG), a download job (E_NOTIMPL), a job
     * without dynamic content (BG_E_UNSUPPORTED_JOB_CONFIGURATION). Nothing for a file without ranges.
     */
    private static void checkRanges(JobRecord rec, FileRecord.Added added) {
        if (rec.onDemand) {
            OnDemand.requireCapable(added.uri(), added.ranges() != null);
        }
        if (added.ranges() == null) {
            return;
        }
        URI uri = added.uri();
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

    /**
     * An upload job's one file (a second is BG_E_TOO_MANY_FILES), to an HTTP(S) URL, with the identity of the local
     * file it reads; an upload-reply job without a reply file name gets one next to that file. Call with the lock.
     */
    private void addUploadFile(EngineJob job, FileRecord.Added added) {
        JobRecord rec = job.rec;
        if (!rec.files.isEmpty()) {
            throw new BitsException(HResult.BG_E_TOO_MANY_FILES, "an upload job holds exactly one file");
        }
        URI uri = added.uri();
        boolean smb = "smb".equalsIgnoreCase(uri.getScheme());
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) && !smb) {
            throw new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, "an upload goes to an http:// or https:// URL "
                    + "or an SMB share");
        }
        if (smb && rec.type == JobType.UPLOAD_REPLY) {
            // BG_FILE_INFO: "there is no SMB support for upload-reply jobs".
            throw new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, "an upload-reply job goes to an http:// or "
                    + "https:// URL: BITS has no SMB upload-reply (use an upload job for an SMB share)");
        }
        checkRanges(rec, added);
        LocalNames.Source source = added.source();
        FileRecord file = new FileRecord(0, added.remoteName(), uri, source.path().toString(), "");
        file.uploadSource = true;
        file.dirId = source.directory();
        file.urlCredentials = added.credentials();
        file.bytesTotal = source.size();
        UploadRecord u = rec.upload;
        FileRecord replyBefore = u.reply;
        if (rec.type == JobType.UPLOAD_REPLY && u.reply == null) {
            u.reply = ReplyFiles.record(rec.id, Path.of(LocalNames.replyNameFor(rec.id, source.path())),
                    source.directory());
        }
        u.sourceId = source.file();
        rec.files.add(file);
        rec.modified = clock.now();
        try {
            store.saveUploadState(rec, file, true);
        } catch (RuntimeException e) {
            rec.files.remove(file);
            u.reply = replyBefore;
            u.sourceId = null;
            throw e;
        }
        FileRecord replyAdded = u.reply;
        onNotCommitted(() -> {
            rec.files.remove(file);
            if (u.reply == replyAdded) {
                u.reply = replyBefore;
                u.sourceId = null;
            }
        });
        log.info("job {}: added {} <- {}{}", rec.id, added.remoteName(), source.path(),
                u.reply != null ? " (reply to " + u.reply.localName + ")" : "");
        fireModification(job);
    }

    /**
     * SetReplyFileName: the reply goes to {@code reply} (in the directory {@code dir}), or, for null, to the name
     * the engine chooses (none until the job has its file). Refused with BG_E_INVALID_STATE while the reply is being
     * downloaded and once it is there. Returns the reply record replaced, whose temporary file the caller deletes,
     * or null.
     */
    FileRecord setReplyFile(EngineJob job, Path reply, org.jbits.file.FileIdentity dir) {
        return locked(() -> {
            ensureNotFinal(job);
            JobRecord rec = job.rec;
            UploadRecord u = rec.upload;
            FileRecord old = u.reply;
            if (old != null && (old.completed || (isActive(rec.state) && old.bytesTotal >= 0))) {
                throw new BitsException(HResult.BG_E_INVALID_STATE, "the reply of " + job + " is "
                        + (old.completed ? "already in " + old.tempName + "; it appears as " + old.localName
                        + " at Complete" : "being downloaded"));
            }
            Path target = reply;
            org.jbits.file.FileIdentity targetDir = dir;
            if (target == null && !rec.files.isEmpty()) {
                FileRecord f = rec.files.get(0);
                target = Path.of(LocalNames.replyNameFor(rec.id, Path.of(f.localName)));
                targetDir = f.dirId;
            }
            FileRecord next = target == null ? null : ReplyFiles.record(rec.id, target, targetDir);
            if (next != null && old != null) {
                // The reply URL stays: only where its bytes go changes, from byte 0.
                next.remoteName = old.remoteName;
                next.uri = old.uri;
            }
            u.reply = next;
            rec.modified = clock.now();
            try {
                store.deleteReply(rec.id);
                store.saveUploadState(rec, null, true);
            } catch (RuntimeException e) {
                u.reply = old;
                throw e;
            }
            onNotCommitted(() -> {
                if (u.reply == next) {
                    u.reply = old;
                }
            });
            log.info("job {}: the reply goes to {}", rec.id, next == null ? "a name chosen at AddFile" : next.localName);
            fireModification(job);
            return old;
        });
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
                onNotCommitted(() -> rec.everResumed = false);
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
            track(job);
            onNotCommitted(() -> {
                // Not committed: the job is still there, in the state its store says (undone next).
                jobs.put(job.rec.id, job);
            });
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
        refuseComplete(job, problem, ErrorContext.LOCAL_FILE);
    }

    /** {@link #refuseComplete(EngineJob, JobFinisher.Problem)} with the error in {@code context}. */
    void refuseComplete(EngineJob job, JobFinisher.Problem problem, ErrorContext context) {
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
            recordError(job, problem.hresult(), context, problem.message(), f.index);
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
            track(job);
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
                if (rec.onDemand) {
                    // The new server's file, if another version, loses the filled ranges at the next request (If-Range).
                    OnDemand.requireCapable(c.uri(), false);
                }
            }
            List<RemoteName> undo = new ArrayList<>();
            List<FileRecord> changed = new ArrayList<>();
            Runnable putBack = () -> {
                for (RemoteName u : undo) {
                    FileRecord f = rec.files.get(u.index());
                    f.remoteName = u.remoteName();
                    f.uri = u.uri();
                    f.urlCredentials = u.credentials();
                }
            };
            Instant oldModified = rec.modified;
            for (RemoteName c : changes) {
                FileRecord f = rec.files.get(c.index());
                undo.add(new RemoteName(c.index(), f.remoteName, f.uri, f.urlCredentials));
                log.info("job {}: file {}: remote name {} -> {}", rec.id, c.index(), f.remoteName, c.remoteName());
                f.remoteName = c.remoteName();
                f.uri = c.uri();
                f.urlCredentials = c.credentials();
                changed.add(f);
            }
            rec.modified = clock.now();
            try {
                // The job row and every changed file row in one transaction.
                store.saveJobAndFiles(rec, changed);
            } catch (RuntimeException e) {
                putBack.run();
                rec.modified = oldModified;
                throw e;
            }
            onNotCommitted(putBack);
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
        boolean newNotifyPending = rec.notifyPending;
        store.saveJob(rec);
        Instant newModified = rec.modified;
        onNotCommitted(() -> {
            // The job is in the state its store says (a full disk, a store gone read-only), its notify run too.
            if (rec.state == state && rec.modified == newModified) {
                rec.state = old;
                rec.modified = oldModified;
                rec.completedAt = oldCompletedAt;
                if (rec.notifyPending == newNotifyPending) {
                    rec.notifyPending = oldNotifyPending;
                }
                track(job);
                changed.signalAll();
            }
        });
        track(job);
        changed.signalAll();
        wakeScheduler.run();
        log.info("job {}: {} -> {}", rec.id, old.displayName(), state.displayName());
        if (notifyCommands != null) {
            notifyCommands.started(job);
        }
        fireModification(job);
        if (state == JobState.TRANSFERRED) {
            fire(rec.notifyFlags, NotifyFlag.JOB_TRANSFERRED, l -> l.jobTransferred(job));
        } else if (state == JobState.ERROR) {
            JobError err = job.error().orElse(null);
            fire(rec.notifyFlags, NotifyFlag.JOB_ERROR, l -> l.jobError(job, err));
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

    void fireModification(EngineJob job) {
        fire(job.rec.notifyFlags, NotifyFlag.JOB_MODIFICATION, l -> l.jobModification(job));
    }

    /**
     * Queues an event for the listeners, delivered once every store write queued before it is committed: a
     * listener never hears of a change a crash could still take back (the writes are committed after the lock is
     * released, the event is delivered on the dispatcher's thread).
     */
    void fire(int notifyFlags, NotifyFlag event, Consumer<JobListener> delivery) {
        long upTo = store.queuedSoFar();
        notifier.fire(notifyFlags, event, l -> {
            store.awaitCommitted(upTo);
            delivery.accept(l);
        });
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
