package org.jbits.engine;

import java.time.Instant;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.NotifyFlag;
import org.jbits.transport.TransferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a job's run reports to the {@link JobStateMachine}: what its byte path noted (the server answered, bytes
 * arrived), each file transferred, and how the run ended (all files transferred, or a failure that
 * {@link RetryPolicy} turns into TransientError or Error). A report from a run that was stopped or replaced
 * meanwhile changes nothing.
 */
final class RunReports {
    private static final Logger log = LoggerFactory.getLogger(RunReports.class);

    private final JobStateMachine jobs;

    RunReports(JobStateMachine jobs) {
        this.jobs = jobs;
    }

    /** Applies what the run's byte path noted since the last look. Call with the lock held. */
    void applyEvents(Run run) {
        jobs.assertLocked();
        if (run.takeConnected()) {
            connected(run);
        }
        if (run.takeProgress()) {
            progressed(run);
        }
    }

    /** The run's server answered: Connecting becomes Transferring. Call with the lock held. */
    private void connected(Run run) {
        jobs.assertLocked();
        if (run.job.run == run && !run.isStopped() && run.job.rec.state == JobState.CONNECTING) {
            jobs.setState(run.job, JobState.TRANSFERRING);
        }
    }

    /** The run moved bytes: a run of errors without progress is over. Call with the lock held. */
    private void progressed(Run run) {
        jobs.assertLocked();
        JobRecord rec = run.job.rec;
        if (run.job.run == run && !run.isStopped()) {
            // Activity for the inactivity timeout; a stopped run's late events are not (applied, they would be
            // dated when applied, which may be long after the run stopped).
            run.job.lastProgressAt = jobs.clock().now();
        }
        // Not for a stopped run: what stopped it (a cost block, the maximum download time) recorded an error that
        // its late progress must not clear (a blocked job cleared so looked like a retry due and went to Queued).
        if (run.job.run == run && !run.isStopped() && (rec.noProgressSince != null || rec.hasError())) {
            rec.noProgressSince = null;
            rec.clearError();
            jobs.store().saveJob(rec);
        }
        jobs.fireModification(run.job);
    }

    void fileTransferred(Run run, FileRecord f) {
        jobs.locked(() -> {
            EngineJob job = run.job;
            log.info("job {}: file {} transferred ({} bytes)", job.rec.id, f.remoteName, f.bytesTransferred);
            var snapshot = f.snapshot();
            jobs.fire(job.rec.notifyFlags, NotifyFlag.FILE_TRANSFERRED, l -> l.fileTransferred(job, snapshot));
            return null;
        });
    }

    void transferred(Run run) {
        jobs.locked(() -> {
            applyEvents(run);
            if (run.job.run == run && !run.isStopped()) {
                run.job.rec.noProgressSince = null;
                run.job.rec.clearError();
                jobs.setState(run.job, JobState.TRANSFERRED);
            }
            return null;
        });
    }

    /** An on-demand run has every requested byte, but not the whole job: Suspended until resumed (BITS). */
    void requestsMet(Run run) {
        jobs.locked(() -> {
            applyEvents(run);
            if (run.job.run == run && !run.isStopped()) {
                run.job.rec.noProgressSince = null;
                run.job.rec.clearError();
                jobs.setState(run.job, JobState.SUSPENDED);
            }
            return null;
        });
    }

    /** A run failed: the error is recorded and {@link RetryPolicy} decides between TransientError and Error. */
    void failed(Run run, TransferException e) {
        jobs.locked(() -> {
            EngineJob job = run.job;
            JobRecord rec = job.rec;
            applyEvents(run);
            if (job.run != run || run.isStopped()) {
                return null;
            }
            FileRecord f = rec.nextFile();
            jobs.recordError(job, e.hresult(), e.context(), e.getMessage(), f == null ? -1 : f.index);
            log.info("job {}: {} {} ({}): {}", rec.id, e.isTransient() ? "transient error" : "error",
                    HResult.name(e.hresult()), e.context().displayName(), e.getMessage());
            Instant now = jobs.clock().now();
            RetryPolicy.Outcome next = RetryPolicy.decide(e.isTransient(), e.retryAfter(),
                    rec.minimumRetryDelaySeconds, rec.noProgressTimeoutSeconds, rec.noProgressSince, now);
            if (next instanceof RetryPolicy.Retry retry) {
                rec.noProgressSince = retry.noProgressSince();
                job.retryAtNanos = jobs.clock().nanoTime() + retry.delay().toNanos();
                log.info("job {}: retrying in {} s", rec.id, retry.delay().toSeconds());
                jobs.setState(job, JobState.TRANSIENT_ERROR);
            } else {
                if (e.isTransient()) {
                    log.info("job {}: not retried: {}", rec.id, ((RetryPolicy.Fail) next).reason());
                }
                jobs.setState(job, JobState.ERROR);
            }
            return null;
        });
    }

    /** The run's thread is done with the job's files. */
    void runEnded(Run run) {
        jobs.locked(() -> {
            run.job.rec.activeMillis += (jobs.clock().nanoTime() - run.startNanos) / 1_000_000;
            if (run.job.run == run) {
                run.job.run = null;
                jobs.track(run.job);
            }
            jobs.wakeScheduler();
            return null;
        });
    }
}
