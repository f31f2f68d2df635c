package org.jbits.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jbits.BitsJob;
import org.jbits.JobState;
import org.opentest4j.AssertionFailedError;

/** Bounded polling: every wait in the tests has a deadline and says what it was waiting for when it fails. */
public final class Await {
    /** How often conditions are re-checked. */
    public static final Duration POLL = Duration.ofMillis(50);

    private Await() {
    }

    /** Polls {@code condition} every 50 ms; fails with {@code what} after {@code timeout}. */
    public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionFailedError("timed out after " + timeout.toMillis() + " ms waiting for " + what.get());
            }
            sleep(POLL.toMillis());
        }
    }

    /** Polls {@code condition} every 50 ms; fails with {@code what} after {@code timeout}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        until(timeout, () -> what, condition);
    }

    /**
     * Waits until the job is in one of {@code states} and returns that state. A job that lands in Error while
     * something else is awaited fails at once, with its error.
     */
    public static JobState state(BitsJob job, Duration timeout, JobState... states) {
        List<JobState> wanted = Arrays.asList(states);
        JobState[] seen = new JobState[1];
        until(timeout, () -> describe(job) + " to reach " + wanted, () -> {
            seen[0] = job.state();
            if (seen[0] == JobState.ERROR && !wanted.contains(JobState.ERROR)) {
                throw new AssertionFailedError("job failed while waiting for " + wanted + ": " + describe(job));
            }
            return wanted.contains(seen[0]);
        });
        return seen[0];
    }

    /** Waits until the job has transferred more than {@code bytes} bytes. */
    public static void progressBeyond(BitsJob job, long bytes, Duration timeout) {
        until(timeout, () -> describe(job) + " to pass " + bytes + " bytes", () -> {
            if (job.state() == JobState.ERROR) {
                throw new AssertionFailedError("job failed before passing " + bytes + " bytes: " + describe(job));
            }
            return job.progress().bytesTransferred() > bytes;
        });
    }

    /** The job's state, progress and error, for failure messages. */
    public static String describe(BitsJob job) {
        try {
            return "job '" + job.displayName() + "' state=" + job.state() + " progress=" + job.progress()
                    + " errorCount=" + job.errorCount() + " error=" + job.error().orElse(null);
        } catch (RuntimeException e) {
            return "job " + job.id() + " (" + e + ")";
        }
    }

    /** A plain pause between polls; never an assertion by itself. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError("interrupted", e);
        }
    }
}
