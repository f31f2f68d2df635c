package org.jbits.engine;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jbits.BitsException;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.NotifyCmdLine;
import org.jbits.NotifyFlag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notify command line (IBackgroundCopyJob2::SetNotifyCmdLine, reference §1.4): when a job enters Transferred
 * or Error and its notify flags ask for that event (and not {@link NotifyFlag#DISABLE}), its program is run as the
 * engine's user, the job's owner, with the argument vector {@link NotifyCmdLine#argv} makes (never a shell), in the
 * owner's home directory, stdin from /dev/null, {@code JBITS_JOB_ID} and {@code JBITS_JOB_STATE} in its
 * environment. What it prints goes to the log, a line at a time (control characters escaped by the log's layout),
 * at most {@link #MAX_LOGGED_LINES} lines a run.
 *
 * <p>BITS' rule for a failure: a program that exits non-zero runs again after the job's minimum retry delay, for as
 * long as the job stays in that state (neither completed nor cancelled nor resumed). A program that cannot be run
 * (missing, not executable) is retried the same way, and the failure is recorded on the job in context
 * QueueManagerNotification when the job has no error of its own (a Transferred job; an Error job keeps its
 * transfer's error, and the failure is logged and counted). The pending run is in the store
 * ({@code notify_pending}), so an agent that restarts runs it again.
 */
final class NotifyCommands implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotifyCommands.class);
    static final int MAX_LOGGED_LINES = 200;
    private static final int MAX_LINE_CHARS = 1000;

    /** Starts a program; tests replace it. */
    interface Launcher {
        Process start(List<String> argv, Map<String, String> env) throws IOException;
    }

    /** The real one: ProcessBuilder in the home directory, output merged, no shell. */
    static final Launcher PROCESSES = (argv, env) -> {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .directory(Path.of(System.getProperty("user.home", "/")).toFile());
        pb.environment().putAll(env);
        return pb.start();
    };

    private final JobStateMachine jobs;
    private final EngineClock clock;
    private final Launcher launcher;
    private final ExecutorService threads;

    NotifyCommands(JobStateMachine jobs, EngineClock clock, Launcher launcher) {
        this.jobs = jobs;
        this.clock = clock;
        this.launcher = launcher;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jbits-notify-cmd-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The engine's checks of a command line beyond BitsLimits': an absolute program path without control
     * characters, and parameters whose first word is the program (BITS: "the first parameter must be the program").
     */
    static void check(NotifyCmdLine c) {
        String p = c.program();
        if (!p.startsWith("/")) {
            throw new BitsException(HResult.E_INVALIDARG, "the notify program must be a full path, not '" + p + "'");
        }
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) < 0x20 || p.charAt(i) == 0x7f) {
                throw new BitsException(HResult.E_INVALIDARG, "the notify program's path has a control character");
            }
        }
        if (c.parameters() != null && !c.parameters().isBlank()) {
            List<String> words = NotifyCmdLine.words(c.parameters());
            if (!words.get(0).equals(p)) {
                throw new BitsException(HResult.E_INVALIDARG, "the notify parameters must start with the program "
                        + p + " (BITS passes them whole; the first word names the program)");
            }
        }
    }

    /** Whether the job's flags and command line ask for a run on entering {@code state}. Lock held. */
    private static boolean wanted(JobRecord rec, JobState state) {
        if (rec.notifyProgram == null || (rec.notifyFlags & NotifyFlag.DISABLE.bit()) != 0) {
            return false;
        }
        return (state == JobState.TRANSFERRED && (rec.notifyFlags & NotifyFlag.JOB_TRANSFERRED.bit()) != 0)
                || (state == JobState.ERROR && (rec.notifyFlags & NotifyFlag.JOB_ERROR.bit()) != 0);
    }

    /**
     * The job is changing state (lock held, before the record is committed, so that a pending run is in the store
     * with the state): entering Transferred or Error arms a run; any other state drops a pending one.
     */
    void arm(EngineJob job, JobState state) {
        jobs.assertLocked();
        job.rec.notifyPending = wanted(job.rec, state);
        job.notifyAtNanos = clock.nanoTime();
    }

    /** After the state change is committed and logged: an armed run starts at once. Lock held. */
    void started(EngineJob job) {
        jobs.assertLocked();
        startIfDue(job, clock.nanoTime());
    }

    /** A job taken from the store with a run still owed: it is run at the next look. Lock held. */
    void loaded(EngineJob job) {
        jobs.assertLocked();
        if (job.rec.notifyPending && !wanted(job.rec, job.rec.state)) {
            job.rec.notifyPending = false;
        }
        // (the state machine tracks the job for the scheduler after this)
        job.notifyAtNanos = clock.nanoTime();
    }

    /** The scheduler's look: starts the runs that are due; returns when the next one is (Long.MAX_VALUE: none). Lock held. */
    long tick(EngineJob job, long now) {
        if (!job.rec.notifyPending || job.notifyRunning) {
            return Long.MAX_VALUE;
        }
        if (now - job.notifyAtNanos < 0) {
            return job.notifyAtNanos;
        }
        startIfDue(job, now);
        return Long.MAX_VALUE;
    }

    private void startIfDue(EngineJob job, long now) {
        JobRecord rec = job.rec;
        if (job.notifyRunning || !rec.notifyPending || now - job.notifyAtNanos < 0) {
            return;
        }
        if (!wanted(rec, rec.state)) {
            rec.notifyPending = false;
            jobs.track(job);
            return;
        }
        List<String> argv;
        try {
            argv = new NotifyCmdLine(rec.notifyProgram, rec.notifyParameters).argv(rec.id);
        } catch (BitsException e) {
            // Checked when set; a store edited by hand could still hold one that does not split.
            rec.notifyPending = false;
            jobs.track(job);
            log.warn("job {}: the notify command line cannot be run: {}", rec.id, e.detail());
            return;
        }
        job.notifyRunning = true;
        JobState state = rec.state;
        Map<String, String> env = Map.of("JBITS_JOB_ID", rec.id.toString(), "JBITS_JOB_STATE", state.displayName());
        log.info("job {}: {}: running the notify command line {}", rec.id, state.displayName(), argv);
        // The state change is committed after the engine lock is released (the store's group commit): the program
        // starts once it is, never for a state a crash could still take back.
        long upTo = jobs.store().queuedSoFar();
        try {
            threads.execute(() -> run(job, state, argv, env, upTo));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            job.notifyRunning = false;
        }
    }

    /** On a thread of its own: runs the program to its end, logging its output, then records the outcome. */
    private void run(EngineJob job, JobState state, List<String> argv, Map<String, String> env, long upTo) {
        jobs.store().awaitCommitted(upTo);
        boolean stillOwed = jobs.locked(() -> {
            JobRecord rec = job.rec;
            if (jobs.isClosed() || rec.state != state || !rec.notifyPending) {
                // Not committed (the state was put back), or the job moved on meanwhile.
                job.notifyRunning = false;
                return false;
            }
            return true;
        });
        if (!stillOwed) {
            return;
        }
        int exit;
        IOException failed = null;
        try {
            Process p = launcher.start(argv, env);
            logOutput(job, p);
            exit = p.waitFor();
        } catch (IOException e) {
            failed = e;
            exit = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jobs.locked(() -> job.notifyRunning = false);
            return;
        }
        int code = exit;
        IOException cause = failed;
        jobs.locked(() -> {
            job.notifyRunning = false;
            JobRecord rec = job.rec;
            if (jobs.isClosed()) {
                return null; // the pending run stays in the store for the next engine
            }
            if (rec.state != state || rec.state.isFinal() || !rec.notifyPending) {
                return null; // the job moved on: its next Transferred or Error arms a new run
            }
            long delay = rec.minimumRetryDelaySeconds;
            if (cause == null && code == 0) {
                rec.notifyPending = false;
                jobs.store().saveJob(rec);
                jobs.track(job);
                log.info("job {}: the notify program exited with 0", rec.id);
                return null;
            }
            job.notifyAtNanos = clock.nanoTime() + delay * 1_000_000_000L;
            if (cause != null) {
                notRunnable(job, argv.get(0), cause, delay);
            } else {
                log.info("job {}: the notify program exited with {}; it runs again in {} s (the retry delay)",
                        rec.id, code, delay);
            }
            jobs.wakeScheduler();
            return null;
        });
    }

    /** The program could not be started: recorded on the job (lock held), retried after {@code delay}. */
    private void notRunnable(EngineJob job, String program, IOException e, long delay) {
        JobRecord rec = job.rec;
        String why = String.valueOf(e.getMessage());
        int hr = why.contains("error=2,") ? HResult.ERROR_FILE_NOT_FOUND
                : why.contains("error=13,") ? HResult.E_ACCESSDENIED : HResult.E_FAIL;
        String reason = hr == HResult.ERROR_FILE_NOT_FOUND ? "it does not exist"
                : hr == HResult.E_ACCESSDENIED ? "it is not executable by " + rec.owner : why;
        String message = "the notify program " + program + " cannot be run: " + reason + "; tried again in " + delay + " s";
        log.warn("job {}: {}", rec.id, message);
        if (rec.hasError()) {
            rec.errorCount++;
        } else {
            jobs.recordError(job, hr, ErrorContext.QUEUE_MANAGER_NOTIFICATION, message, -1);
        }
        rec.modified = clock.now();
        jobs.store().saveJob(rec);
        jobs.fireModification(job);
    }

    private static void logOutput(EngineJob job, Process p) throws IOException {
        int lines = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            char[] buf = new char[MAX_LINE_CHARS];
            String line;
            while ((line = readLine(r, buf)) != null) {
                if (lines++ < MAX_LOGGED_LINES) {
                    log.info("job {}: notify program: {}", job.rec.id, line);
                } else if (lines == MAX_LOGGED_LINES + 1) {
                    log.info("job {}: notify program: (further output not logged)", job.rec.id);
                }
            }
        }
    }

    /** A line of at most {@link #MAX_LINE_CHARS}; a longer one comes in pieces. Null at the end. */
    private static String readLine(BufferedReader r, char[] buf) throws IOException {
        int n = 0;
        int c;
        while ((c = r.read()) >= 0) {
            if (c == '\n') {
                return new String(buf, 0, n);
            }
            buf[n++] = (char) c;
            if (n == buf.length) {
                return new String(buf, 0, n);
            }
        }
        return n == 0 ? null : new String(buf, 0, n);
    }

    @Override
    public void close() {
        threads.shutdown();
    }
}
