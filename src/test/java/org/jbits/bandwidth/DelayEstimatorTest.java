package org.jbits.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** LEDBAT's filters: the base is the minimum of the history's buckets, the current the minimum of the last two. */
class DelayEstimatorTest {
    private final AtomicLong clock = new AtomicLong();

    @Test
    void queuingDelayIsTheFilteredSampleAboveTheBase() {
        DelayEstimator e = new DelayEstimator(2, 3, 60_000_000_000L, clock::get);
        assertEquals(0, e.add(20_000_000L));
        assertEquals(0, e.add(30_000_000L), "the minimum of the last two is still the base");
        assertEquals(10_000_000L, e.add(35_000_000L));
        assertEquals(20_000_000L, e.baseDelay());
        assertEquals(0, e.add(18_000_000L), "a new minimum lowers the base");
        assertEquals(18_000_000L, e.baseDelay());
    }

    @Test
    void anOldBaseIsForgottenAfterTheHistory() {
        DelayEstimator e = new DelayEstimator(1, 3, 60_000_000_000L, clock::get);
        e.add(10_000_000L);
        for (int i = 0; i < 3; i++) {
            clock.addAndGet(61_000_000_000L);
            e.add(50_000_000L);
        }
        assertEquals(50_000_000L, e.baseDelay(), "a route change: the longer path is the base after three buckets");
    }
}
