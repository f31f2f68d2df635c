package org.jbits.windows;

import com.sun.jna.platform.win32.WinBase.FILETIME;
import java.time.Instant;

/** FILETIME (100 ns ticks since 1601-01-01 UTC) to and from {@link Instant}. */
final class FileTimes {
    private FileTimes() {
    }

    /** 100 ns ticks between 1601-01-01 and 1970-01-01. */
    static final long EPOCH_DIFFERENCE_TICKS = 116_444_736_000_000_000L;

    /** The instant of {@code ticks}; null for 0, which BITS uses for "not yet" (TransferCompletionTime). */
    static Instant toInstant(long ticks) {
        if (ticks == 0) {
            return null;
        }
        long sinceEpoch = ticks - EPOCH_DIFFERENCE_TICKS;
        return Instant.ofEpochSecond(Math.floorDiv(sinceEpoch, 10_000_000L), Math.floorMod(sinceEpoch, 10_000_000L) * 100);
    }

    /** The instant of a FILETIME structure. */
    static Instant toInstant(FILETIME ft) {
        return toInstant(ticks(ft.dwHighDateTime, ft.dwLowDateTime));
    }

    /** The 64-bit tick count of a FILETIME's two halves. */
    static long ticks(int high, int low) {
        return ((long) high << 32) | (low & 0xFFFFFFFFL);
    }

    /** The FILETIME ticks of {@code t}, truncated to 100 ns. */
    static long toTicks(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 10_000_000L), t.getNano() / 100) + EPOCH_DIFFERENCE_TICKS;
    }
}
