package org.jbits.bandwidth;

import java.util.function.LongSupplier;

/**
 * The idle-bandwidth controller of a background transfer: a delay-based rate controller in the spirit of LEDBAT++
 * (RFC 6817 as revised by draft-balasubramanian-iccrg-ledbatplusplus) done by the receiver, as rLEDBAT does: it sets
 * the rate a token bucket lets the byte loop read at, and the small receive window carries that rate to the sender.
 * Pure: it sees the world only through the calls below and the injected clock, so a simulated link drives it in
 * tests without sleeping.
 *
 * <ul>
 *   <li><b>Slow start</b>: x1.25 per 50 ms until the queuing delay passes 3/4 of the target or the link limits us.</li>
 *   <li><b>Below the target</b>: additive increase, {@code gain x (1 - qd/target)} bytes/s per second.</li>
 *   <li><b>Above the target</b>: LEDBAT++'s multiplicative decrease, {@code rate x max(1/2, 1 - beta(qd/target - 1))}:
 *       the further above the target, the harder, but never more than half per sample.</li>
 *   <li><b>Rate match</b>: when the link (not the bucket) is the limit (the loop starved on an empty socket for
 *       more than a tenth of an interval although it was allowed to read) and we see our own queue, the rate is set
 *       just under what arrived, and that arrival rate is remembered as the capacity available to us; close to it
 *       the increase is ten times slower. This keeps the rate a few percent under the link instead of a sawtooth.</li>
 *   <li><b>Someone else wants the link</b>: traffic on the interface that is not ours stops increases.</li>
 *   <li><b>Periodic slowdown</b> (LEDBAT++ §4.4): every {@code slowdownEvery} the rate drops to the floor for
 *       {@code slowdownLength} so the queue drains and this flow (and a latecomer) can measure the base delay.</li>
 *   <li><b>Floor</b>: never below {@code minRate}: below about 20 kB/s the sender's zero-window probing stalls.</li>
 * </ul>
 *
 * Thread-safe: delay samples come from a probe thread, intervals from the byte loop.
 */
public final class DelayController {
    /** How the controller behaves; {@link #DEFAULT} is what the rig was tuned with (bench/citizenship). */
    public record Config(long targetNanos, double gainBytesPerSecond2, double beta, double match, double capFrac,
                         long capWindowNanos, double startRate, double minRate, double maxRate, long slowdownEveryNanos,
                         long slowdownLengthNanos) {
        public static final Config DEFAULT = new Config(5_000_000L, 3e6, 0.3, 0.95, 0.97, 10_000_000_000L, 100e3, 20e3,
                10e9, 10_000_000_000L, 150_000_000L);

        /** This config with another delay target. */
        public Config withTarget(long nanos) {
            return new Config(nanos, gainBytesPerSecond2, beta, match, capFrac, capWindowNanos, startRate, minRate,
                    maxRate, slowdownEveryNanos, slowdownLengthNanos);
        }

        /** This config with another floor. */
        public Config withMinRate(double bytesPerSecond) {
            return new Config(targetNanos, gainBytesPerSecond2, beta, match, capFrac, capWindowNanos, startRate,
                    bytesPerSecond, maxRate, slowdownEveryNanos, slowdownLengthNanos);
        }
    }

    /** What the controller is doing, for logs and the bench's trace. */
    public enum Phase { SLOW_START, INCREASE, DECREASE, SLOWDOWN, HOLD }

    private final Config c;
    private final LongSupplier clock;
    private double rate;
    private boolean slowStart = true;
    private double arrived;
    private long nextSlowdown;
    private long slowdownUntil = Long.MIN_VALUE;
    private double savedRate = -1;
    private long lastQueuingDelay;
    private long lastSample = Long.MIN_VALUE;
    private boolean limited;
    private boolean foreign;
    private double capEstimate;
    private long capAt = Long.MIN_VALUE;
    private Phase phase = Phase.SLOW_START;

    public DelayController(Config config, LongSupplier nanoClock) {
        this.c = config;
        this.clock = nanoClock;
        this.rate = config.startRate();
        this.nextSlowdown = nanoClock.getAsLong() + config.slowdownEveryNanos();
    }

    /** The rate the bucket should allow now, bytes per second. */
    public synchronized double rate() {
        return rate;
    }

    public synchronized Phase phase() {
        return phase;
    }

    /** The last queuing delay seen (a sample minus the base delay), nanoseconds. */
    public synchronized long queuingDelayNanos() {
        return lastQueuingDelay;
    }

    /** The capacity estimate from rate matching, bytes/s; 0 when none is valid. */
    public synchronized double capacityEstimate() {
        return valid(clock.getAsLong()) ? capEstimate : 0;
    }

    private boolean valid(long now) {
        return capAt != Long.MIN_VALUE && now - capAt < c.capWindowNanos();
    }

    private boolean inSlowdown(long now) {
        return slowdownUntil != Long.MIN_VALUE && now - slowdownUntil < 0;
    }

    /** One congestion-control step: a queuing-delay sample (the probe's latency minus the base latency). */
    public synchronized void onDelay(long queuingDelayNanos) {
        long now = clock.getAsLong();
        double dt = lastSample == Long.MIN_VALUE ? 0 : Math.min(0.2, (now - lastSample) / 1e9);
        lastSample = now;
        lastQueuingDelay = queuingDelayNanos;
        if (inSlowdown(now)) {
            return;
        }
        if (savedRate >= 0) {
            rate = savedRate;
            savedRate = -1;
        }
        double before = rate;
        double q = (double) queuingDelayNanos / c.targetNanos();
        if (slowStart && (q > 0.75 || foreign)) {
            slowStart = false;
        }
        if (slowStart) {
            rate *= Math.pow(1.25, dt / 0.05);
            phase = Phase.SLOW_START;
        } else if (q <= 1) {
            if (foreign) {
                phase = Phase.HOLD;
            } else {
                double g = c.gainBytesPerSecond2();
                if (valid(now) && rate >= c.capFrac() * capEstimate && rate <= 1.1 * capEstimate) {
                    g *= 0.1;
                }
                rate += g * (1 - q) * dt;
                phase = Phase.INCREASE;
            }
        } else {
            rate *= Math.max(0.5, 1 - c.beta() * (q - 1));
            phase = Phase.DECREASE;
        }
        // Rate validation: never run far ahead of what really arrives; frozen while the link is the limit.
        double cap = c.maxRate();
        if (arrived > 0) {
            cap = Math.max(c.minRate(), 4 * arrived);
        }
        if (limited && !recentlySlowedDown(now)) {
            cap = Math.min(cap, Math.max(before, c.minRate()));
        }
        rate = clamp(Math.min(rate, cap));
        if (c.slowdownEveryNanos() > 0 && now - nextSlowdown >= 0 && !slowStart) {
            savedRate = rate;
            rate = c.minRate();
            slowdownUntil = now + c.slowdownLengthNanos();
            nextSlowdown = now + c.slowdownEveryNanos();
            phase = Phase.SLOWDOWN;
        }
    }

    private boolean recentlySlowedDown(long now) {
        return slowdownUntil != Long.MIN_VALUE && now - slowdownUntil < 300_000_000L;
    }

    /**
     * What the byte loop saw over the last interval: bytes that arrived, the time it spent waiting on an empty
     * socket although the bucket allowed a read, and the interval's length.
     */
    public synchronized void onInterval(long bytes, long starvedNanos, long intervalNanos) {
        if (intervalNanos <= 0) {
            return;
        }
        long now = clock.getAsLong();
        double a = bytes * 1e9 / intervalNanos;
        arrived = arrived == 0 ? a : 0.7 * arrived + 0.3 * a;
        limited = starvedNanos > intervalNanos / 10;
        if (!valid(now)) {
            capEstimate = 0;
        }
        double q = (double) lastQueuingDelay / c.targetNanos();
        // Only near the allowed rate: far below it (a server's own limit, a bursty sender) matching would follow
        // every dip of the arrivals down, and delay noise on a busy machine would look like "our queue".
        if (limited && savedRate < 0 && !recentlySlowedDown(now) && q >= 0.25 && q <= 3 && a >= 0.5 * rate) {
            // The link, not the bucket, is the limit and the queue is (about) our own: just under what arrives.
            rate = clamp(Math.min(rate, c.match() * a));
            if (!slowStart && a > capEstimate) {
                capEstimate = a;
                capAt = now;
            }
            slowStart = false;
        }
        if (limited) {
            // Something other than the bucket limits us (the link, the server): growing faster is pointless.
            slowStart = false;
        }
    }

    /**
     * Traffic on the interface that is not this transfer's, bytes per second. Above a threshold (15% of our own
     * arrival rate, at least 100 kB/s) someone else is using the link: no more increases until it stops.
     */
    public synchronized void onForeignTraffic(double bytesPerSecond) {
        foreign = bytesPerSecond > Math.max(100e3, 0.15 * arrived);
    }

    /** True while someone else's traffic is seen on the interface. */
    public synchronized boolean foreignTraffic() {
        return foreign;
    }

    private double clamp(double r) {
        return Math.max(c.minRate(), Math.min(r, c.maxRate()));
    }
}
