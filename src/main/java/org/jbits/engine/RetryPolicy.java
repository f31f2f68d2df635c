package org.jbits.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * BITS' retry rule as a pure function, like {@link SchedulePolicy}: what a failed transfer does next, from the
 * error, the job's retry settings and the time. A transient error waits the minimum retry delay (or the server's
 * longer Retry-After) in TransientError and is retried; it becomes fatal once the job has made no progress for its
 * no-progress timeout (counted from the first transient error since progress), when that timeout is 0, or when the
 * retry delay is longer than the timeout. Any other error is fatal.
 */
final class RetryPolicy {
    /** What happens next. */
    sealed interface Outcome permits Retry, Fail {
    }

    /** TransientError until {@code delay} has passed; {@code noProgressSince} is what the job records. */
    record Retry(Duration delay, Instant noProgressSince) implements Outcome {
    }

    /** Error; {@code reason} says why the error is not retried (for the log). */
    record Fail(String reason) implements Outcome {
    }

    private RetryPolicy() {
    }

    /**
     * @param transientError whether the error is one BITS retries (a network failure, a 5xx)
     * @param retryAfter the server's Retry-After, or null
     * @param minimumRetryDelaySeconds the job's minimum retry delay
     * @param noProgressTimeoutSeconds the job's no-progress timeout
     * @param noProgressSince when the job's run of errors without progress began, or null (none yet)
     * @param now the wall-clock time of the failure
     */
    static Outcome decide(boolean transientError, Duration retryAfter, long minimumRetryDelaySeconds,
            long noProgressTimeoutSeconds, Instant noProgressSince, Instant now) {
        if (!transientError) {
            return new Fail("not a transient error");
        }
        if (noProgressTimeoutSeconds == 0) {
            return new Fail("the retry timeout is 0");
        }
        if (minimumRetryDelaySeconds > noProgressTimeoutSeconds) {
            return new Fail("the retry delay (" + minimumRetryDelaySeconds + " s) is longer than the retry timeout ("
                    + noProgressTimeoutSeconds + " s)");
        }
        Instant since = noProgressSince != null ? noProgressSince : now;
        if (expired(since, noProgressTimeoutSeconds, now)) {
            return new Fail("no progress for " + noProgressTimeoutSeconds + " s");
        }
        Duration delay = Duration.ofSeconds(minimumRetryDelaySeconds);
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter;
        }
        return new Retry(delay, since);
    }

    /** True when a job without progress since {@code since} has used up its no-progress timeout at {@code now}. */
    static boolean expired(Instant since, long noProgressTimeoutSeconds, Instant now) {
        return since != null && Duration.between(since, now).getSeconds() >= noProgressTimeoutSeconds;
    }
}
