package org.jbits.engine;

import java.time.Instant;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.bandwidth.BandwidthPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a bandwidth cap of 0 does: while the schedule of a background priority (or {@code bandwidth.all}, the cap
 * over all background transfers) says 0, its jobs wait in
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
        return PolicyHolds.heldBy(rec, HResult.BG_E_BLOCKED_BY_POLICY);
    }

    /** True when the policy allows jobs of {@code priority} no bandwidth now. */
    boolean closed(JobPriority priority) {
        return policy.closedBy(priority, clock.now()) != null;
    }

    /** Stops the job's transfer, if any, and has it wait; a job in another state is left alone. */
    void block(EngineJob job) {
        jobs.assertLocked();
        JobRecord rec = job.rec;
        if (!PolicyHolds.holdable(rec)) {
            return;
        }
        Instant now = clock.now();
        String key = policy.closedBy(rec.priority, now);
        boolean all = BandwidthPolicy.ALL.equals(key);
        Instant next = all ? policy.nextAllChange(now) : policy.nextChange(rec.priority, now);
        String description = (all ? "the bandwidth policy allows background jobs no bandwidth now ("
                + BandwidthPolicy.ALL + " = " + policy.all() + ")"
                : "the bandwidth policy allows " + rec.priority.displayName() + " jobs no bandwidth now ("
                + "bandwidth." + rec.priority + " = " + policy.schedule(rec.priority) + ")")
                + (next == null ? "" : "; it transfers again from " + next);
        log.info("job {}: blocked by the bandwidth policy: {}", rec.id, description);
        PolicyHolds.hold(jobs, job, HResult.BG_E_BLOCKED_BY_POLICY, description, now);
    }

    /** Sends a blocked job back to Queued when its window has ended; true if it did. */
    boolean releaseIfAllowed(EngineJob job) {
        jobs.assertLocked();
        Instant now = clock.now();
        PolicyHolds.noteWait(job, now);
        if (closed(job.rec.priority)) {
            return false;
        }
        log.info("job {}: the bandwidth policy allows {} jobs again", job.rec.id, job.rec.priority.displayName());
        PolicyHolds.release(jobs, job, now);
        return true;
    }
}
