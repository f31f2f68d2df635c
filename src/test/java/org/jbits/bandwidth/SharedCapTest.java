package org.jbits.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.transport.Pacer;
import org.junit.jupiter.api.Test;

/**
 * {@code bandwidth.all}: one bucket for all background transfers together, on a simulated clock (the sleeper moves
 * the clock; transfers are interleaved read by read, as concurrent byte loops would be).
 */
class SharedCapTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final IdlePacer.Sleeper sleeper = (wake, nanos) -> clock.addAndGet(nanos);

    @Test
    void transfersTogetherStayUnderTheSharedCapOverEveryWindow() throws Exception {
        double cap = 125_000;   // 1 Mbit/s
        SharedCap shared = new SharedCap(() -> cap, clock::get, 2_000_000L, 2048);
        IdlePacer[] pacers = new IdlePacer[3];
        for (int i = 0; i < pacers.length; i++) {
            // Each transfer's own cap (its priority's) is above the shared one or none at all.
            double own = i == 0 ? BandwidthSchedule.UNLIMITED : 100_000;
            pacers[i] = new IdlePacer(null, () -> own, shared, clock::get, sleeper, 0, 0, 5_000_000L);
        }
        long t0 = clock.get();
        long[] bytes = new long[pacers.length];
        long total = 0;
        long windowStart = t0;
        long windowBytes = 0;
        while (clock.get() - t0 < 10_000_000_000L) {
            for (int i = 0; i < pacers.length; i++) {
                clock.addAndGet(10_000);   // the read itself
                pacers[i].pace(1448);
                bytes[i] += 1448;
                total += 1448;
                windowBytes += 1448;
            }
            if (clock.get() - windowStart >= 1_000_000_000L) {
                double seconds = (clock.get() - windowStart) / 1e9;
                // What the bucket guarantees: the cap over the window, plus its depth and one read per transfer.
                assertTrue(windowBytes <= cap * seconds + 2048 + pacers.length * 1448,
                        windowBytes + " bytes in " + seconds + " s");
                windowStart = clock.get();
                windowBytes = 0;
            }
        }
        double rate = total / ((clock.get() - t0) / 1e9);
        assertEquals(cap, rate, 0.03 * cap, "together at the cap, not each at its own");
        for (long b : bytes) {
            assertTrue(b > 0.2 * total, "every transfer moves: " + java.util.Arrays.toString(bytes));
        }
    }

    @Test
    void aSharedCapOfZeroHoldsEveryTransferUntilItIsLifted() throws Exception {
        AtomicReference<Double> cap = new AtomicReference<>(100_000.0);
        SharedCap shared = new SharedCap(cap::get, clock::get, 2_000_000L, 2048);
        IdlePacer p = new IdlePacer(null, () -> BandwidthSchedule.UNLIMITED, shared, clock::get, sleeper, 0, 0, 5_000_000L);
        p.pace(1448);
        cap.set(0.0);
        long t0 = clock.get();
        Thread lifter = new Thread(() -> {
            while (clock.get() - t0 < 3_000_000_000L) {
                Thread.onSpinWait();
            }
            cap.set(BandwidthSchedule.UNLIMITED);
        });
        lifter.start();
        p.pace(50_000);
        lifter.join();
        assertTrue(clock.get() - t0 >= 3_000_000_000L, "waited for the shared cap to lift");
        assertTrue(shared.unlimitedNow());
    }

    @Test
    void thePolicyReadsBandwidthAllAndNeverCapsForeground() {
        BandwidthPolicy p = BandwidthPolicy.from(Map.of("bandwidth.all", "00:00-01:00 0, otherwise 2mbit",
                "bandwidth.low", "08:00-09:00 0", "idle.enabled", "false")).withZone(ZoneOffset.UTC);
        Instant night = Instant.parse("2026-01-01T00:30:00Z");
        Instant day = Instant.parse("2026-01-01T08:30:00Z");
        Instant noon = Instant.parse("2026-01-01T12:00:00Z");
        assertEquals(0, p.allCapAt(night));
        assertEquals(250_000, p.allCapAt(noon));
        assertEquals("bandwidth.all", p.closedBy(JobPriority.NORMAL, night));
        assertEquals("bandwidth.all", p.closedBy(JobPriority.HIGH, night));
        assertEquals("bandwidth.low", p.closedBy(JobPriority.LOW, day), "the priority's own window names its key");
        assertNull(p.closedBy(JobPriority.NORMAL, day));
        assertNull(p.closedBy(JobPriority.FOREGROUND, night), "Foreground is never held");
        assertEquals(Instant.parse("2026-01-01T01:00:00Z"), p.nextAllChange(night));
        assertTrue(p.paces(JobPriority.NORMAL), "a global cap paces background jobs even without the controller");

        Pacers pacers = new Pacers(p, clock::get, () -> noon, sleeper);
        assertNotNull(pacers.shared());
        assertSame(Pacer.UNLIMITED, pacers.forPriority(JobPriority.FOREGROUND), "Foreground is never capped");
        assertTrue(pacers.forPriority(JobPriority.NORMAL) instanceof IdlePacer);
        assertNull(new Pacers(BandwidthPolicy.from(Map.of()), clock::get, () -> noon, sleeper).shared(),
                "no bandwidth.all: no shared bucket");

        BitsException e = assertThrows(BitsException.class, () -> BandwidthPolicy.from(Map.of("bandwidth.all", "2 mbit")));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
        assertTrue(e.getMessage().contains("bandwidth.all"), e.getMessage());
    }
}
