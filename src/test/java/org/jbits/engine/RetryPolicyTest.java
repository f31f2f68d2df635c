package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.jbits.engine.RetryPolicy.Fail;
import org.jbits.engine.RetryPolicy.Retry;
import org.junit.jupiter.api.Test;

/** The retry decision alone: no engine, no sockets, no clock but the instants given. */
class RetryPolicyTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aTransientErrorWaitsTheMinimumRetryDelayAndStartsTheNoProgressClock() {
        Retry r = assertInstanceOf(Retry.class, RetryPolicy.decide(true, null, 600, 1_209_600, null, T0));
        assertEquals(Duration.ofSeconds(600), r.delay());
        assertEquals(T0, r.noProgressSince(), "the first transient error starts the clock");
    }

    @Test
    void laterErrorsKeepTheClockOfTheFirstOne() {
        Instant later = T0.plusSeconds(100);
        Retry r = assertInstanceOf(Retry.class, RetryPolicy.decide(true, null, 5, 300, T0, later));
        assertEquals(T0, r.noProgressSince());
    }

    @Test
    void aLongerRetryAfterWinsAShorterOneDoesNot() {
        Retry longer = assertInstanceOf(Retry.class,
                RetryPolicy.decide(true, Duration.ofSeconds(900), 600, 1_209_600, null, T0));
        assertEquals(Duration.ofSeconds(900), longer.delay());
        Retry shorter = assertInstanceOf(Retry.class,
                RetryPolicy.decide(true, Duration.ofSeconds(30), 600, 1_209_600, null, T0));
        assertEquals(Duration.ofSeconds(600), shorter.delay());
    }

    @Test
    void aFatalErrorIsNeverRetried() {
        assertInstanceOf(Fail.class, RetryPolicy.decide(false, null, 5, 1_209_600, null, T0));
    }

    @Test
    void aRetryTimeoutOfZeroMakesEveryErrorFatal() {
        assertInstanceOf(Fail.class, RetryPolicy.decide(true, null, 5, 0, null, T0));
    }

    @Test
    void aRetryDelayLongerThanTheTimeoutMeansNoRetry() {
        Fail f = assertInstanceOf(Fail.class, RetryPolicy.decide(true, null, 601, 600, null, T0));
        assertTrue(f.reason().contains("longer than the retry timeout"), f.reason());
        assertInstanceOf(Retry.class, RetryPolicy.decide(true, null, 600, 600, null, T0), "equal is still a retry");
    }

    @Test
    void anErrorAfterTheNoProgressTimeoutIsFatal() {
        assertInstanceOf(Retry.class, RetryPolicy.decide(true, null, 5, 60, T0, T0.plusSeconds(59)));
        Fail f = assertInstanceOf(Fail.class, RetryPolicy.decide(true, null, 5, 60, T0, T0.plusSeconds(60)));
        assertTrue(f.reason().contains("no progress for 60 s"), f.reason());
    }

    @Test
    void theTimeoutExpiresAtItsFullLengthNotBefore() {
        assertFalse(RetryPolicy.expired(T0, 60, T0.plusMillis(59_999)));
        assertTrue(RetryPolicy.expired(T0, 60, T0.plusSeconds(60)));
        assertFalse(RetryPolicy.expired(null, 60, T0.plusSeconds(6_000)), "no run of errors, nothing to expire");
    }
}
