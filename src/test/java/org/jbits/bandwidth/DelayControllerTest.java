package org.jbits.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The delay controller against {@link SimulatedLink}: 20 Mbit/s, a 250 kB queue, base round trips of 0.1, 20 and
 * 80 ms. Simulated time only (1 ms steps, a probe sample every 25 ms through the pacer's filter, the byte loop's interval every 100 ms): the
 * figures below are the model's, deterministic, and say nothing about a real link (bench/citizenship measures that).
 */
class DelayControllerTest {
    private static final double C = 2.5e6;
    private static final DelayController.Config CONFIG = DelayController.Config.DEFAULT;

    /** One run: the paced flow alone, then a foreground flow from {@code fgStart} to {@code fgEnd}, seconds. */
    static final class Run {
        final AtomicLong clock = new AtomicLong(1_000_000_000L);
        final DelayController ctl = new DelayController(CONFIG, clock::get);
        /** The pacer's probe filter: the minimum of the last four samples, one every 25 ms. */
        final DelayEstimator est = new DelayEstimator(4, 10, 60_000_000_000L, clock::get);
        final SimulatedLink link;
        /** Per 100 ms: [time, our arrival B/s, fg arrival B/s, allowed rate, queuing delay]. */
        final List<double[]> trace = new ArrayList<>();
        double minRate = Double.MAX_VALUE;

        Run(double baseRtt) {
            link = new SimulatedLink(C, 250e3, baseRtt);
        }

        void run(double seconds, double fgStart, double fgEnd) {
            double dt = 0.001;
            double ours = 0;
            double fg = 0;
            double allowedSum = 0;
            int steps = (int) Math.round(seconds / dt);
            for (int i = 1; i <= steps; i++) {
                double t = i * dt;
                link.fgOn = t >= fgStart && t < fgEnd;
                double r = ctl.rate();
                minRate = Math.min(minRate, r);
                link.step(dt, r);
                clock.addAndGet(1_000_000L);
                ours += link.servedOurs;
                fg += link.servedFg;
                allowedSum += r * dt;
                if (i % 25 == 0) {
                    // The probe's latency: the base round trip plus the queue, one way each (it is the answer that waits).
                    long sample = (long) ((link.baseRtt + link.queuingDelay()) * 1e9);
                    ctl.onDelay(est.add(sample));
                }
                if (i % 100 == 0) {
                    double allowed = allowedSum;
                    long starvedNanos = (long) (Math.max(0, 1 - ours / Math.max(1, allowed)) * 100_000_000L);
                    ctl.onInterval((long) ours, starvedNanos, 100_000_000L);
                    ctl.onForeignTraffic(fg * 10);
                    trace.add(new double[]{t, ours * 10, fg * 10, r, link.queuingDelay()});
                    ours = 0;
                    fg = 0;
                    allowedSum = 0;
                }
            }
        }

        double meanOurs(double from, double to) {
            return trace.stream().filter(s -> s[0] > from && s[0] <= to).mapToDouble(s -> s[1]).average().orElse(0);
        }

        double meanFg(double from, double to) {
            return trace.stream().filter(s -> s[0] > from && s[0] <= to).mapToDouble(s -> s[2]).average().orElse(0);
        }

        double meanDelay(double from, double to) {
            return trace.stream().filter(s -> s[0] > from && s[0] <= to).mapToDouble(s -> s[4]).average().orElse(0);
        }

        /** Seconds after {@code t} until our arrival rate (smoothed over two samples) is below/above {@code level}. */
        double timeUntil(double t, double level, boolean below) {
            for (int i = 1; i < trace.size(); i++) {
                double[] s = trace.get(i);
                double v = (s[1] + trace.get(i - 1)[1]) / 2;
                if (s[0] > t && (below ? v < level : v > level)) {
                    return s[0] - t;
                }
            }
            return Double.POSITIVE_INFINITY;
        }
    }

    private static void checkCitizenship(double baseRtt) {
        Run r = new Run(baseRtt);
        r.run(60, 30, 45);
        double alone = r.meanOurs(10, 30);
        String trace = describe(r, 28, 50);
        assertTrue(alone >= 0.85 * C, "alone: " + alone + " B/s of " + C + "\n" + trace);
        assertTrue(r.meanDelay(10, 30) <= 2 * CONFIG.targetNanos() / 1e9,
                "alone the queue stays near the target: " + r.meanDelay(10, 30) + " s");
        assertTrue(r.meanFg(31, 45) >= 0.9 * C, "the foreground flow gets the link: " + r.meanFg(31, 45) + "\n" + trace);
        assertTrue(r.timeUntil(30, 0.2 * alone, true) <= 1.0, "back-off: " + r.timeUntil(30, 0.2 * alone, true) + " s\n" + trace);
        assertTrue(r.timeUntil(45, 0.8 * alone, false) <= 3.0, "recovery: " + r.timeUntil(45, 0.8 * alone, false) + " s\n" + trace);
        assertTrue(r.minRate >= CONFIG.minRate(), "never below the floor: " + r.minRate);
    }

    @Test
    void yieldsToAForegroundFlowAndRecoversOnLoopbackLikeDelay() {
        checkCitizenship(0.0001);
    }

    @Test
    void yieldsToAForegroundFlowAndRecoversAt20msBaseDelay() {
        checkCitizenship(0.020);
    }

    @Test
    void yieldsToAForegroundFlowAndRecoversAt80msBaseDelay() {
        checkCitizenship(0.080);
    }

    @Test
    void slowsDownPeriodicallySoTheBaseDelayCanBeMeasured() {
        Run r = new Run(0.020);
        r.run(35, 1e9, 1e9);
        List<Double> slowdowns = new ArrayList<>();
        boolean in = false;
        for (double[] s : r.trace) {
            boolean low = s[3] <= CONFIG.minRate() * 1.0001;
            if (low && !in && s[0] > 2) {
                slowdowns.add(s[0]);
            }
            in = low;
        }
        assertTrue(slowdowns.size() >= 2, "slowdowns at " + slowdowns);
        for (int i = 1; i < slowdowns.size(); i++) {
            double gap = slowdowns.get(i) - slowdowns.get(i - 1);
            assertTrue(gap >= 9.5 && gap <= 10.5, "slowdowns every 10 s: " + slowdowns);
        }
    }

    @Test
    void multiplicativeDecreaseIsLedbatPlusPlusAndAtMostHalves() {
        AtomicLong clock = new AtomicLong();
        DelayController c = new DelayController(CONFIG, clock::get);
        // Leave slow start with a sample above 3/4 of the target, then step from a known rate.
        c.onDelay(CONFIG.targetNanos());
        double r0 = c.rate();
        clock.addAndGet(50_000_000L);
        c.onDelay(2 * CONFIG.targetNanos());   // qd/T = 2: x (1 - 0.3 (2 - 1)) = x 0.7
        assertEquals(0.7 * r0, c.rate(), 1e-6 * r0);
        assertEquals(DelayController.Phase.DECREASE, c.phase());
        double r1 = c.rate();
        clock.addAndGet(50_000_000L);
        c.onDelay(100 * CONFIG.targetNanos());
        assertEquals(Math.max(CONFIG.minRate(), 0.5 * r1), c.rate(), 1e-6 * r1, "never more than half per sample");
    }

    @Test
    void additiveIncreaseScalesWithTheDistanceBelowTheTarget() {
        AtomicLong clock = new AtomicLong();
        DelayController c = new DelayController(CONFIG, clock::get);
        c.onDelay(CONFIG.targetNanos());   // out of slow start (decrease from 0.1 MB/s is none at qd = T)
        double r0 = c.rate();
        clock.addAndGet(100_000_000L);
        c.onDelay(CONFIG.targetNanos() / 2);
        assertEquals(r0 + CONFIG.gainBytesPerSecond2() * 0.5 * 0.1, c.rate(), 1e-6 * r0);
        assertEquals(DelayController.Phase.INCREASE, c.phase());
    }

    @Test
    void foreignTrafficStopsIncreases() {
        AtomicLong clock = new AtomicLong();
        DelayController c = new DelayController(CONFIG, clock::get);
        c.onDelay(CONFIG.targetNanos());
        c.onForeignTraffic(1e6);
        double r0 = c.rate();
        for (int i = 0; i < 10; i++) {
            clock.addAndGet(50_000_000L);
            c.onDelay(0);
        }
        assertEquals(r0, c.rate(), 1e-9);
        assertEquals(DelayController.Phase.HOLD, c.phase());
        c.onForeignTraffic(0);
        clock.addAndGet(50_000_000L);
        c.onDelay(0);
        assertTrue(c.rate() > r0, "increases again once the other traffic is gone");
    }

    private static String describe(Run r, double from, double to) {
        StringBuilder sb = new StringBuilder("t ours fg allowed qd_ms\n");
        for (double[] s : r.trace) {
            if (s[0] >= from && s[0] <= to) {
                sb.append(String.format("%.1f %.0f %.0f %.0f %.2f%n", s[0], s[1], s[2], s[3], s[4] * 1e3));
            }
        }
        return sb.toString();
    }
}
