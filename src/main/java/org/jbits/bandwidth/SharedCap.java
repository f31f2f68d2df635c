package org.jbits.bandwidth;

import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The cap over all background transfers together ({@code bandwidth.all}, like BITS' MaxInternetBandwidth policy):
 * one {@link TokenBucket} that every running background transfer's pacer pays into besides its own bucket, so that
 * the sum of their rates stays under the cap whatever their number. Its rate follows the schedule at each call; a
 * rate of 0 makes every payer wait (the engine holds the jobs with BG_E_BLOCKED_BY_POLICY meanwhile). The bucket is
 * as shallow as a transfer's own (2 ms of the rate, at least one quantum): what the transfers may read beyond the
 * cap over any window is that depth plus the one read each makes before it pays. Thread-safe; the clock injected.
 */
public final class SharedCap {
    private final DoubleSupplier cap;
    private final TokenBucket bucket;

    /** @param cap the cap now, bytes/s ({@link BandwidthSchedule#UNLIMITED} for none) */
    public SharedCap(DoubleSupplier cap, LongSupplier nanoClock, long burstNanos, int quantum) {
        this.cap = cap;
        this.bucket = new TokenBucket(nanoClock, rate(cap.getAsDouble()), burstNanos, quantum);
    }

    private static double rate(double c) {
        return Double.isInfinite(c) ? Double.MAX_VALUE : c;
    }

    /** The cap now, bytes/s; {@link Double#MAX_VALUE} for none. */
    public synchronized double rate() {
        bucket.setRate(rate(cap.getAsDouble()));
        return bucket.rate();
    }

    /** True when the schedule caps nothing now. */
    public boolean unlimitedNow() {
        return Double.isInfinite(cap.getAsDouble());
    }

    /** Pays for {@code bytes} one transfer moved; how long it must wait before it moves more, nanoseconds. */
    public synchronized long take(int bytes) {
        bucket.setRate(rate(cap.getAsDouble()));
        return bucket.take(bytes);
    }

    /** How long until the shared bucket is out of debt, nanoseconds (Long.MAX_VALUE while the cap is 0). */
    public synchronized long waitNanos() {
        bucket.setRate(rate(cap.getAsDouble()));
        return bucket.waitNanos();
    }
}
