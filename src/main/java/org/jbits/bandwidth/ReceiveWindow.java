package org.jbits.bandwidth;

import java.util.function.LongSupplier;

/**
 * The receive buffer (SO_RCVBUF) of a paced connection and what it says about the byte loop's stalls. Pure, with an
 * injected clock; the caller synchronises.
 *
 * <p><b>Size.</b> {@code max(rate, capacity) x (2 x base delay + target/4) + 2 KiB}, at least {@code floor} (three
 * segments). {@code capacity} is the largest rate that arrived over the last {@link #MEMORY_NANOS} (the controller's
 * capacity estimate when it has one): the buffer never shrinks below what the link carried to us recently, so the
 * token bucket, not the window, holds the rate down. A window sized to the current rate shrank after every decrease
 * and every periodic slowdown; the kernel then received more than the new buffer held (the sender still had the
 * old window), pruned its queue and clamped the window it offers to two segments ({@code rcv_ssthresh}), which it
 * re-opens only segment by segment: at 80 ms base delay the rate the controller allowed no longer arrived. A large
 * buffer costs no queue on the path: while the bucket reads at {@code r}, the unread bytes fill the buffer and the
 * window the sender sees is what the reads free, about {@code r x RTT}. Growth is at once; shrinking (when the
 * memory expires) at most a quarter per step, never below what the reads need. The exception is yielding to
 * someone else's traffic: then the buffer follows the rate down at once, because a full large buffer is bytes the
 * sender still sends after the bucket stopped (measured at 80 ms: 600 kB, about half a second of back-off).
 *
 * <p><b>Window-limited or link-limited.</b> A read that waits on an empty socket (a stall) means the bytes did not
 * come: either the link (or the server) cannot carry more, or the window we offer cannot carry the allowed rate in
 * one round trip. {@link #limits} tells them apart: the window offered (the smaller of the buffer and the kernel's
 * window clamp from TCP_INFO when known) below {@code rate x RTT x 1.25}. A window-limited stall is no reason to
 * freeze the rate or to take the arrivals for the link's capacity.
 */
final class ReceiveWindow {
    /** How long the largest arrival rate counts for the buffer's size. */
    static final long MEMORY_NANOS = 60_000_000_000L;
    static final int MAX_BUFFER = 16 << 20;
    /** The smallest buffer (memory, not window): the sender's initial window of ten segments and then some. */
    static final int MIN_MEMORY = 64 << 10;
    static final long ASSUMED_BASE_NANOS = 100_000_000L;

    private final LongSupplier clock;
    private int floor;
    private int yieldFloor;
    private double peak;
    private long peakAt = Long.MIN_VALUE;
    private int size;

    ReceiveWindow(LongSupplier nanoClock, int floor) {
        this.clock = nanoClock;
        this.floor = floor;
        this.yieldFloor = floor;
    }

    /** The smallest buffer: {@code bytes}; while yielding, ten segments of {@code mss}. */
    void floor(int bytes, int mss) {
        floor = bytes;
        yieldFloor = Math.max(bytes, Math.min(10 * mss, 64 << 10));
    }

    /** The arrival rate now, bytes/s (smoothed over an interval or more). */
    void arrived(double bytesPerSecond) {
        long now = clock.getAsLong();
        if (peakAt == Long.MIN_VALUE || bytesPerSecond >= peak || now - peakAt > MEMORY_NANOS) {
            peak = bytesPerSecond;
            peakAt = now;
        }
    }

    /** The largest arrival rate within the memory, bytes/s. */
    double peak() {
        return peakAt == Long.MIN_VALUE || clock.getAsLong() - peakAt > MEMORY_NANOS ? 0 : peak;
    }

    /**
     * What the reads at {@code rate} need: {@code rate x (2 x base + target/4) + 2 KiB}, within the bounds; before
     * the base delay is known, 100 ms of it is assumed.
     */
    int need(double rate, long baseNanos, long targetNanos) {
        double r = Math.min(Math.max(0, rate), 1e10);
        long base = baseNanos < 0 ? ASSUMED_BASE_NANOS : baseNanos;
        return (int) Math.min(MAX_BUFFER, Math.max(floor, r * (2 * base + targetNanos / 4.0) / 1e9 + 2048));
    }

    /**
     * The buffer to set now: the need of {@code max(rate, capacity, peak)}; growing at once, shrinking by at most a
     * quarter per call. While {@code yielding} (traffic that is not ours is on the link) only the rate's need.
     */
    int size(double rate, double capacity, long baseNanos, long targetNanos, boolean yielding) {
        int now = need(rate, baseNanos, targetNanos);
        if (yielding) {
            // Someone else wants the link: the window follows the rate down at once, so the sender stops when the
            // bucket does instead of filling the (large) buffer first; but never under ten segments: with two or
            // three, one loss in the newcomer's queue is a retransmission timeout (fast retransmit needs three
            // duplicate ACKs), and timeouts back off to seconds (measured at 80 ms: a 1.8 s stall, no recovery).
            size = Math.max(now, yieldFloor);
            return size;
        }
        int want = Math.max(MIN_MEMORY, need(Math.max(Math.max(rate, capacity), peak()), baseNanos, targetNanos));
        if (size > 0 && want < size) {
            want = Math.max(Math.max(want, now), size - size / 4);
        }
        size = want;
        return want;
    }

    /**
     * The window to offer (TCP_WINDOW_CLAMP) for reads at {@code rate}: their need, at least ten segments while
     * yielding (with two or three, one loss in the newcomer's queue is a retransmission timeout).
     */
    int clamp(double rate, long baseNanos, long targetNanos, boolean yielding) {
        int n = need(rate, baseNanos, targetNanos);
        return yielding ? Math.max(n, yieldFloor) : n;
    }

    /** The size last returned by {@link #size}; 0 before. */
    int current() {
        return size;
    }

    /**
     * True when a window of {@code windowBytes} cannot carry {@code rate} over a round trip of {@code rttNanos}
     * (with a quarter to spare): stalls then say nothing about the link.
     */
    static boolean limits(long windowBytes, double rate, long rttNanos) {
        if (windowBytes <= 0 || rttNanos <= 0 || !(rate > 0) || rate >= Double.MAX_VALUE) {
            return false;
        }
        return windowBytes < 1.25 * rate * rttNanos / 1e9;
    }
}
