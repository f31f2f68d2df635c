package org.jbits.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jbits.AuthTarget;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.CostState;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.bandwidth.IdlePacer;
import org.jbits.bandwidth.Pacers;
import org.jbits.file.DurableFile;
import org.jbits.transport.Pacer;
import org.jbits.transport.TransferContext;
import org.jbits.transport.TlsOptions;
import org.jbits.transport.TransferException;
import org.jbits.transport.Transport;
import org.jbits.transport.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's turn on a thread of its own: the job's files one after another, in order, each through the transport
 * for its URI into its {@link DurableFile} (an upload job's one file through the {@link UploadRunner}); the outcome
 * goes to the {@link RunReports}.
 */
final class TransferWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransferWorker.class);

    private final JobStateMachine jobs;
    private final RunReports reports;
    private final Transports transports;
    private final TempFiles tempFiles;
    private final UploadRunner uploads;
    private final Supplier<CostState> cost;
    private final Runnable wakeScheduler;
    private final ExecutorService threads;
    private final HashCheck validator;
    private final Pacers pacers;
    private final OnDemandTransfer onDemand;

    TransferWorker(JobStateMachine jobs, RunReports reports, Transports transports, TempFiles tempFiles,
            UploadRunner uploads, Supplier<CostState> cost, Runnable wakeScheduler, Pacers pacers,
            EngineSettings settings) {
        this.onDemand = new OnDemandTransfer(jobs, settings);
        this.validator = new HashCheck(jobs.store());
        this.pacers = pacers;
        this.jobs = jobs;
        this.reports = reports;
        this.transports = transports;
        this.tempFiles = tempFiles;
        this.uploads = uploads;
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
        // The job's pacer: none for Foreground, the idle-bandwidth controller and the priority's cap otherwise.
        Pacer pacer = pacers.forPriority(job.rec.priority);
        TransferContext context = TransferContext.builder()
                .proxy(job.rec.proxy)
                .serverCredentials(JobCredentials.forTarget(job.rec, AuthTarget.SERVER))
                .proxyCredentials(JobCredentials.forTarget(job.rec, AuthTarget.PROXY))
                .headers(headers(job.rec.customHeaders))
                .tls(new TlsOptions(job.rec.securityFlags, job.rec.trustedCertificates, job.rec.clientCertificate,
                        job.rec.clientCertificatePassword))
                .cost(cost)
                .pacer(pacer)
                .build();
        if (pacer instanceof IdlePacer p) {
            context.onStop(p::stop);
        }
        Run run = new Run(job, now, context, wakeScheduler);
        job.run = run;
        job.lastStartNanos = now;
        jobs.setState(job, JobState.CONNECTING);
        threads.execute(() -> work(run));
    }

    /** The job's custom headers as the transport sends them; their values stay out of every log line. */
    static List<TransferContext.Header> headers(String customHeaders) {
        List<TransferContext.Header> out = new ArrayList<>();
        for (String line : BitsLimits.customHeaderLines(customHeaders)) {
            int colon = line.indexOf(':');
            out.add(new TransferContext.Header(line.substring(0, colon), line.substring(colon + 1).strip()));
        }
        return out;
    }

    /** A file whose force runs in the background while the next file transfers. */
    private record Finishing(FileRecord file, CompletableFuture<Void> done) {
    }

    /**
     * The job's files in order. A file's last bytes are written before the next file starts; its force (and the
     * record that it is complete) runs in the background while the next one transfers, and is waited for before
     * the one after that starts, before Transferred, and before the run ends: the forces overlap the transfers,
     * and a file is still reported transferred only once it is on disk. BITS' order of files stays what a job
     * shows: a file is complete only after every file before it.
     */
    private void work(Run run) {
        EngineJob job = run.job;
        Finishing finishing = null;
        try {
            if (job.rec.onDemand) {
                workOnDemand(run);
                return;
            }
            while (true) {
                FileRecord skip = finishing == null ? null : finishing.file();
                FileRecord f = jobs.locked(() -> run.isStopped() ? null : next(job.rec, skip));
                if (run.isStopped()) {
                    return;
                }
                if (f == null) {
                    if (finishing != null) {
                        awaitFinished(run, finishing);
                        finishing = null;
                        continue;
                    }
                    reports.transferred(run);
                    return;
                }
                CompletableFuture<Void> done;
                try {
                    done = transferFile(run, f);
                } catch (TransferException | RuntimeException e) {
                    if (finishing != null) {
                        // The file before comes first: its failure is the job's error, else this one is.
                        Finishing before = finishing;
                        finishing = null;
                        awaitFinished(run, before);
                    }
                    throw e;
                }
                if (finishing != null) {
                    awaitFinished(run, finishing);
                    finishing = null;
                }
                if (run.isStopped()) {
                    return;
                }
                if (done != null) {
                    finishing = new Finishing(f, done);
                    continue;
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
            if (finishing != null) {
                // A stopped or failed run still lets the file before reach the disk and its record.
                try {
                    finishing.done().join();
                    if (finishing.file().completed) {
                        reports.fileTransferred(run, finishing.file());
                    }
                } catch (RuntimeException e) {
                    log.debug("job {}: {} was not finished: {}", job.rec.id, finishing.file().remoteName, e.toString());
                }
            }
            run.markDone();
            reports.runEnded(run);
        }
    }

    /**
     * An on-demand job's turn: each file with requested bytes not yet there, until none is left; then Transferred
     * when every file is complete, else Suspended, as BITS leaves an on-demand job whose requests are met.
     */
    private void workOnDemand(Run run) throws TransferException {
        JobRecord rec = run.job.rec;
        while (true) {
            FileRecord f = jobs.locked(() -> run.isStopped() ? null : OnDemand.nextWithPending(rec));
            if (run.isStopped()) {
                return;
            }
            if (f == null) {
                if (jobs.locked(() -> rec.files.stream().allMatch(x -> x.completed))) {
                    reports.transferred(run);
                } else {
                    reports.requestsMet(run);
                }
                return;
            }
            TransferContext context = run.context.withServerCredentials(f.urlCredentials)
                    .withRedirectListener(to -> redirected(run, f, to));
            onDemand.transfer(run, f, transports.forUri(f.uri), context);
            if (f.completed) {
                reports.fileTransferred(run, f);
            }
        }
    }

    /** The first file not transferred, leaving out the one finishing in the background. Call with the lock held. */
    private static FileRecord next(JobRecord rec, FileRecord finishing) {
        for (FileRecord f : rec.files) {
            if (!f.completed && f != finishing) {
                return f;
            }
        }
        return null;
    }

    /** Waits for the file's background finish; its failure fails the run as the file's own would have. */
    private void awaitFinished(Run run, Finishing finishing) throws TransferException {
        try {
            finishing.done().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof TransferException t) {
                throw t;
            }
            throw e;
        }
        if (!finishing.file().completed) {
            throw TransferException.localFile("cannot record " + finishing.file().tempName + " as complete",
                    new java.io.IOException("its finish did not complete"));
        }
        reports.fileTransferred(run, finishing.file());
    }

    /** Transfers the file; returns its background finish (null when the file did not get to its end). */
    private CompletableFuture<Void> transferFile(Run run, FileRecord f) throws TransferException {
        if (f.uri == null) {
            throw TransferException.fatal(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, ErrorContext.GENERAL_QUEUE_MANAGER,
                    "no transport can read " + f.remoteName, null);
        }
        if (run.job.rec.type != JobType.DOWNLOAD) {
            uploads.transfer(run, f);
            return null;
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
        TransferContext context = run.context.withServerCredentials(f.urlCredentials)
                .withRedirectListener(to -> redirected(run, f, to));
        DurableFile target = tempFiles.open(run, f);
        if (f.expectedSha256 == null) {
            // A file with an expected hash is finished here, so that it is read back and checked before the next.
            target.inBackground();
        }
        try (target) {
            f.live = target;
            try {
                JobTarget t = new JobTarget(target, jobs.store(), rec, f, rec.dynamicContent, rec.maxDownloadSize, others);
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
            // failed write) are fetched again, so they are not reported as transferred. (A file finishing in the
            // background wrote all it received.)
            if (!f.completed && target.finishing() == null) {
                f.bytesTransferred = Math.min(f.bytesTransferred, f.checkpoint);
            }
        }
        if (f.completed && f.expectedSha256 != null && f.sha256 == null) {
            validator.check(run, f);
        }
        return target.finishing();
    }

    /** BITS' ALLOW_REPORT redirect policy: the file's remote name becomes where it came from. */
    private void redirected(Run run, FileRecord f, java.net.URI to) {
        jobs.locked(() -> {
            String was = f.remoteName;
            // A user:password@ in the new name is kept out of it, as at AddFile.
            f.remoteName = UrlCredentials.split(to.toString()).remoteName();
            f.uri = to;
            jobs.store().saveFile(run.job.rec.id, f);
            log.info("job {}: file {} was redirected; its remote name is now {}", run.job.rec.id, was, f.remoteName);
            return null;
        });
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
