package org.jbits.bandwidth;

import java.util.function.LongSupplier;

/**
 * A token bucket whose depth is a few milliseconds of its rate (at least one quantum): the byte loop may burst by
 * that much, never by what it saved up while it was idle, so the rate it keeps is the rate of every short window,
 * not a lifetime average. The loop reads first and pays after ({@link #take}): the debt is what it must wait.
 * Pure, with an injected clock; the caller synchronises.
 */
public final class TokenBucket {
    private final LongSupplier clock;
    private final long burstNanos;
    private final int quantum;
    private double rate;
    private double tokens;
    private long last;

    /**
     * @param bytesPerSecond the initial rate
     * @param burstNanos the depth, in time at the current rate
     * @param quantum the smallest depth, bytes
     */
    public TokenBucket(LongSupplier nanoClock, double bytesPerSecond, long burstNanos, int quantum) {
        this.clock = nanoClock;
        this.burstNanos = burstNanos;
        this.quantum = quantum;
        this.rate = bytesPerSecond;
        this.tokens = quantum;
        this.last = nanoClock.getAsLong();
    }

    public double rate() {
        return rate;
    }

    /** A new rate from now on; tokens earned so far keep the old rate. */
    public void setRate(double bytesPerSecond) {
        refill();
        rate = bytesPerSecond;
        tokens = Math.min(tokens, depth());
    }

    /** The bucket's depth, bytes. */
    public double depth() {
        return Math.max(quantum, rate * burstNanos / 1e9);
    }

    private void refill() {
        long now = clock.getAsLong();
        if (now - last > 0) {
            tokens = Math.min(depth(), tokens + rate * (now - last) / 1e9);
        }
        last = now;
    }

    /** Pays for {@code bytes} moved; returns how long the loop must wait before it moves more (0: at once). */
    public long take(int bytes) {
        refill();
        tokens -= bytes;
        return waitNanos();
    }

    /** How long until the bucket is out of debt, nanoseconds. */
    public long waitNanos() {
        refill();
        if (tokens >= 0 || rate <= 0) {
            return tokens >= 0 ? 0 : Long.MAX_VALUE;
        }
        return (long) Math.ceil(-tokens / rate * 1e9);
    }
}
