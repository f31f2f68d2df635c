package org.jbits.transport;

/**
 * How many bytes the next Fragment carries: what takes about {@link #TARGET_NANOS two seconds} at the rate the last
 * fragments were acknowledged with, from {@link #INITIAL} bytes, growing at most sixteenfold per fragment, between
 * {@link #FLOOR} and {@link #MAX}, in multiples of {@link #ALIGN}. Why:
 *
 * <ul>
 *   <li>a fragment is a round trip, and its ack waits until the server has the bytes on disk (a jbits server forces
 *       them and journals them first): that wait, and the link going idle while the server finishes one fragment
 *       and the client starts the next, is a fixed cost per fragment, so on a fast link large fragments are what
 *       lets an upload run near the link's speed (over loopback 1, 16, 256 MiB, then the rest of a GiB in one: 4
 *       fragments per GiB, where a fourfold ramp to 256 MiB took 8, each with 5-8 ms of fixed cost);</li>
 *   <li>the rate is measured from the fragment's start to its ack, so it never exceeds what the link and the server
 *       carried: a fast ramp cannot outrun the link, and a sixteenfold step from 1 MiB still takes under two seconds
 *       on any link that carried that 1 MiB in 125 ms;</li>
 *   <li>on a slow link a fragment still ends, is acknowledged and is recorded every few seconds: the server's
 *       request timeouts ([MC-BUP] §3.1.2: two minutes) are never near;</li>
 *   <li>Windows' BITS sends 5 KB to 13 MB ([MC-BUP] appendix A). jbits stays within that unless the link carries
 *       more than {@link #WINDOWS_MAX} in two seconds (a LAN, loopback); then it grows to at most {@link #MAX}. A
 *       server that will not take that many (a 413, BG_E_TOO_LARGE, or a connection closed on a fragment beyond
 *       Windows' size, as a server that refuses by Content-Length may do) gets at most Windows' size from then on,
 *       and less after each further refusal, down to BITS' minimum, {@link #MIN}; below that the upload fails;</li>
 *   <li>multiples of 64 KiB keep a jbits server's writes block-aligned (it writes straight to the disk).</li>
 * </ul>
 *
 * The size does not bound what goes twice after an interruption: a resumed session starts with a {@link #MIN} probe.
 * Not thread-safe: one upload's.
 */
final class FragmentSizer {
    /** BITS' smallest fragment, and the probe a resumed session starts with. */
    static final int MIN = 5 * 1024;
    /** The largest multiple of {@link #ALIGN} under Windows' 13 MB (13,000,000 bytes). */
    static final int WINDOWS_MAX = 12 << 20;
    /** The largest fragment, sent only where two seconds of the link carry that much. */
    static final int MAX = 1 << 30;
    static final int INITIAL = 1 << 20;
    static final int ALIGN = 64 << 10;
    /** The smallest size the rate chooses (a server's 413 may push below it). */
    static final int FLOOR = ALIGN;
    static final long TARGET_NANOS = 2_000_000_000L;
    private static final int GROWTH = 16;

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
     * The server refused a fragment of {@code bytes} as too large: later ones carry at most Windows' size, or half as
     * many as were refused when that was within Windows' size. False when it was already the minimum, so nothing
     * smaller can go.
     */
    boolean tooLarge(long bytes) {
        if (bytes <= MIN) {
            return false;
        }
        if (bytes > WINDOWS_MAX) {
            // A server that takes what Windows sends, but not more: straight to Windows' size.
            ceiling = WINDOWS_MAX;
            size = Math.min(size, ceiling);
            return true;
        }
        long half = Math.max(MIN, bytes / 2);
        ceiling = half >= ALIGN ? half / ALIGN * ALIGN : half;
        size = Math.min(size, ceiling);
        return true;
    }

    /**
     * The connection failed while a fragment of {@code bytes} was sent. Beyond Windows' size that may be a server
     * refusing the size by closing the connection: later fragments keep within Windows' size. True when it did so.
     */
    boolean connectionFailed(long bytes) {
        if (bytes <= WINDOWS_MAX || ceiling <= WINDOWS_MAX) {
            return false;
        }
        ceiling = WINDOWS_MAX;
        size = Math.min(size, ceiling);
        return true;
    }

    /** The size the next full fragment would have (for logs and tests). */
    long current() {
        return Math.min(size, ceiling);
    }
}
