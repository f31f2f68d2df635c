package org.jbits.engine;

import java.util.function.Supplier;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.power.PowerStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What running on battery does (beyond BITS, which pauses background transfers in battery saver): while the
 * machine is on battery and {@code power.pauseOnBattery} is on (the default), jobs of High, Normal and Low priority
 * wait in TransientError with BG_E_BLOCKED_BY_BATTERY_POLICY in GeneralQueueManager and go back to Queued at the
 * scheduler's first look after mains power returns ({@link PolicyHolds}: no retry delay, no no-progress timeout).
 * Foreground jobs are never held: the user is waiting for them. Call with the engine lock held.
 */
final class BatteryGate {
    private static final Logger log = LoggerFactory.getLogger(BatteryGate.class);

    private final JobStateMachine jobs;
    private final Supplier<PowerStatus> power;
    private final boolean pauseOnBattery;
    private final EngineClock clock;

    BatteryGate(JobStateMachine jobs, Supplier<PowerStatus> power, boolean pauseOnBattery, EngineClock clock) {
        this.jobs = jobs;
        this.power = power;
        this.pauseOnBattery = pauseOnBattery;
        this.clock = clock;
    }

    /** True for a job waiting for mains power. */
    static boolean isBlocked(JobRecord rec) {
        return PolicyHolds.heldBy(rec, HResult.BG_E_BLOCKED_BY_BATTERY_POLICY);
    }

    /** True when jobs of {@code priority} may not transfer now. */
    boolean closed(JobPriority priority) {
        return pauseOnBattery && priority != JobPriority.FOREGROUND && power.get().onBattery();
    }

    /** Stops the job's transfer, if any, and has it wait for mains power; a job in another state is left alone. */
    void block(EngineJob job) {
        jobs.assertLocked();
        if (!PolicyHolds.holdable(job.rec)) {
            return;
        }
        String description = "the machine is on battery (" + power.get().detail() + ") and background jobs wait for "
                + "mains power (power.pauseOnBattery); it transfers again when the machine is plugged in";
        log.info("job {}: blocked on battery", job.rec.id);
        PolicyHolds.hold(jobs, job, HResult.BG_E_BLOCKED_BY_BATTERY_POLICY, description, clock.now());
    }

    /** Sends a blocked job back to Queued once on mains power; true if it did. */
    boolean releaseIfAllowed(EngineJob job) {
        jobs.assertLocked();
        PolicyHolds.noteWait(job, clock.now());
        if (closed(job.rec.priority)) {
            return false;
        }
        log.info("job {}: on mains power again", job.rec.id);
        PolicyHolds.release(jobs, job, clock.now());
        return true;
    }
}
