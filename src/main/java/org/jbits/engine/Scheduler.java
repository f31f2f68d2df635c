package org.jbits.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jbits.CostState;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler thread: applies what running transfers noted, ends retry delays, no-progress timeouts and maximum
 * download times, and starts and preempts transfers as {@link SchedulePolicy} decides. It sleeps until something
 * changes ({@link #wake}) or a clock it watches runs out, and looks at least once a second.
 */
final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    /** The scheduler re-checks clocks at least this often (retry delays, timeouts). */
    private static final long MAX_WAIT_NANOS = 1_000_000_000L;

    private final JobStateMachine jobs;
    private final RunReports reports;
    private final TransferWorker worker;
    private final EngineClock clock;
    private final long sliceNanos;
    private final CostGate cost;
    private final BatteryGate battery;
    private final BandwidthGate bandwidth;
    private final long inactivitySeconds;
    private final java.util.function.Consumer<EngineJob> inactive;
    /** Jobs found inactive in the last look, cancelled by this thread outside the lock. Scheduler thread only. */
    private final List<EngineJob> expired = new ArrayList<>();
    /**
     * When every job was last looked at for the inactivity timeout (a matter of days): once a minute of the engine's
     * wall clock, so a Suspended, Error or Transferred job costs the scheduler's other looks nothing. Scheduler
     * thread only; null before the first.
     */
    private java.time.Instant lastInactivityScan;
    /** How often every job is looked at for the inactivity timeout. */
    private static final java.time.Duration INACTIVITY_SCAN = java.time.Duration.ofMinutes(1);
    /** Wake-ups: a permit per change, drained at each look. Taken without the engine lock. */
    private final Semaphore wakeups = new Semaphore(0);
    private final Thread thread;
    private volatile boolean stopping;

    /**
     * @param inactivitySeconds BITS' JobInactivityTimeout: a job without a change or progress for this long is
     *     handed to {@code inactive} (which cancels it), from this thread and outside the engine lock
     */
    Scheduler(JobStateMachine jobs, RunReports reports, TransferWorker worker, EngineClock clock, long sliceMillis,
            CostGate cost, BandwidthGate bandwidth, BatteryGate battery, long inactivitySeconds,
            java.util.function.Consumer<EngineJob> inactive) {
        this.jobs = jobs;
        this.reports = reports;
        this.worker = worker;
        this.clock = clock;
        this.sliceNanos = sliceMillis * 1_000_000L;
        this.cost = cost;
        this.bandwidth = bandwidth;
        this.battery = battery;
        this.inactivitySeconds = inactivitySeconds;
        this.inactive = inactive;
        this.thread = new Thread(this::loop, "jbits-scheduler");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks for a look now; cheap, and safe from any thread, the byte path included. */
    void wake() {
        wakeups.release();
    }

    private void loop() {
        try {
            while (!stopping) {
                long now = clock.nanoTime();
                long next = now + MAX_WAIT_NANOS;
                try {
                    next = Math.min(next, jobs.locked(() -> tick(now)));
                } catch (RuntimeException e) {
                    log.error("scheduler step failed", e);
                }
                for (EngineJob job : expired) {
                    try {
                        inactive.accept(job);
                    } catch (RuntimeException e) {
                        log.error("job {}: cancelling it for inactivity failed", job.rec.id, e);
                    }
                }
                expired.clear();
                long wait = Math.min(next - clock.nanoTime(), MAX_WAIT_NANOS);
                if (wait > 0 && wakeups.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                    wakeups.drainPermits();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One look, under the engine lock; returns when it wants to look again. */
    private long tick(long now) {
        long next = Long.MAX_VALUE;
        CostState costNow = cost.cost();
        List<SchedulePolicy.Candidate<EngineJob>> candidates = new ArrayList<>();
        java.time.Instant wallNow = clock.now();
        if (lastInactivityScan == null || wallNow.isBefore(lastInactivityScan)
                || !java.time.Duration.between(lastInactivityScan, wallNow).minus(INACTIVITY_SCAN).isNegative()) {
            lastInactivityScan = wallNow;
            for (EngineJob job : jobs.everyJob()) {
                if (job.run != null) {
                    // What the run noted is activity: applied before the job is judged.
                    reports.applyEvents(job.run);
                }
                if (isInactive(job, wallNow)) {
                    expired.add(job);
                }
            }
        }
        for (EngineJob job : jobs.all()) {
            JobRecord rec = job.rec;
            if (job.run != null) {
                reports.applyEvents(job.run);
            }
            if (expired.contains(job)) {
                continue;
            }
            NotifyCommands notify = jobs.notifyCommands();
            if (notify != null) {
                next = Math.min(next, notify.tick(job, now));
            }
            if (CostGate.isBlocked(rec)) {
                // Waits for the network, not for a retry: no retry delay, no no-progress timeout.
                cost.releaseIfAllowed(job, costNow);
            } else if (BandwidthGate.isBlocked(rec)) {
                // Waits for its bandwidth window; the scheduler looks at least once a second.
                bandwidth.releaseIfAllowed(job);
            } else if (BatteryGate.isBlocked(rec)) {
                // Waits for mains power; a power change wakes the scheduler.
                battery.releaseIfAllowed(job);
            } else if (rec.state == JobState.TRANSIENT_ERROR) {
                if (RetryPolicy.expired(rec.noProgressSince, rec.noProgressTimeoutSeconds, clock.now())) {
                    log.info("job {}: no progress for {} s", rec.id, rec.noProgressTimeoutSeconds);
                    jobs.setState(job, JobState.ERROR);
                } else if (now - job.retryAtNanos >= 0) {
                    jobs.setState(job, JobState.QUEUED);
                } else {
                    next = Math.min(next, job.retryAtNanos);
                }
            }
            Run run = job.run;
            if (run != null && !run.isStopped() && rec.maximumDownloadTimeSeconds > 0
                    && rec.activeMillis + (now - run.startNanos) / 1_000_000 >= rec.maximumDownloadTimeSeconds * 1000) {
                run.stop();
                jobs.recordError(job, HResult.BG_E_MAXDOWNLOAD_TIMEOUT, ErrorContext.GENERAL_QUEUE_MANAGER,
                        "the job transferred for longer than its maximum download time of "
                                + rec.maximumDownloadTimeSeconds + " s", -1);
                jobs.setState(job, JobState.ERROR);
            }
            boolean running = job.run != null && !job.run.isStopped();
            boolean runnable = rec.state == JobState.QUEUED && job.run == null && !job.held;
            if ((running || runnable) && battery.closed(rec.priority)) {
                battery.block(job);
                continue;
            }
            if ((running || runnable) && bandwidth.closed(rec.priority)) {
                bandwidth.block(job);
                continue;
            }
            if (running || runnable) {
                candidates.add(new SchedulePolicy.Candidate<>(job, rec.priority, running, runnable, job.lastStartNanos,
                        cost.flags(rec)));
            }
        }
        SchedulePolicy.Decision<EngineJob> d = SchedulePolicy.decide(candidates, now, sliceNanos, costNow);
        for (EngineJob job : d.preempt()) {
            log.info("job {}: preempted", job.rec.id);
            job.run.stop();
            jobs.setState(job, JobState.QUEUED);
        }
        for (EngineJob job : d.blocked()) {
            cost.block(job, costNow);
        }
        for (EngineJob job : d.start()) {
            worker.start(job, now);
        }
        return Math.min(next, d.nextDecisionNanos());
    }

    /** Neither changed nor progressing for the inactivity timeout, and not being completed or transferring now. */
    private boolean isInactive(EngineJob job, java.time.Instant now) {
        if (job.held || (job.run != null && !job.run.isStopped())) {
            return false;
        }
        java.time.Instant last = job.rec.modified;
        if (job.lastProgressAt != null && job.lastProgressAt.isAfter(last)) {
            last = job.lastProgressAt;
        }
        return java.time.Duration.between(last, now).getSeconds() >= inactivitySeconds;
    }

    @Override
    public void close() {
        stopping = true;
        wake();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
