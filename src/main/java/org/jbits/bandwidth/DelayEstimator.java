package org.jbits.bandwidth;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * LEDBAT's delay filters (RFC 6817 §3.4): the base delay is the minimum over the last {@code history} buckets of
 * {@code bucketNanos} each (ten one-minute buckets: a route change is forgotten within ten minutes), the current
 * delay the minimum of the last {@code filter} samples (a single late sample is noise). The queuing delay is their
 * difference. Pure, with an injected clock; not thread-safe (the caller synchronises).
 */
public final class DelayEstimator {
    private final int filter;
    private final int history;
    private final long bucketNanos;
    private final LongSupplier clock;
    private final ArrayDeque<Long> current = new ArrayDeque<>();
    private final ArrayDeque<Long> base = new ArrayDeque<>();
    private long bucketStart;
    private boolean any;

    public DelayEstimator(int filter, int history, long bucketNanos, LongSupplier nanoClock) {
        this.filter = filter;
        this.history = history;
        this.bucketNanos = bucketNanos;
        this.clock = nanoClock;
    }

    /** LEDBAT's defaults: 2 samples, 10 buckets of a minute. */
    public static DelayEstimator standard(LongSupplier nanoClock) {
        return new DelayEstimator(2, 10, 60_000_000_000L, nanoClock);
    }

    /** Adds a delay sample (a latency, nanoseconds) and returns the queuing delay it implies. */
    public long add(long sampleNanos) {
        long now = clock.getAsLong();
        if (!any || now - bucketStart > bucketNanos) {
            base.addLast(sampleNanos);
            while (base.size() > history) {
                base.removeFirst();
            }
            bucketStart = now;
            any = true;
        } else if (sampleNanos < base.peekLast()) {
            base.removeLast();
            base.addLast(sampleNanos);
        }
        current.addLast(sampleNanos);
        while (current.size() > filter) {
            current.removeFirst();
        }
        return queuingDelay();
    }

    /** The current queuing delay, nanoseconds (0 before any sample). */
    public long queuingDelay() {
        if (!any) {
            return 0;
        }
        long cur = current.stream().mapToLong(Long::longValue).min().orElse(0);
        return Math.max(0, cur - baseDelay());
    }

    /** The base delay: the smallest latency seen in the history, nanoseconds; -1 before any sample. */
    public long baseDelay() {
        return any ? base.stream().mapToLong(Long::longValue).min().orElse(-1) : -1;
    }
}
