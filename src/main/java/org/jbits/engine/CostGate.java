package org.jbits.engine;

import java.time.Instant;
import java.util.function.Supplier;
import org.jbits.CostState;
import org.jbits.HResult;
import org.jbits.NetworkStatus;
import org.jbits.TransferPolicy;
import org.jbits.network.CostPolicyDefaults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the network's cost does to jobs (reference §5.2). A job whose cost flags exclude the current cost state
 * waits in TransientError with BG_E_BLOCKED_BY_COST_TRANSFER_POLICY in GeneralQueueManager (the queue manager, not
 * a transfer, refused it); a running transfer is stopped first and keeps what it received, as a preempted one does.
 * The block is a condition, not a failure: it is not retried after the retry delay but lifted by the scheduler at
 * its first look after the cost becomes acceptable (a cost change wakes it), the error is then cleared, and the
 * time spent blocked does not count against the no-progress timeout (BITS is silent here; a job told to wait for a
 * cheaper network must not fail for having waited, as a Suspended job never does).
 *
 * <p>A job never given a policy follows its priority's default ({@link CostPolicyDefaults}); its record holds
 * {@link #BY_PRIORITY} meanwhile. Call every method with the engine lock held.
 */
final class CostGate {
    private static final Logger log = LoggerFactory.getLogger(CostGate.class);
    /**
     * A job's cost flags while it follows its priority's default: {@code BITS_COST_STATE_RESERVED}, a bit no job may
     * be given ({@link org.jbits.BitsLimits#checkCostFlags}), so it cannot be mistaken for a policy.
     */
    static final int BY_PRIORITY = 0x40000000;

    private final JobStateMachine jobs;
    private final Supplier<NetworkStatus> network;
    private final CostPolicyDefaults defaults;
    private final EngineClock clock;

    CostGate(JobStateMachine jobs, Supplier<NetworkStatus> network, CostPolicyDefaults defaults, EngineClock clock) {
        this.jobs = jobs;
        this.network = network;
        this.defaults = defaults;
        this.clock = clock;
    }

    /** The network's cost now. */
    CostState cost() {
        return network.get().cost();
    }

    /** The job's cost flags: its own, else its priority's default. */
    int flags(JobRecord rec) {
        return rec.costFlags == BY_PRIORITY ? defaults.flagsFor(rec.priority) : rec.costFlags;
    }

    /** True for a job waiting for the network's cost to allow it. */
    static boolean isBlocked(JobRecord rec) {
        return PolicyHolds.heldBy(rec, HResult.BG_E_BLOCKED_BY_COST_TRANSFER_POLICY);
    }

    /**
     * Stops the job's transfer, if any, and has it wait in TransientError. A job already in another state (its
     * failed run still winding down: TransientError or Error) is left alone; a retry brings it back through Queued.
     */
    void block(EngineJob job, CostState cost) {
        jobs.assertLocked();
        JobRecord rec = job.rec;
        if (!PolicyHolds.holdable(rec)) {
            return;
        }
        NetworkStatus n = network.get();
        int flags = flags(rec);
        TransferPolicy named = TransferPolicy.ofFlags(flags);
        String policy = named != null ? named.displayName() : "custom " + HResult.hex(flags);
        String description = "the job's transfer policy (" + policy
                + (rec.costFlags == BY_PRIORITY ? ", the default for " + rec.priority.displayName() + " priority" : "")
                + ") excludes the network's cost state " + cost.displayName() + " (" + cost.bitsName() + ", from "
                + n.source().displayName() + "); it transfers again when the network allows it";
        log.info("job {}: blocked by cost: {}", rec.id, description);
        PolicyHolds.hold(jobs, job, HResult.BG_E_BLOCKED_BY_COST_TRANSFER_POLICY, description, clock.now());
    }

    /** Sends a blocked job back to Queued when the cost allows it now; true if it did. */
    boolean releaseIfAllowed(EngineJob job, CostState cost) {
        jobs.assertLocked();
        Instant now = clock.now();
        PolicyHolds.noteWait(job, now);
        if (!cost.allowedBy(flags(job.rec))) {
            return false;
        }
        log.info("job {}: the network's cost state {} allows it again", job.rec.id, cost.displayName());
        PolicyHolds.release(jobs, job, now);
        return true;
    }
}
