package org.jbits.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jbits.BitsException;
import org.jbits.CostState;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.file.DurableFile;
import org.jbits.transport.TransferContext;
import org.jbits.transport.TransferException;
import org.jbits.transport.Transport;
import org.jbits.transport.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's turn on a thread of its own: the job's files one after another, in order, each through the transport
 * for its URI into its {@link DurableFile}; the outcome goes to the {@link RunReports}.
 */
final class TransferWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransferWorker.class);

    private final JobStateMachine jobs;
    private final RunReports reports;
    private final Transports transports;
    private final TempFiles tempFiles;
    private final Supplier<CostState> cost;
    private final Runnable wakeScheduler;
    private final ExecutorService threads;

    TransferWorker(JobStateMachine jobs, RunReports reports, Transports transports, TempFiles tempFiles,
            Supplier<CostState> cost, Runnable wakeScheduler) {
        this.jobs = jobs;
        this.reports = reports;
        this.transports = transports;
        this.tempFiles = tempFiles;
        this.cost = cost;
        this.wakeScheduler = wakeScheduler;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jbits-transfer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the job's turn: Connecting, and its files on a thread. Call with the engine lock held. */
    void start(EngineJob job, long now) {
        jobs.assertLocked();
        TransferContext context = TransferContext.builder()
                .proxy(job.rec.proxy)
                .cost(cost)
                .build();
        Run run = new Run(job, now, context, wakeScheduler);
        job.run = run;
        job.lastStartNanos = now;
        jobs.setState(job, JobState.CONNECTING);
        threads.execute(() -> work(run));
    }

    private void work(Run run) {
        EngineJob job = run.job;
        try {
            while (true) {
                FileRecord f = jobs.locked(() -> run.isStopped() ? null : job.rec.nextFile());
                if (run.isStopped()) {
                    return;
                }
                if (f == null) {
                    reports.transferred(run);
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
                reports.fileTransferred(run, f);
            }
        } catch (TransferException e) {
            reports.failed(run, e);
        } catch (BitsException e) {
            reports.failed(run, TransferException.fatal(e.hresult(), ErrorContext.GENERAL_QUEUE_MANAGER, e.detail(), e));
        } catch (RuntimeException e) {
            log.error("job {}: unexpected failure", job.rec.id, e);
            reports.failed(run, TransferException.fatal(HResult.E_FAIL, ErrorContext.UNKNOWN, String.valueOf(e), e));
        } catch (OutOfMemoryError e) {
            // Memory may come back (other transfers end): a transient error, retried after the retry delay.
            log.error("job {}: out of memory", job.rec.id, e);
            reports.failed(run, TransferException.transientError(HResult.E_OUTOFMEMORY, ErrorContext.GENERAL_QUEUE_MANAGER,
                    "the agent ran out of memory: " + e.getMessage(), e));
        } catch (Error e) {
            // A class that cannot load (a jar replaced under a running agent), a stack overflow: the job must not
            // stay in Connecting with no thread behind it.
            log.error("job {}: internal error", job.rec.id, e);
            reports.failed(run, TransferException.fatal(HResult.E_UNEXPECTED, ErrorContext.GENERAL_QUEUE_MANAGER,
                    "internal error: " + e, e));
        } finally {
            run.markDone();
            reports.runEnded(run);
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
        JobRecord rec = run.job.rec;
        long others = jobs.locked(() -> {
            long sum = 0;
            for (FileRecord o : rec.files) {
                if (o != f) {
                    sum += Math.max(0, o.completed ? o.bytesTotal : o.bytesNow());
                }
            }
            return sum;
        });
        try (DurableFile target = tempFiles.open(run, f)) {
            f.live = target;
            try {
                JobTarget t = new JobTarget(target, jobs.store(), rec, f, rec.dynamicContent, rec.maxDownloadSize, others);
                TransferContext context = run.context.withServerCredentials(f.urlCredentials);
                if (f.ranges != null) {
                    transport.downloadRanges(f.uri, f.ranges, t, context);
                } else {
                    transport.download(f.uri, t, context);
                }
            } finally {
                f.live = null;
                f.bytesTransferred = target.position();
            }
        } finally {
            // What the file holds is what it checkpointed: bytes received but never written (a full disk, a
            // failed write) are fetched again, so they are not reported as transferred.
            if (!f.completed) {
                f.bytesTransferred = Math.min(f.bytesTransferred, f.checkpoint);
            }
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
