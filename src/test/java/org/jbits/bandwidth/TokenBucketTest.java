package org.jbits.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket with a simulated clock: the rate holds over every short window, the burst is capped. */
class TokenBucketTest {
    private final AtomicLong clock = new AtomicLong(5_000_000_000L);

    /** A loop that reads {@code chunk} bytes, pays, and waits what it is told, for {@code seconds}. */
    private long loop(TokenBucket b, int chunk, double seconds) {
        long end = clock.get() + (long) (seconds * 1e9);
        long bytes = 0;
        while (clock.get() < end) {
            bytes += chunk;
            long w = b.take(chunk);
            clock.addAndGet(Math.max(w, 1000));
        }
        return bytes;
    }

    @Test
    void keepsTheRateOverShortWindows() {
        TokenBucket b = new TokenBucket(clock::get, 1e6, 2_000_000L, 2048);
        for (int i = 0; i < 10; i++) {
            long bytes = loop(b, 1448, 0.1);
            assertEquals(100_000, bytes, 3_000, "100 ms at 1 MB/s, window " + i);
        }
    }

    @Test
    void anIdlePeriodBuysNoMoreThanTheBurst() {
        TokenBucket b = new TokenBucket(clock::get, 1e6, 2_000_000L, 2048);
        clock.addAndGet(10_000_000_000L);   // 10 s idle: a lifetime average would allow 10 MB at once
        assertEquals(2048, b.depth(), 1e-9, "2 ms at 1 MB/s is less than one quantum");
        assertEquals(0, b.take(2048), "the burst is free");
        long w = b.take(100_000);
        assertEquals(100_000_000L, w, 1_000_000L, "beyond the burst every byte waits for its time");
    }

    @Test
    void depthIsAtLeastOneQuantumAtLowRates() {
        TokenBucket b = new TokenBucket(clock::get, 20e3, 2_000_000L, 2048);
        assertEquals(2048, b.depth(), 1e-9);
    }

    @Test
    void aNewRateAppliesFromNow() {
        TokenBucket b = new TokenBucket(clock::get, 1e6, 2_000_000L, 2048);
        loop(b, 1000, 0.05);
        b.setRate(100e3);
        long bytes = loop(b, 1000, 1.0);
        assertEquals(100_000, bytes, 4_000);
        b.setRate(0);
        assertTrue(b.take(1) == Long.MAX_VALUE || b.waitNanos() == Long.MAX_VALUE, "a rate of 0 never lets more through");
    }
}
