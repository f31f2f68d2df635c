package org.jbits.testing;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jbits.BitsJob;
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.opentest4j.AssertionFailedError;

/**
 * Bounded polling: every wait in the tests has a deadline and says what it was waiting for, and what it last saw,
 * when it fails. It sees only the public API ({@link BitsJob}), so the engine's tests and the conformance suite,
 * which must run against every backend, share it.
 */
public final class Await {
    /** How often conditions are re-checked. */
    public static final Duration POLL = Duration.ofMillis(50);
    /** States a job stays in by itself: waiting for another state while the job sits in one of these is hopeless. */
    private static final Set<JobState> RESTING = EnumSet.of(JobState.SUSPENDED, JobState.ERROR, JobState.TRANSFERRED,
            JobState.ACKNOWLEDGED, JobState.CANCELLED);

    private Await() {
    }

    /** Polls {@code probe} until {@code done} accepts its value and returns that value; fails after {@code timeout}. */
    public static <T> T until(Duration timeout, String what, Supplier<T> probe, Predicate<T> done) {
        return poll(timeout, probe, done, seen -> what + "; last seen: " + seen);
    }

    /** Polls {@code condition}; fails after {@code timeout} with {@code what}, computed then (so it can show the state). */
    public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        poll(timeout, condition::getAsBoolean, done -> done, notDone -> what.get());
    }

    /** Polls {@code condition}; fails with {@code what} after {@code timeout}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        until(timeout, () -> what, condition);
    }

    /**
     * Waits until the job is in one of {@code states} and returns that state. Fails at once when the job rests in
     * another state it would not leave by itself (Error while waiting for Transferred), with the job's error.
     */
    public static JobState state(BitsJob job, Duration timeout, JobState... states) {
        Set<JobState> wanted = EnumSet.noneOf(JobState.class);
        wanted.addAll(List.of(states));
        return poll(timeout, () -> {
            JobState s = job.state();
            if (!wanted.contains(s) && RESTING.contains(s)) {
                throw new AssertionFailedError("the job stopped in " + s + " while waiting for " + wanted + ": "
                        + describe(job));
            }
            return s;
        }, wanted::contains, s -> wanted + ": " + describe(job));
    }

    /**
     * Waits until {@code condition} holds for a job that is still on its way; fails at once when the job comes to
     * rest first (Transferred before the moment the test wanted to catch, Error, ...).
     */
    public static void whileActive(BitsJob job, String what, Duration timeout, Predicate<BitsJob> condition) {
        until(timeout, () -> what + ": " + describe(job), () -> {
            if (condition.test(job)) {
                return true;
            }
            JobState s = job.state();
            if (RESTING.contains(s) && !condition.test(job)) {
                throw new AssertionFailedError("the job stopped in " + s + " before " + what + ": " + describe(job));
            }
            return false;
        });
    }

    /** Waits until the job has transferred more than {@code bytes} bytes; fails at once if it comes to rest first. */
    public static void progressBeyond(BitsJob job, long bytes, Duration timeout) {
        whileActive(job, "more than " + bytes + " bytes transferred", timeout,
                j -> j.progress().bytesTransferred() > bytes);
    }

    /**
     * The job's name, state, progress, error count and error, for failure messages. Never throws: each part a
     * backend cannot give (a BITS that stubs GetErrorCount) is shown as its failure instead.
     */
    public static String describe(BitsJob job) {
        StringBuilder b = new StringBuilder("job ").append(job.id());
        part(b, " '", () -> job.displayName() + "'");
        part(b, " ", () -> job.state().toString());
        part(b, ", ", () -> {
            JobProgress p = job.progress();
            return p.bytesTransferred() + "/" + p.bytesTotal() + " bytes, " + p.filesTransferred() + "/"
                    + p.filesTotal() + " files";
        });
        part(b, ", error count ", () -> Integer.toString(job.errorCount()));
        part(b, "", () -> job.error().map(e -> ", error " + e.errorName() + " in " + e.context() + ": "
                + e.description()).orElse(""));
        return b.toString();
    }

    /** The one polling loop: {@code probe} every {@link #POLL} until {@code done}; then {@code failure} of the last value. */
    private static <T> T poll(Duration timeout, Supplier<T> probe, Predicate<T> done, Function<T, String> failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T seen = probe.get();
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionFailedError("timed out after " + timeout.toMillis() + " ms waiting for "
                        + failure.apply(seen));
            }
            sleep(POLL.toMillis());
        }
    }

    private static void part(StringBuilder b, String prefix, Supplier<String> value) {
        String text;
        try {
            text = value.get();
        } catch (RuntimeException e) {
            text = "(" + e.getMessage() + ")";
        }
        b.append(prefix).append(text);
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
