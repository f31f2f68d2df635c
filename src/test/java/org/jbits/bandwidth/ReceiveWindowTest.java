package org.jbits.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The receive buffer's size and the window-limited test, on an injected clock. */
class ReceiveWindowTest {
    private static final long BASE = 80_000_000L;
    private static final long TARGET = 5_000_000L;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private ReceiveWindow window() {
        ReceiveWindow w = new ReceiveWindow(clock::get, 4380);
        w.floor(4380, 1460);
        return w;
    }

    @Test
    void neverShrinksBelowWhatTheLinkCarriedRecently() {
        ReceiveWindow w = window();
        w.arrived(2.4e6);
        int full = w.size(2.5e6, 0, BASE, TARGET, false);
        assertEquals(w.need(2.5e6, BASE, TARGET), full);
        assertTrue(full >= 2.4e6 * BASE / 1e9, "at least capacity x base delay: " + full);
        // The controller decreases, slows down to the floor: the buffer stays (the bucket holds the rate).
        w.arrived(0.3e6);
        for (int i = 0; i < 50; i++) {
            clock.addAndGet(100_000_000L);
            w.arrived(20e3);
            assertTrue(w.size(20e3, 0, BASE, TARGET, false) >= w.need(2.4e6, BASE, TARGET),
                    "within the memory the buffer keeps the peak's need");
        }
        // Once the peak is older than the memory, it shrinks, a quarter at a time at most.
        clock.addAndGet(ReceiveWindow.MEMORY_NANOS);
        w.arrived(20e3);
        int before = w.current();
        int next = w.size(20e3, 0, BASE, TARGET, false);
        assertEquals(before - before / 4, next, "a quarter per step");
        for (int i = 0; i < 40; i++) {
            next = w.size(20e3, 0, BASE, TARGET, false);
        }
        assertEquals(Math.max(ReceiveWindow.MIN_MEMORY, w.need(20e3, BASE, TARGET)), next,
                "down to the rate's need, never under the memory floor (the sender's initial window fits)");
    }

    @Test
    void theCapacityEstimateCountsAndGrowthIsImmediate() {
        ReceiveWindow w = window();
        int small = w.size(100e3, 0, BASE, TARGET, false);
        int big = w.size(100e3, 2e6, BASE, TARGET, false);
        assertEquals(w.need(2e6, BASE, TARGET), big, "the capacity estimate's need at once");
        assertTrue(big > 4 * small, small + " -> " + big);
    }

    @Test
    void yieldingFollowsTheRateDownAtOnceButKeepsTenSegments() {
        ReceiveWindow w = window();
        w.arrived(2.4e6);
        w.size(2.4e6, 0, BASE, TARGET, false);
        assertEquals(14_600, w.size(20e3, 0, BASE, TARGET, true), "ten segments, not the peak's need");
        assertEquals(w.need(1e6, BASE, TARGET), w.size(1e6, 0, BASE, TARGET, true), "the rate's need above that");
        assertTrue(w.size(20e3, 0, BASE, TARGET, false) >= w.need(2.4e6, BASE, TARGET), "and back once alone");
    }

    @Test
    void theWindowClampFollowsTheRateAndKeepsTenSegmentsWhileYielding() {
        ReceiveWindow w = window();
        w.arrived(2.4e6);
        w.size(2.4e6, 0, BASE, TARGET, false);
        assertEquals(w.need(20e3, BASE, TARGET), w.clamp(20e3, BASE, TARGET, false), "the rate's need, not the peak's");
        assertEquals(14_600, w.clamp(20e3, BASE, TARGET, true), "ten segments while yielding");
        assertEquals(w.need(1e6, BASE, TARGET), w.clamp(1e6, BASE, TARGET, true));
        assertEquals((int) (100e3 * (2 * 0.1 + 0.005 / 4) + 2048), w.need(100e3, -1, TARGET),
                "before the base delay is known, 100 ms is assumed");
    }

    @Test
    void theFloorAndTheBounds() {
        ReceiveWindow w = window();
        assertEquals(4380, w.need(0, -1, TARGET), "no rate: three segments");
        assertEquals(ReceiveWindow.MAX_BUFFER, w.need(Double.MAX_VALUE, BASE, TARGET));
        assertEquals((int) (1e6 * (2 * 0.080 + 0.005 / 4) + 2048), w.need(1e6, BASE, TARGET));
    }

    @Test
    void aWindowThatCannotCarryTheRateOverARoundTripLimits() {
        // 1 MB/s over 82 ms needs 82 kB in flight; with a quarter to spare, 102.5 kB.
        assertTrue(ReceiveWindow.limits(5_475, 1e6, 82_000_000L), "the 5 kB the kernel kept offering");
        assertTrue(ReceiveWindow.limits(100_000, 1e6, 82_000_000L));
        assertFalse(ReceiveWindow.limits(110_000, 1e6, 82_000_000L));
        assertFalse(ReceiveWindow.limits(5_475, 1e6, -1), "no round trip known: no verdict");
        assertFalse(ReceiveWindow.limits(5_475, Double.MAX_VALUE, 82_000_000L), "an unlimited bucket: no verdict");
    }
}
