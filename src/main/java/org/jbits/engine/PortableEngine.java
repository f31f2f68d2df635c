package org.jbits.engine;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.BitsManager;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobListener;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.transport.FileTransport;
import org.jbits.transport.HttpTransport;
import org.jbits.transport.Transport;
import org.jbits.transport.TransferException;
import org.jbits.transport.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable, pure-Java BITS engine: the job state machine, the scheduler thread, transfer workers and the
 * durable store. All job state changes under one lock; each is committed to the store before it is reported.
 */
public final class PortableEngine implements BitsManager {
    private static final Logger log = LoggerFactory.getLogger(PortableEngine.class);
    /** The scheduler re-checks clocks at least this often (retry delays, timeouts). */
    private static final long MAX_WAIT_NANOS = 1_000_000_000L;
    /** How long cancel/complete/close wait for a worker to let go of its files. */
    private static final long STOP_WAIT_MILLIS = 30_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<UUID, EngineJob> jobs = new LinkedHashMap<>();
    private final Path stateDir;
    private final JobStore store;
    private final FileChannel lockChannel;
    private final FileLock dirLock;
    private final Transports transports;
    private final EngineClock clock;
    private final EngineSettings settings;
    /** Staging buffers of 1 MiB for all transfers: 64 MiB together, though each transfer always gets two. */
    private final StagingPool staging = new StagingPool(1 << 20, 64L << 20);
    private final Notifier notifier = new Notifier();
    private final ExecutorService workers;
    private final Thread scheduler;
    private final String owner = System.getProperty("user.name");
    private long nextSequence;
    private volatile boolean closed;

    /** Opens the engine on {@code stateDir} with the default transports. */
    public PortableEngine(Path stateDir, EngineSettings settings, EngineClock clock) {
        this(stateDir, settings, clock, List.of(
                new HttpTransport(settings.connectTimeoutMillis(), settings.readTimeoutMillis()),
                new FileTransport()));
    }

    /** Opens the engine with the given transports (tests use this to inject faults). */
    public PortableEngine(Path stateDir, EngineSettings settings, EngineClock clock, List<Transport> transports) {
        this.stateDir = stateDir;
        this.settings = settings;
        this.clock = clock;
        this.transports = new Transports(transports);
        try {
            StateDirectory.ensure(stateDir);
            lockChannel = FileChannel.open(stateDir.resolve("engine.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            StateDirectory.restrict(stateDir.resolve("engine.lock"));
            FileLock l;
            try {
                l = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                lockChannel.close();
                throw new BitsException(HResult.E_ACCESSDENIED, "another jbits engine is using " + stateDir);
            }
            dirLock = l;
        } catch (IOException e) {
            throw new BitsException(HResult.E_ACCESSDENIED, "cannot use the state directory " + stateDir + ": " + e.getMessage(), e);
        }
        Path dbFile = stateDir.resolve("jobs.db");
        store = new JobStore(dbFile);
        StateDirectory.restrictAll(stateDir);
        recover();
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jbits-transfer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        scheduler = new Thread(this::scheduleLoop, "jbits-scheduler");
        scheduler.setDaemon(true);
        scheduler.start();
        log.info("portable engine started on {} with {} job(s)", stateDir, jobs.size());
    }

    /** Loads the store: finishes Complete/Cancel cut short by a crash, requeues interrupted jobs. */
    private void recover() {
        for (JobRecord rec : store.loadAll()) {
            nextSequence = Math.max(nextSequence, rec.sequence + 1);
            if (rec.state.isFinal()) {
                finishFinal(rec);
                continue;
            }
            for (FileRecord f : rec.files) {
                try {
                    f.uri = transports.parse(f.remoteName);
                } catch (BitsException e) {
                    f.uri = null;
                }
                recoverTempFile(rec, f);
            }
            EngineJob job = new EngineJob(this, rec);
            if (rec.state == JobState.CONNECTING || rec.state == JobState.TRANSFERRING) {
                rec.state = JobState.QUEUED;
                store.saveJob(rec);
            } else if (rec.state == JobState.TRANSIENT_ERROR) {
                job.retryAtNanos = clock.nanoTime() + rec.minimumRetryDelaySeconds * 1_000_000_000L;
            }
            jobs.put(rec.id, job);
        }
    }

    /** Cuts a temporary file back to its checkpoint so no unverified byte remains; restarts a file that lost bytes. */
    private void recoverTempFile(JobRecord rec, FileRecord f) {
        Path temp = Path.of(f.tempName);
        try {
            long size = Files.exists(temp) ? Files.size(temp) : -1;
            if (f.completed && size != f.checkpoint) {
                f.completed = false;
                f.checkpoint = 0;
                f.validator = null;
            } else if (!f.completed && size < f.checkpoint) {
                f.checkpoint = 0;
                f.validator = null;
            } else if (!f.completed && size > f.checkpoint) {
                // Bytes written after the checkpoint are kept as far as they match their recorded checksums.
                long verified = Segments.verify(temp, f.checkpoint, store.segments(rec.id, f.index));
                if (verified > f.checkpoint) {
                    log.info("job {}: {} verified past its checkpoint up to {} bytes (checkpoint {})",
                            rec.id, temp, verified, f.checkpoint);
                    f.checkpoint = verified;
                }
            }
            if (size >= 0) {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    if (size > f.checkpoint) {
                        ch.truncate(f.checkpoint);
                        log.info("job {}: cut {} back to {} bytes (was {})", rec.id, temp, f.checkpoint, size);
                    }
                    // The verified bytes may be in the page cache only: forced before the checkpoint claims them.
                    ch.force(true);
                }
            }
            f.bytesTransferred = f.checkpoint;
            store.clearSegments(rec.id, f.index);
            store.saveCheckpoint(rec.id, f);
        } catch (IOException e) {
            log.warn("job {}: cannot check {}: {}", rec.id, temp, e.toString());
        }
    }

    // ---------------------------------------------------------------- BitsManager

    @Override
    public BitsJob createJob(String displayName, JobType type) {
        EngineJob.checkDisplayName(displayName);
        if (type == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the job type must not be null");
        }
        return locked(() -> {
            ensureOpen();
            JobRecord rec = new JobRecord(UUID.randomUUID(), type, owner, displayName, clock.now());
            rec.sequence = nextSequence++;
            store.insertJob(rec);
            EngineJob job = new EngineJob(this, rec);
            jobs.put(rec.id, job);
            log.info("job {} created: '{}' ({})", rec.id, displayName, type.displayName());
            return job;
        });
    }

    @Override
    public BitsJob getJob(UUID id) {
        return locked(() -> {
            EngineJob job = jobs.get(id);
            if (job == null) {
                throw new BitsException(HResult.BG_E_NOT_FOUND, "no job " + id);
            }
            return job;
        });
    }

    @Override
    public List<BitsJob> jobs() {
        return locked(() -> List.copyOf(jobs.values()));
    }

    @Override
    public void addListener(JobListener listener) {
        notifier.add(listener);
    }

    @Override
    public void removeListener(JobListener listener) {
        notifier.remove(listener);
    }

    @Override
    public String backendName() {
        return "portable";
    }

    @Override
    public String backendVersion() {
        String v = PortableEngine.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    /** The state directory this engine keeps its store in. */
    public Path stateDirectory() {
        return stateDir;
    }

    /** Wakes the scheduler now (tests call this after moving a manual clock). */
    public void poke() {
        locked(() -> {
            changed.signalAll();
            return null;
        });
    }

    /**
     * Stops the scheduler and every transfer, checkpointing what was written; the store keeps each job in the
     * state it had, so the next engine resumes them.
     */
    @Override
    public void close() {
        List<Run> runs = new ArrayList<>();
        locked(() -> {
            if (closed) {
                return null;
            }
            closed = true;
            for (EngineJob j : jobs.values()) {
                if (j.run != null) {
                    runs.add(j.run);
                    j.run.stop();
                }
            }
            changed.signalAll();
            return null;
        });
        for (Run r : runs) {
            r.awaitDone(STOP_WAIT_MILLIS);
        }
        scheduler.interrupt();
        try {
            scheduler.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        notifier.close();
        store.close();
        try {
            dirLock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
        log.info("portable engine on {} stopped", stateDir);
    }

    // ---------------------------------------------------------------- locking helpers

    /** Runs {@code body} under the engine lock: every read and change of job state goes through here. */
    <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** Waits on the engine's change signal, which every state change raises, until the job leaves {@code from}. */
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

    /** Applies a property change: checked, timestamped, committed, then announced. */
    void modify(EngineJob job, Consumer<JobRecord> change) {
        locked(() -> {
            ensureNotFinal(job);
            change.accept(job.rec);
            job.rec.modified = clock.now();
            store.saveJob(job.rec);
            changed.signalAll();
            fireModification(job);
            return null;
        });
    }

    // ---------------------------------------------------------------- job operations

    void addFile(EngineJob job, String remoteName, String localName) {
        URI uri = transports.parse(remoteName);
        Path local = checkLocalName(localName);
        locked(() -> {
            ensureNotFinal(job);
            JobRecord rec = job.rec;
            if (rec.type != JobType.DOWNLOAD && !rec.files.isEmpty()) {
                throw new BitsException(HResult.BG_E_TOO_MANY_FILES, "an upload job holds exactly one file");
            }
            if (rec.type != JobType.DOWNLOAD && !"http".equalsIgnoreCase(uri.getScheme())
                    && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, "an upload goes to an http:// or https:// URL");
            }
            if (rec.type != JobType.DOWNLOAD && !Files.isRegularFile(local)) {
                throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "the file to upload, " + local + ", does not exist");
            }
            if (rec.files.size() >= settings.maxFilesPerJob()) {
                throw new BitsException(HResult.BG_E_TOO_MANY_FILES_IN_JOB,
                        "a job holds at most " + settings.maxFilesPerJob() + " files");
            }
            int index = rec.files.size();
            FileRecord f = new FileRecord(index, remoteName, uri, local.toString(), tempNameFor(rec.id, index, local));
            rec.files.add(f);
            rec.modified = clock.now();
            try {
                store.saveJobAndFile(rec, f);
            } catch (RuntimeException e) {
                rec.files.remove(f);
                throw e;
            }
            log.info("job {}: added {} -> {}", rec.id, remoteName, local);
            fireModification(job);
            return null;
        });
    }

    private static Path checkLocalName(String localName) {
        if (localName == null || localName.isBlank()) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name is empty");
        }
        Path p;
        try {
            p = Path.of(localName);
        } catch (RuntimeException e) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + localName + "' is not a valid path");
        }
        if (!p.isAbsolute()) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' is not an absolute path");
        }
        p = p.normalize();
        if (p.getFileName() == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' names no file");
        }
        if (Files.isDirectory(p)) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' is a directory");
        }
        Path parent = p.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the directory of '" + localName + "' does not exist");
        }
        return p;
    }

    /** A hidden file next to the destination, so the final rename stays on one file system. */
    private static String tempNameFor(UUID jobId, int index, Path local) {
        String name = local.getFileName().toString();
        if (name.length() > 180) {
            name = name.substring(0, 180);
        }
        return local.resolveSibling("." + name + "." + jobId.toString().substring(0, 8) + "-" + index + ".jbits").toString();
    }

    void resume(EngineJob job) {
        locked(() -> {
            ensureNotFinal(job);
            JobRecord rec = job.rec;
            if (rec.files.isEmpty()) {
                throw new BitsException(HResult.BG_E_EMPTY, job + " has no files");
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
            changed.signalAll();
            return null;
        });
    }

    /** Returns once the transfer has stopped and kept what it received, so the progress read next is final. */
    void suspend(EngineJob job) {
        Run run = locked(() -> {
            ensureNotFinal(job);
            Run r = null;
            if (job.rec.state != JobState.SUSPENDED) {
                r = stopRun(job);
                setState(job, JobState.SUSPENDED);
            }
            return r;
        });
        awaitStopped(run);
    }

    void cancel(EngineJob job) {
        end(job, JobState.CANCELLED);
    }

    int complete(EngineJob job) {
        return end(job, JobState.ACKNOWLEDGED);
    }

    /**
     * Cancel or Complete: the final state is committed first, the transfer stopped and waited for outside the
     * lock, then the files are dealt with ({@link #finishFinal}, which a restart repeats if a crash cuts it short).
     */
    private int end(EngineJob job, JobState finalState) {
        Run run = locked(() -> {
            ensureNotFinal(job);
            Run r = stopRun(job);
            setState(job, finalState);
            jobs.remove(job.rec.id);
            changed.signalAll();
            return r;
        });
        awaitStopped(run);
        return finishFinal(job.rec);
    }

    private void awaitStopped(Run run) {
        if (run != null && !run.awaitDone(STOP_WAIT_MILLIS)) {
            log.warn("job {}: the transfer did not stop within {} ms", run.job.rec.id, STOP_WAIT_MILLIS);
        }
    }

    /**
     * The file work of a job that is Acknowledged (transferred files renamed into place, the rest deleted) or
     * Cancelled (every temporary file deleted); then the job leaves the store. Safe to repeat after a crash.
     */
    private int finishFinal(JobRecord rec) {
        boolean partial = false;
        boolean undeleted = false;
        for (FileRecord f : rec.files) {
            if (rec.type != JobType.DOWNLOAD) {
                // An upload's local file is its source: Complete and Cancel leave it alone.
                continue;
            }
            Path temp = Path.of(f.tempName);
            try {
                if (rec.state == JobState.ACKNOWLEDGED && f.completed) {
                    if (Files.exists(temp)) {
                        moveIntoPlace(temp, Path.of(f.localName));
                    }
                } else {
                    partial |= rec.state == JobState.ACKNOWLEDGED;
                    Files.deleteIfExists(temp);
                }
            } catch (IOException e) {
                log.warn("job {}: {} failed: {}", rec.id, temp, e.toString());
                partial = true;
                undeleted = true;
            }
        }
        store.deleteJob(rec.id);
        log.info("job {} {}", rec.id, rec.state == JobState.ACKNOWLEDGED ? "completed" : "cancelled");
        if (rec.state == JobState.CANCELLED) {
            return undeleted ? HResult.BG_S_UNABLE_TO_DELETE_FILES : HResult.S_OK;
        }
        return partial ? HResult.BG_S_PARTIAL_COMPLETE : HResult.S_OK;
    }

    private static void moveIntoPlace(Path temp, Path local) throws IOException {
        try {
            Files.move(temp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, local, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Stops the job's current transfer, if any; returns it so the caller can wait for it outside the lock. */
    private Run stopRun(EngineJob job) {
        Run r = job.run;
        if (r != null) {
            r.stop();
        }
        return r;
    }

    /** Commits a state change, then logs and announces it. Call under the lock. */
    private void setState(EngineJob job, JobState state) {
        JobRecord rec = job.rec;
        if (rec.state == state) {
            return;
        }
        JobState old = rec.state;
        rec.state = state;
        rec.modified = clock.now();
        if (state == JobState.TRANSFERRED) {
            rec.completedAt = rec.modified;
        }
        store.saveJob(rec);
        changed.signalAll();
        log.info("job {}: {} -> {}", rec.id, old.displayName(), state.displayName());
        fireModification(job);
        if (state == JobState.TRANSFERRED) {
            notifier.fire(rec.notifyFlags, NotifyFlag.JOB_TRANSFERRED, l -> l.jobTransferred(job));
        } else if (state == JobState.ERROR) {
            JobError err = job.error().orElse(null);
            notifier.fire(rec.notifyFlags, NotifyFlag.JOB_ERROR, l -> l.jobError(job, err));
        }
    }

    private void fireModification(EngineJob job) {
        notifier.fire(job.rec.notifyFlags, NotifyFlag.JOB_MODIFICATION, l -> l.jobModification(job));
    }

    // ---------------------------------------------------------------- scheduler

    private void scheduleLoop() {
        lock.lock();
        try {
            while (!closed) {
                long now = clock.nanoTime();
                long next = now + MAX_WAIT_NANOS;
                try {
                    next = Math.min(next, tick(now));
                } catch (RuntimeException e) {
                    log.error("scheduler step failed", e);
                }
                long wait = next - clock.nanoTime();
                if (wait > 0) {
                    changed.awaitNanos(Math.min(wait, MAX_WAIT_NANOS));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** One scheduling step under the lock; returns when it wants to run again. */
    private long tick(long now) {
        long next = Long.MAX_VALUE;
        Instant wall = clock.now();
        List<SchedulePolicy.Candidate> candidates = new ArrayList<>();
        for (EngineJob job : new ArrayList<>(jobs.values())) {
            JobRecord rec = job.rec;
            if (rec.state == JobState.TRANSIENT_ERROR) {
                if (noProgressExpired(rec, wall)) {
                    log.info("job {}: no progress for {} s", rec.id, rec.noProgressTimeoutSeconds);
                    setState(job, JobState.ERROR);
                } else if (now - job.retryAtNanos >= 0) {
                    setState(job, JobState.QUEUED);
                } else {
                    next = Math.min(next, job.retryAtNanos);
                }
            }
            if (job.run != null && !job.run.isStopped() && rec.maximumDownloadTimeSeconds > 0
                    && rec.activeMillis + (now - job.run.startNanos) / 1_000_000 >= rec.maximumDownloadTimeSeconds * 1000) {
                job.run.stop();
                recordError(job, HResult.BG_E_MAXDOWNLOAD_TIMEOUT, ErrorContext.GENERAL_QUEUE_MANAGER,
                        "the job transferred for longer than its maximum download time of "
                                + rec.maximumDownloadTimeSeconds + " s", -1);
                setState(job, JobState.ERROR);
            }
            boolean running = job.run != null && !job.run.isStopped();
            boolean runnable = rec.state == JobState.QUEUED && job.run == null;
            if (running || runnable) {
                candidates.add(new SchedulePolicy.Candidate(job, rec.priority, running, runnable, job.lastStartNanos));
            }
        }
        SchedulePolicy.Decision d = SchedulePolicy.decide(candidates, now, settings.timeSliceMillis() * 1_000_000L);
        for (Object o : d.preempt()) {
            EngineJob job = (EngineJob) o;
            log.info("job {}: preempted", job.rec.id);
            job.run.stop();
            setState(job, JobState.QUEUED);
        }
        for (Object o : d.start()) {
            start((EngineJob) o, now);
        }
        return Math.min(next, d.nextDecisionNanos());
    }

    private static boolean noProgressExpired(JobRecord rec, Instant wall) {
        return rec.noProgressSince != null
                && Duration.between(rec.noProgressSince, wall).getSeconds() >= rec.noProgressTimeoutSeconds;
    }

    private void start(EngineJob job, long now) {
        Run run = new Run(job, now, job.rec.proxy);
        job.run = run;
        job.lastStartNanos = now;
        setState(job, JobState.CONNECTING);
        workers.execute(() -> work(run));
    }

    // ---------------------------------------------------------------- worker

    /** A worker's turn: the job's files one after another, in order. */
    private void work(Run run) {
        EngineJob job = run.job;
        try {
            while (true) {
                FileRecord f = locked(() -> run.isStopped() ? null : job.rec.nextFile());
                if (run.isStopped()) {
                    return;
                }
                if (f == null) {
                    transferred(run);
                    return;
                }
                transferFile(run, f);
                if (run.isStopped()) {
                    return;
                }
                if (!f.completed) {
                    throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.GENERAL_TRANSPORT,
                            "the transfer of " + f.remoteName + " ended early", null);
                }
                fileTransferred(run, f);
            }
        } catch (TransferException e) {
            failed(run, e);
        } catch (BitsException e) {
            failed(run, TransferException.fatal(e.hresult(), ErrorContext.GENERAL_QUEUE_MANAGER, e.detail(), e));
        } catch (RuntimeException e) {
            log.error("job {}: unexpected failure", job.rec.id, e);
            failed(run, TransferException.fatal(HResult.E_FAIL, ErrorContext.UNKNOWN, String.valueOf(e), e));
        } finally {
            run.markDone();
            locked(() -> {
                job.rec.activeMillis += (clock.nanoTime() - run.startNanos) / 1_000_000;
                if (job.run == run) {
                    job.run = null;
                }
                changed.signalAll();
                return null;
            });
        }
    }

    private void transferFile(Run run, FileRecord f) throws TransferException {
        if (f.uri == null) {
            throw TransferException.fatal(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, ErrorContext.GENERAL_QUEUE_MANAGER,
                    "no transport can read " + f.remoteName, null);
        }
        if (run.job.rec.type != JobType.DOWNLOAD) {
            // The job model takes upload jobs; moving their bytes needs the BITS upload protocol, not built yet.
            throw TransferException.fatal(HResult.E_NOTIMPL, ErrorContext.GENERAL_QUEUE_MANAGER,
                    "uploads are not implemented by the portable engine yet", null);
        }
        Transport transport = transports.forUri(f.uri);
        try (TempFileTarget target = new TempFileTarget(this, staging, run, f, settings)) {
            transport.download(f.uri, target, run);
        }
    }

    // Called by TempFileTarget on the worker thread.

    void checkpointed(Run run, FileRecord f, boolean durable) {
        store.saveCheckpoint(run.job.rec.id, f, durable);
    }

    void segmentWritten(Run run, FileRecord f, long start, long end, long crc32c) {
        store.addSegment(run.job.rec.id, f.index, start, end, crc32c);
    }

    void segmentsCleared(Run run, FileRecord f) {
        store.clearSegments(run.job.rec.id, f.index);
    }

    void connected(Run run) {
        locked(() -> {
            if (run.job.run == run && !run.isStopped() && run.job.rec.state == JobState.CONNECTING) {
                setState(run.job, JobState.TRANSFERRING);
            }
            return null;
        });
    }

    void progressed(Run run) {
        locked(() -> {
            JobRecord rec = run.job.rec;
            if (run.job.run == run && (rec.noProgressSince != null || rec.hasError())) {
                rec.noProgressSince = null;
                rec.clearError();
                store.saveJob(rec);
            }
            fireModification(run.job);
            return null;
        });
    }

    private void fileTransferred(Run run, FileRecord f) {
        locked(() -> {
            EngineJob job = run.job;
            log.info("job {}: file {} transferred ({} bytes)", job.rec.id, f.remoteName, f.bytesTransferred);
            var snapshot = f.snapshot();
            notifier.fire(job.rec.notifyFlags, NotifyFlag.FILE_TRANSFERRED, l -> l.fileTransferred(job, snapshot));
            return null;
        });
    }

    private void transferred(Run run) {
        locked(() -> {
            if (run.job.run == run && !run.isStopped()) {
                run.job.rec.noProgressSince = null;
                run.job.rec.clearError();
                setState(run.job, JobState.TRANSFERRED);
            }
            return null;
        });
    }

    private void failed(Run run, TransferException e) {
        locked(() -> {
            EngineJob job = run.job;
            JobRecord rec = job.rec;
            if (job.run != run || run.isStopped()) {
                return null;
            }
            FileRecord f = rec.nextFile();
            recordError(job, e.hresult(), e.context(), e.getMessage(), f == null ? -1 : f.index);
            log.info("job {}: {} {} ({}): {}", rec.id, e.isTransient() ? "transient error" : "error",
                    HResult.name(e.hresult()), e.context().displayName(), e.getMessage());
            Instant wall = clock.now();
            if (!e.isTransient() || rec.noProgressTimeoutSeconds == 0
                    || rec.minimumRetryDelaySeconds > rec.noProgressTimeoutSeconds) {
                setState(job, JobState.ERROR);
                return null;
            }
            if (rec.noProgressSince == null) {
                rec.noProgressSince = wall;
            }
            if (noProgressExpired(rec, wall)) {
                setState(job, JobState.ERROR);
                return null;
            }
            long delay = rec.minimumRetryDelaySeconds;
            if (e.retryAfter() != null) {
                delay = Math.max(delay, e.retryAfter().toSeconds());
            }
            job.retryAtNanos = clock.nanoTime() + delay * 1_000_000_000L;
            setState(job, JobState.TRANSIENT_ERROR);
            store.saveJob(rec);
            return null;
        });
    }

    private void recordError(EngineJob job, int hresult, ErrorContext context, String description, int fileIndex) {
        JobRecord rec = job.rec;
        rec.errorHresult = hresult;
        rec.errorContext = context;
        rec.errorDescription = description;
        rec.errorFile = fileIndex;
        rec.errorCount++;
    }
}
