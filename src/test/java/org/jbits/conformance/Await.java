package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jbits.BitsJob;
import org.jbits.JobProgress;
import org.jbits.JobState;

/**
 * Bounded polls: every {@value #POLL_MILLIS} ms until a condition holds or a timeout passes; a timeout fails with
 * what was waited for and what was last seen. Never a bare sleep standing in for an assertion.
 */
final class Await {
    static final long POLL_MILLIS = 50;
    /** States a job stays in by itself: waiting for another state while the job sits in one of these is hopeless. */
    private static final Set<JobState> RESTING = EnumSet.of(JobState.SUSPENDED, JobState.ERROR, JobState.TRANSFERRED,
            JobState.ACKNOWLEDGED, JobState.CANCELLED);

    private Await() {
    }

    /** Polls {@code probe} until {@code done} accepts its value; returns that value. */
    static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T seen = probe.get();
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - deadline >= 0) {
                return fail("timed out after " + timeout.toMillis() + " ms waiting for " + what + "; last seen: " + seen);
            }
            pause();
        }
    }

    /**
     * Waits until the job is in one of {@code targets}. Fails at once when the job rests in another state it would
     * not leave by itself (Error while waiting for Transferred), with the job's error.
     */
    static JobState state(BitsJob job, Duration timeout, JobState... targets) {
        Set<JobState> want = EnumSet.noneOf(JobState.class);
        want.addAll(Set.of(targets));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobState s = job.state();
            if (want.contains(s)) {
                return s;
            }
            if (RESTING.contains(s) || System.nanoTime() - deadline >= 0) {
                return fail((RESTING.contains(s) ? "the job stopped in " + s : "timed out after " + timeout.toMillis() + " ms")
                        + " while waiting for " + want + "; job: " + describe(job));
            }
            pause();
        }
    }

    /**
     * Waits until {@code condition} holds for a job that is still on its way; fails at once when the job comes to
     * rest first (Transferred before the moment the case wanted to catch, Error, ...).
     */
    static void whileActive(BitsJob job, String what, Duration timeout, Predicate<BitsJob> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(job)) {
            JobState s = job.state();
            if (RESTING.contains(s) && !condition.test(job)) {
                fail("the job stopped in " + s + " before " + what + "; job: " + describe(job));
            }
            if (System.nanoTime() - deadline >= 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + what + "; job: " + describe(job));
            }
            pause();
        }
    }

    /** The job's state, progress and error, for failure messages; never throws. */
    static String describe(BitsJob job) {
        StringBuilder b = new StringBuilder();
        try {
            b.append(job.state());
            JobProgress p = job.progress();
            b.append(", ").append(p.bytesTransferred()).append('/').append(p.bytesTotal()).append(" bytes, ")
                    .append(p.filesTransferred()).append('/').append(p.filesTotal()).append(" files");
            job.error().ifPresent(e -> b.append(", error ").append(e.errorName()).append(" in ").append(e.context())
                    .append(": ").append(e.description()));
        } catch (RuntimeException e) {
            b.append(" (").append(e.getMessage()).append(')');
        }
        return b.toString();
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
