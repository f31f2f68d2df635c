package org.jbits.engine;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.jbits.BitsException;
import org.jbits.BitsFile;
import org.jbits.BitsJob;
import org.jbits.BitsLimits;
import org.jbits.BitsManager;
import org.jbits.FileInfo;
import org.jbits.CostState;
import org.jbits.HResult;
import org.jbits.JobListener;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.NetworkStatus;
import org.jbits.bandwidth.BandwidthPolicy;
import org.jbits.bandwidth.IdlePacer;
import org.jbits.bandwidth.Pacers;
import org.jbits.network.CostOverride;
import org.jbits.network.CostPolicyDefaults;
import org.jbits.network.NetworkCost;
import org.jbits.power.PowerSupply;
import org.jbits.file.FileIdentity;
import org.jbits.file.StateDirectory;
import org.jbits.spi.JobEventDispatcher;
import org.jbits.transport.Transport;
import org.jbits.transport.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable, pure-Java BITS engine: a facade that wires its parts. {@link JobStateMachine} holds the jobs and
 * commits every change before it is reported ({@link RunReports}: what a run reports); the {@link Scheduler} thread
 * decides which jobs run
 * ({@link SchedulePolicy}); a {@link TransferWorker} moves a job's files through the {@link Transports} it was
 * given into {@link TempFiles}; {@link RetryPolicy} decides what a failure does; {@link Recovery} makes the store
 * and the temporary files agree at start-up; {@link JobFinisher} does the file work of Complete and Cancel.
 */
public final class PortableEngine implements BitsManager {
    private static final Logger log = LoggerFactory.getLogger(PortableEngine.class);
    /** How long cancel/complete/suspend/close wait for a transfer to let go of its files. */
    private static final long STOP_WAIT_MILLIS = 30_000;

    private final Path stateDir;
    private final FileChannel lockChannel;
    private final FileLock dirLock;
    private final EngineSettings settings;
    private final Transports transports;
    private final String owner = OwnerName.current();
    private final JobStore store;
    private final JobEventDispatcher notifier = new JobEventDispatcher("jbits-notify");
    private final JobStateMachine jobs;
    private final JobFinisher finisher;
    private final TempFiles tempFiles;
    private final UploadRunner uploads;
    private final TransferWorker worker;
    private final NotifyCommands notifyCommands;
    private final Scheduler scheduler;
    /** The network's cost: detection with the administrator's override over it. */
    private final CostOverride cost;
    private final CostGate costGate;
    /** Battery or mains, for {@link BatteryGate}. */
    private final PowerSupply power;

    /**
     * Opens the engine on {@code stateDir} with the given transports (e.g. {@link Transports#standard}); tests pass
     * transports that inject faults.
     */
    public PortableEngine(Path stateDir, EngineSettings settings, EngineClock clock, Transports transports) {
        this(stateDir, settings, clock, transports, NetworkCost.none("no cost detection was asked for",
                clock.now()), CostPolicyDefaults.BITS);
    }

    /** Opens the engine with a launcher for notify command lines (tests count and fail the runs). */
    PortableEngine(Path stateDir, EngineSettings settings, EngineClock clock, Transports transports,
            NotifyCommands.Launcher launcher) {
        this(stateDir, settings, clock, transports, NetworkCost.none("no cost detection was asked for",
                clock.now()), CostPolicyDefaults.BITS, BandwidthPolicy.from(java.util.Map.of()),
                PowerSupply.none("no power detection was asked for", clock.now()), false, launcher);
    }

    /**
     * Opens the engine with a cost detector ({@code detector}, closed with the engine) and the default transfer
     * policy of each priority; the administrator's override kept in the state directory goes over the detector.
     */
    public PortableEngine(Path stateDir, EngineSettings settings, EngineClock clock, Transports transports,
            NetworkCost detector, CostPolicyDefaults costDefaults) {
        this(stateDir, settings, clock, transports, detector, costDefaults, BandwidthPolicy.from(java.util.Map.of()));
    }

    /**
     * Opens the engine with a cost detector, the default transfer policy of each priority and the bandwidth policy
     * (caps with schedules per background priority, idle-bandwidth control).
     */
    public PortableEngine(Path stateDir, EngineSettings settings, EngineClock clock, Transports transports,
            NetworkCost detector, CostPolicyDefaults costDefaults, BandwidthPolicy bandwidth) {
        this(stateDir, settings, clock, transports, detector, costDefaults, bandwidth,
                PowerSupply.none("no power detection was asked for", clock.now()), false);
    }

    /**
     * Opens the engine with a cost detector, the default transfer policy of each priority, the bandwidth policy and
     * the machine's power supply ({@code power}, closed with the engine): with {@code pauseOnBattery}, background
     * jobs wait while the machine is on battery.
     */
    public PortableEngine(Path stateDir, EngineSettings settings, EngineClock clock, Transports transports,
            NetworkCost detector, CostPolicyDefaults costDefaults, BandwidthPolicy bandwidth, PowerSupply power,
            boolean pauseOnBattery) {
        this(stateDir, settings, clock, transports, detector, costDefaults, bandwidth, power, pauseOnBattery,
                NotifyCommands.PROCESSES);
    }

    private PortableEngine(Path stateDir, EngineSettings settings, EngineClock clock, Transports transports,
            NetworkCost detector, CostPolicyDefaults costDefaults, BandwidthPolicy bandwidth, PowerSupply power,
            boolean pauseOnBattery, NotifyCommands.Launcher launcher) {
        this.stateDir = stateDir;
        this.settings = settings;
        this.transports = transports;
        this.power = power;
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
        store = new JobStore(stateDir.resolve("jobs.db"));
        StateDirectory.restrictAll(stateDir);
        try {
            cost = CostOverride.open(detector, stateDir, java.time.Clock.systemUTC());
        } catch (RuntimeException e) {
            detector.close();
            power.close();
            store.close();
            throw e;
        }
        Supplier<CostState> costState = () -> cost.current().cost();
        jobs = new JobStateMachine(store, clock, notifier, this::wakeScheduler);
        notifyCommands = new NotifyCommands(jobs, clock, launcher);
        jobs.notifyCommands(notifyCommands);
        costGate = new CostGate(jobs, cost::current, costDefaults, clock);
        finisher = new JobFinisher(store);
        tempFiles = new TempFiles(store, clock, settings);
        uploads = new UploadRunner(store, tempFiles, transports, clock);
        RunReports reports = new RunReports(jobs);
        // Pacing runs on the real monotonic clock: the byte loop sleeps for real whatever clock the engine is shown.
        worker = new TransferWorker(jobs, reports, transports, tempFiles, uploads, costState, this::wakeScheduler,
                new Pacers(bandwidth, System::nanoTime, clock::now, IdlePacer.Sleeper.REAL));
        for (JobRecord rec : new Recovery(store, transports, finisher).recover()) {
            jobs.load(new EngineJob(this, rec));
        }
        scheduler = new Scheduler(jobs, reports, worker, clock, settings.timeSliceMillis(), costGate,
                new BandwidthGate(jobs, bandwidth, clock), new BatteryGate(jobs, power::current, pauseOnBattery, clock),
                settings.jobInactivityTimeoutSeconds(),
                this::cancelInactive);
        cost.addListener(s -> wakeScheduler());
        power.addListener(s -> wakeScheduler());
        scheduler.start();
        log.info("portable engine started on {} with {} job(s)", stateDir, jobs.list().size());
    }

    /** Opens the engine with the given transports. */
    public PortableEngine(Path stateDir, EngineSettings settings, EngineClock clock, List<Transport> transports) {
        this(stateDir, settings, clock, new Transports(transports));
    }

    private void wakeScheduler() {
        Scheduler s = scheduler;
        if (s != null) {
            s.wake();
        }
    }

    JobStateMachine stateMachine() {
        return jobs;
    }

    CostGate costGate() {
        return costGate;
    }

    // ---------------------------------------------------------------- BitsManager

    @Override
    public BitsJob createJob(String displayName, JobType type) {
        BitsLimits.checkDisplayName(displayName);
        if (type == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the job type must not be null");
        }
        return jobs.create(this, displayName, type, owner, settings);
    }

    @Override
    public BitsJob getJob(UUID id) {
        return jobs.get(id);
    }

    @Override
    public List<BitsJob> jobs() {
        return jobs.list();
    }

    /**
     * Root only (E_ACCESSDENIED for anyone else): this engine's jobs, then every other local user's, read from a
     * consistent copy of their store without writing anything of theirs ({@link OtherUsersJobs}).
     */
    @Override
    public List<BitsJob> allUsersJobs() {
        return OtherUsersJobs.list(this, jobs.list());
    }

    @Override
    public void addListener(JobListener listener) {
        notifier.addListener(listener);
    }

    @Override
    public void removeListener(JobListener listener) {
        notifier.removeListener(listener);
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

    /** The cost the scheduler goes by: detection, or the override kept in the state directory. */
    @Override
    public NetworkStatus networkStatus() {
        return cost.current();
    }

    /** Sets ({@code null}: clears) the override, kept in the state directory; the scheduler acts on it at once. */
    @Override
    public NetworkStatus overrideNetworkCost(CostState state) {
        return cost.set(state);
    }

    /** The state directory this engine keeps its store in. */
    public Path stateDirectory() {
        return stateDir;
    }

    /** Wakes the scheduler now (tests call this after moving a manual clock). */
    public void poke() {
        wakeScheduler();
    }

    /**
     * Stops the scheduler and every transfer, checkpointing what was written; the store keeps each job in the
     * state it had, so the next engine resumes them.
     */
    @Override
    public void close() {
        if (jobs.isClosed()) {
            return;
        }
        for (Run r : jobs.close()) {
            r.awaitDone(STOP_WAIT_MILLIS);
        }
        scheduler.close();
        cost.close();
        power.close();
        worker.close();
        notifyCommands.close();
        tempFiles.close();
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

    // ---------------------------------------------------------------- operations of EngineJob

    void addFile(EngineJob job, String remoteName, String localName) {
        addFile(job, remoteName, localName, null);
    }

    /** AddFile with the SHA-256 the file must have (null: none). */
    void addFile(EngineJob job, String remoteName, String localName, String expectedSha256) {
        jobs.addFiles(job, List.of(checked(job, remoteName, localName, expectedSha256, null)), settings.maxFilesPerJob());
    }

    /** AddFileWithRanges: the ranges checked (BitsLimits, the engine's MaxRangesPerFile), then AddFile's checks. */
    void addFileWithRanges(EngineJob job, String remoteName, String localName, List<org.jbits.BitsFileRange> ranges) {
        List<org.jbits.BitsFileRange> checked = ranges == null ? null
                : BitsLimits.checkRanges(ranges, settings.maxRangesPerFile());
        jobs.addFiles(job, List.of(checked(job, remoteName, localName, null, checked)), settings.maxFilesPerJob());
    }

    /** Every file checked first, then all added in one commit, or none. */
    void addFileSet(EngineJob job, List<FileInfo> files) {
        if (files == null || files.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "the file set is empty");
        }
        List<FileRecord.Added> added = new java.util.ArrayList<>(files.size());
        for (FileInfo f : files) {
            added.add(checked(job, f.remoteName(), f.localName(), f.expectedSha256(), null));
        }
        jobs.addFiles(job, added, settings.maxFilesPerJob());
    }

    /**
     * AddFile's checks of one file's names, expected hash and ranges (null: none); a password in the remote name is
     * taken out before it is parsed. An upload's local name is its source: it must be there to read (recorded by
     * identity), not a place to write.
     */
    private FileRecord.Added checked(EngineJob job, String remoteName, String localName, String expectedSha256,
            List<org.jbits.BitsFileRange> ranges) {
        String sha = expectedSha256 == null ? null : BitsLimits.checkSha256(expectedSha256);
        if (remoteName == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the remote name is empty");
        }
        UrlCredentials.Split remote = UrlCredentials.split(remoteName);
        URI uri = transports.parse(remote.remoteName());
        if (job.rec.type != JobType.DOWNLOAD) {
            LocalNames.Source source = LocalNames.checkSource(localName);
            return new FileRecord.Added(remote.remoteName(), uri, source.path(), source.directory(),
                    remote.credentials(), source, sha, ranges);
        }
        Path local = LocalNames.check(localName);
        FileIdentity dir = LocalNames.directoryIdentity(local.getParent());
        return new FileRecord.Added(remote.remoteName(), uri, local, dir, remote.credentials(), null, sha, ranges);
    }

    /** SetRemoteName: the name checked as AddFile checks one, its {@code user:password@} taken out. */
    void setRemoteName(EngineJob job, int index, String remoteName) {
        jobs.changeRemoteNames(job, List.of(remoteName(index, remoteName)));
    }

    private JobStateMachine.RemoteName remoteName(int index, String remoteName) {
        if (remoteName == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the remote name is empty");
        }
        UrlCredentials.Split remote = UrlCredentials.split(BitsLimits.checkText("remote name", remoteName));
        URI uri = transports.parse(remote.remoteName());
        return new JobStateMachine.RemoteName(index, remote.remoteName(), uri, remote.credentials());
    }

    /**
     * ReplaceRemotePrefix: every remote name starting with {@code oldPrefix} (case-sensitive) gets {@code newPrefix}
     * instead; every new name is checked before any is changed. S_FALSE when none matched.
     */
    int replaceRemotePrefix(EngineJob job, String oldPrefix, String newPrefix) {
        if (oldPrefix == null || newPrefix == null || oldPrefix.isEmpty() || newPrefix.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "ReplaceRemotePrefix needs an old and a new prefix, neither empty");
        }
        BitsLimits.checkText("old prefix", oldPrefix);
        BitsLimits.checkText("new prefix", newPrefix);
        List<BitsFile> files = job.files();
        java.util.ArrayList<JobStateMachine.RemoteName> changes = new java.util.ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).remoteName();
            if (name.startsWith(oldPrefix)) {
                changes.add(remoteName(i, newPrefix + name.substring(oldPrefix.length())));
            }
        }
        if (changes.isEmpty()) {
            if (job.type() != JobType.DOWNLOAD) {
                throw new BitsException(HResult.E_NOTIMPL, "remote names of upload jobs cannot be changed");
            }
            jobs.locked(() -> {
                if (job.rec.state.isFinal()) {
                    throw new BitsException(HResult.BG_E_INVALID_STATE, job + " is " + job.rec.state.displayName());
                }
                return null;
            });
            return HResult.S_FALSE;
        }
        jobs.changeRemoteNames(job, changes);
        return HResult.S_OK;
    }

    /**
     * BITS' JobInactivityTimeout: a job that nothing changed and that made no progress for that long is cancelled,
     * its temporary files deleted. Called by the scheduler's thread, outside the engine lock.
     */
    private void cancelInactive(EngineJob job) {
        log.info("job {}: inactive for {} days (JobInactivityTimeout): cancelled, its temporary files deleted",
                job.rec.id, settings.jobInactivityTimeoutSeconds() / 86_400);
        try {
            cancel(job);
        } catch (BitsException e) {
            log.debug("job {}: already gone: {}", job.rec.id, e.getMessage());
        }
    }

    /** SetReplyFileName: checked as a download's destination is; null or empty lets the engine choose. */
    void setReplyFileName(EngineJob job, String name) {
        ReplyFiles.requireReplyJob(job.rec);
        Path reply = null;
        FileIdentity dir = null;
        if (name != null && !name.isEmpty()) {
            reply = LocalNames.check(name);
            dir = LocalNames.directoryIdentity(reply.getParent());
        }
        FileRecord replaced = jobs.setReplyFile(job, reply, dir);
        if (replaced != null) {
            finisher.deleteTemporary(replaced);
        }
    }

    /** GetReplyData: the reply file's bytes, once the job is Transferred (or Acknowledged). */
    byte[] replyData(EngineJob job) {
        ReplyFiles.requireReplyJob(job.rec);
        JobState state = jobs.locked(() -> job.rec.state);
        FileRecord reply = jobs.locked(() -> job.rec.upload.reply);
        if (state != JobState.TRANSFERRED && state != JobState.ACKNOWLEDGED) {
            throw new BitsException(HResult.BG_E_INVALID_STATE, "the reply data of " + job + " is there once the job"
                    + " is Transferred; it is " + state.displayName());
        }
        return ReplyFiles.read(reply, state == JobState.ACKNOWLEDGED);
    }

    void resume(EngineJob job) {
        jobs.resume(job);
    }

    /** Returns once the transfer has stopped and kept what it received, so the progress read next is final. */
    void suspend(EngineJob job) {
        awaitStopped(jobs.suspend(job));
    }

    /**
     * Cancel: Cancelled is committed first, the transfer stopped and waited for outside the lock, then the
     * temporary files are deleted (which a restart repeats if a crash cuts it short).
     */
    void cancel(EngineJob job) {
        awaitStopped(jobs.end(job, JobState.CANCELLED));
        uploads.cancelSession(job.rec);
        finisher.finish(job.rec);
    }

    /**
     * Complete: the transfer stopped (and the job held so that nothing starts it), every transferred file checked
     * to be the one the job wrote with a destination that may be replaced; a file that fails the check fails
     * Complete with its reason and the job is kept (in Error, the file fetched again on resume when its data is
     * gone). Only then is Acknowledged committed and are the files moved into place; a move that still fails
     * puts the job back as it was.
     */
    int complete(EngineJob job) {
        awaitStopped(jobs.hold(job));
        try {
            JobFinisher.Problem problem = finisher.check(job.rec);
            if (problem != null) {
                jobs.refuseComplete(job, problem);
                throw new BitsException(problem.hresult(), problem.message() + "; the job is kept");
            }
            commitUpload(job);
            JobState before = jobs.locked(() -> job.rec.state);
            awaitStopped(jobs.end(job, JobState.ACKNOWLEDGED));
            // An upload completed before it was uploaded: the server need not keep what it received.
            uploads.cancelSession(job.rec);
            JobFinisher.Outcome outcome = finisher.finish(job.rec);
            if (!outcome.failures().isEmpty()) {
                jobs.reinstate(job, before, outcome.failures().get(0));
                throw JobFinisher.failure(outcome.failures(), "the job is kept in " + before.displayName()
                        + ": fix the cause and complete it again");
            }
            return outcome.hresult();
        } finally {
            jobs.release(job);
        }
    }

    /**
     * An upload whose destination takes it at Complete (SMB: the temporary file renamed into place), before Acknowledged
     * is committed: a failure fails Complete and keeps the job as it is; bytes gone from the share put the job in
     * Error, to be uploaded again on Resume.
     */
    private void commitUpload(EngineJob job) {
        try {
            uploads.commit(job.rec);
        } catch (org.jbits.transport.TransferException e) {
            if (e.hresult() == HResult.ERROR_FILE_NOT_FOUND && !job.rec.files.isEmpty()) {
                uploads.lost(job.rec);
                jobs.refuseComplete(job, new JobFinisher.Problem(job.rec.files.get(0), e.hresult(), e.getMessage(),
                        true), e.context());
            }
            throw new BitsException(e.hresult(), e.getMessage() + "; the job is kept");
        }
    }

    private static void awaitStopped(Run run) {
        if (run != null && !run.awaitDone(STOP_WAIT_MILLIS)) {
            log.warn("job {}: the transfer did not stop within {} ms", run.job.rec.id, STOP_WAIT_MILLIS);
        }
    }
}
