package org.jbits.engine;

import java.time.Duration;
import java.time.Instant;
import org.jbits.ErrorContext;
import org.jbits.JobState;

/**
 * What the gates ({@link CostGate}, {@link BandwidthGate}, {@link BatteryGate}) do alike: a job held by a policy
 * stops its transfer, keeping its bytes, as a preempted one does, and waits in TransientError with the policy's code
 * in GeneralQueueManager; released, it goes back to Queued with its error cleared, and the time it was held does not
 * count against its no-progress timeout (a job told to wait must not fail for having waited, as a Suspended one
 * never does). Call with the engine lock held.
 */
final class PolicyHolds {
    private PolicyHolds() {
    }

    /** True for a job a policy can hold now: queued or transferring (a failing run winding down is left alone). */
    static boolean holdable(JobRecord rec) {
        return rec.state == JobState.QUEUED || rec.state == JobState.CONNECTING || rec.state == JobState.TRANSFERRING;
    }

    /** True for a job a policy holds with {@code hresult}. */
    static boolean heldBy(JobRecord rec, int hresult) {
        return rec.state == JobState.TRANSIENT_ERROR && rec.errorHresult == hresult;
    }

    /** Stops the job's transfer, if any, and has it wait with {@code hresult} and {@code description}. */
    static void hold(JobStateMachine jobs, EngineJob job, int hresult, String description, Instant now) {
        jobs.assertLocked();
        if (job.run != null) {
            job.run.stop();
        }
        jobs.recordError(job, hresult, ErrorContext.GENERAL_QUEUE_MANAGER, description, -1);
        job.blockedSince = now;
        jobs.setState(job, JobState.TRANSIENT_ERROR);
    }

    /** A held job's wait counts from {@code now} when it began before this engine started. */
    static void noteWait(EngineJob job, Instant now) {
        if (job.blockedSince == null) {
            job.blockedSince = now;
        }
    }

    /** Sends a held job back to Queued, its error cleared and its no-progress clock moved past the wait. */
    static void release(JobStateMachine jobs, EngineJob job, Instant now) {
        jobs.assertLocked();
        JobRecord rec = job.rec;
        noteWait(job, now);
        if (rec.noProgressSince != null) {
            rec.noProgressSince = rec.noProgressSince.plus(Duration.between(job.blockedSince, now));
        }
        job.blockedSince = null;
        rec.clearError();
        jobs.setState(job, JobState.QUEUED);
    }
}
