package org.jbits.transport;

/**
 * How many bytes the next Fragment carries. Windows' BITS sends fragments of 5 KB to 13 MB ([MC-BUP] appendix A);
 * jbits sends what takes about {@link #TARGET_NANOS two seconds} at the rate the last fragments were acknowledged
 * with, from {@link #INITIAL} bytes, growing at most fourfold per fragment, between {@link #FLOOR} and {@link #MAX},
 * in multiples of {@link #ALIGN}:
 *
 * <ul>
 *   <li>a fragment is a round trip and, at a jbits server, one forced write of what it carried: on a fast link large
 *       fragments keep the per-fragment cost (latency, the server's fdatasync, an ack recorded by the client) small
 *       against the bytes, which is what makes an upload run near the link's speed;</li>
 *   <li>on a slow link a fragment still ends, and is acknowledged and recorded, every few seconds: the server's
 *       request timeouts ([MC-BUP] §3.1.2: two minutes) are never near, and a connection that drops loses at most
 *       those seconds of sending (the server keeps what reached it anyway);</li>
 *   <li>multiples of 64 KiB keep a jbits server's writes block-aligned (it writes straight to the disk).</li>
 * </ul>
 *
 * A server that answers 413 (or BG_E_TOO_LARGE) gets half the refused size from then on, and so on down to BITS'
 * minimum, {@link #MIN}; below that the upload fails. Not thread-safe: one upload's.
 */
final class FragmentSizer {
    /** BITS' smallest fragment, and the probe a resumed session starts with. */
    static final int MIN = 5 * 1024;
    /** The largest multiple of {@link #ALIGN} under Windows' 13 MB (13,000,000 bytes). */
    static final int MAX = 12 << 20;
    static final int INITIAL = 1 << 20;
    static final int ALIGN = 64 << 10;
    /** The smallest size the rate chooses (a server's 413 may push below it). */
    static final int FLOOR = ALIGN;
    static final long TARGET_NANOS = 2_000_000_000L;
    private static final int GROWTH = 4;

    private long size = INITIAL;
    private long ceiling = MAX;

    /** The next fragment's length, for {@code remaining} bytes left to send. */
    long next(long remaining) {
        return Math.max(0, Math.min(Math.min(size, ceiling), remaining));
    }

    /** A fragment of {@code bytes} was acknowledged {@code nanos} after it began: the rate chooses the next size. */
    void acknowledged(long bytes, long nanos) {
        if (bytes < ALIGN || nanos <= 0) {
            return; // a probe or the tail of the file says little about the link
        }
        double perNano = (double) bytes / nanos;
        long want = (long) Math.min((double) MAX, perNano * TARGET_NANOS);
        long grown = Math.min(want, size * GROWTH);
        size = Math.max(FLOOR, grown / ALIGN * ALIGN);
    }

    /**
     * The server refused a fragment of {@code bytes} as too large: later ones carry at most half as many. False when
     * it was already the minimum, so nothing smaller can go.
     */
    boolean tooLarge(long bytes) {
        if (bytes <= MIN) {
            return false;
        }
        long half = Math.max(MIN, bytes / 2);
        ceiling = half >= ALIGN ? half / ALIGN * ALIGN : half;
        size = Math.min(size, ceiling);
        return true;
    }

    /** The size the next full fragment would have (for logs and tests). */
    long current() {
        return Math.min(size, ceiling);
    }
}
