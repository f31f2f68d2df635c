package org.jbits.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The idle pacer on a simulated clock: its sleeper moves the clock instead of sleeping, so a byte loop of any
 * length runs at once and the rate it is held to is exact.
 */
class IdlePacerTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private volatile double cap = BandwidthSchedule.UNLIMITED;
    private final IdlePacer.Sleeper sleeper = (wake, nanos) -> clock.addAndGet(nanos);

    private IdlePacer pacer(boolean controlled) {
        DelayController c = controlled ? new DelayController(DelayController.Config.DEFAULT, clock::get) : null;
        return new IdlePacer(c, () -> cap, clock::get, sleeper, 50_000_000L, 0, 5_000_000L);
    }

    /** A loop moving 1448-byte reads for {@code seconds} of simulated time; returns its rate, bytes/s. */
    private double loop(IdlePacer p, double seconds) throws Exception {
        long end = clock.get() + (long) (seconds * 1e9);
        long t0 = clock.get();
        long bytes = 0;
        while (clock.get() < end) {
            clock.addAndGet(10_000);   // the read itself
            p.pace(1448);
            bytes += 1448;
        }
        return bytes / ((clock.get() - t0) / 1e9);
    }

    @Test
    void aCapIsKeptOverEverySecond() throws Exception {
        cap = 125_000;
        IdlePacer p = pacer(false);
        for (int i = 0; i < 3; i++) {
            assertEquals(125_000, loop(p, 1.0), 3_000, "second " + i);
        }
        assertEquals(0, p.receiveBuffer(), "a cap alone leaves the receive buffer to the kernel");
        assertEquals(0, p.probeIntervalNanos(), "and needs no probe");
    }

    @Test
    void withoutASignalTheControllerDoesNotThrottle() throws Exception {
        cap = 1e6;
        IdlePacer p = pacer(true);
        // No connection seen, no latency sample (SMB, local files): the cap only, not the controller's start rate.
        assertEquals(1e6, loop(p, 1.0), 20_000);
        p.latencySample(1_000_000L);
        double r = loop(p, 0.2);
        assertTrue(r < 0.5e6, "with a delay signal the controller's slow start governs: " + r);
        assertTrue(p.receiveBuffer() > 0 && p.probeIntervalNanos() == 50_000_000L, "and it asks for both");
    }

    @Test
    void aCapOfZeroWaitsUntilItIsLiftedAndStopEndsAWait() throws Exception {
        cap = 100_000;
        IdlePacer p = pacer(false);
        loop(p, 0.1);
        cap = 0;
        long t0 = clock.get();
        Thread lifter = new Thread(() -> {
            while (clock.get() - t0 < 2_000_000_000L) {
                Thread.onSpinWait();
            }
            cap = 100_000;
        });
        lifter.start();
        p.pace(50_000);   // in debt at a rate of 0: waits in 100 ms slices until the cap comes back
        lifter.join();
        assertTrue(clock.get() - t0 >= 2_000_000_000L, "waited for the cap to lift");

        cap = 0;
        p.stop();
        long t1 = clock.get();
        p.pace(50_000);
        assertEquals(t1, clock.get(), "a stopped pacer never waits");
    }
}
