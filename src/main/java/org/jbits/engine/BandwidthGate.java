package org.jbits.engine;

import java.time.Duration;
import java.time.Instant;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.bandwidth.BandwidthPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a bandwidth cap of 0 does: while the schedule of a background priority says 0, its jobs wait in
 * TransientError with BG_E_BLOCKED_BY_POLICY in GeneralQueueManager (a running transfer stops first, keeping its
 * bytes, as a preempted one does), and go back to Queued at the scheduler's first look after the window ends. As
 * with {@link CostGate}, the wait is a condition, not a failure: no retry delay, and it does not count against the
 * no-progress timeout. A cap above 0 is the pacer's business, not the scheduler's. Call with the engine lock held.
 */
final class BandwidthGate {
    private static final Logger log = LoggerFactory.getLogger(BandwidthGate.class);

    private final JobStateMachine jobs;
    private final BandwidthPolicy policy;
    private final EngineClock clock;

    BandwidthGate(JobStateMachine jobs, BandwidthPolicy policy, EngineClock clock) {
        this.jobs = jobs;
        this.policy = policy;
        this.clock = clock;
    }

    /** True for a job waiting for its priority's bandwidth window. */
    static boolean isBlocked(JobRecord rec) {
        return rec.state == JobState.TRANSIENT_ERROR && rec.errorHresult == HResult.BG_E_BLOCKED_BY_POLICY;
    }

    /** True when the policy allows jobs of {@code priority} no bandwidth now. */
    boolean closed(JobPriority priority) {
        return priority != JobPriority.FOREGROUND && policy.capAt(priority, clock.now()) == 0;
    }

    /** Stops the job's transfer, if any, and has it wait; a job in another state is left alone. */
    void block(EngineJob job) {
        jobs.assertLocked();
        JobRecord rec = job.rec;
        if (rec.state != JobState.QUEUED && rec.state != JobState.CONNECTING && rec.state != JobState.TRANSFERRING) {
            return;
        }
        if (job.run != null) {
            job.run.stop();
        }
        Instant next = policy.nextChange(rec.priority, clock.now());
        String description = "the bandwidth policy allows " + rec.priority.displayName() + " jobs no bandwidth now ("
                + "bandwidth." + rec.priority + " = " + policy.schedule(rec.priority) + ")"
                + (next == null ? "" : "; it transfers again from " + next);
        jobs.recordError(job, HResult.BG_E_BLOCKED_BY_POLICY, ErrorContext.GENERAL_QUEUE_MANAGER, description, -1);
        job.blockedSince = clock.now();
        log.info("job {}: blocked by the bandwidth policy: {}", rec.id, description);
        jobs.setState(job, JobState.TRANSIENT_ERROR);
    }

    /** Sends a blocked job back to Queued when its window has ended; true if it did. */
    boolean releaseIfAllowed(EngineJob job) {
        jobs.assertLocked();
        JobRecord rec = job.rec;
        Instant now = clock.now();
        if (job.blockedSince == null) {
            job.blockedSince = now;
        }
        if (closed(rec.priority)) {
            return false;
        }
        if (rec.noProgressSince != null) {
            rec.noProgressSince = rec.noProgressSince.plus(Duration.between(job.blockedSince, now));
        }
        job.blockedSince = null;
        rec.clearError();
        log.info("job {}: the bandwidth policy allows {} jobs again", rec.id, rec.priority.displayName());
        jobs.setState(job, JobState.QUEUED);
        return true;
    }
}
