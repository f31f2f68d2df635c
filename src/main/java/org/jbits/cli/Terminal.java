package org.jbits.cli;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * The width of the terminal standard error is on: {@code ioctl(2, TIOCGWINSZ)} (0x5413 on Linux, x86-64 and
 * AArch64 alike), asked again at most every {@link #RECHECK_NANOS} so a resized window is followed; else the
 * {@code COLUMNS} variable; else 80. Loaded only when a progress line is drawn on a terminal.
 */
final class Terminal {
    private static final long TIOCGWINSZ = 0x5413;
    private static final long RECHECK_NANOS = 1_000_000_000L;
    private static final int FALLBACK = 80;

    interface LibC extends Library {
        int ioctl(int fd, NativeLong request, Memory winsize) throws LastErrorException;
    }

    private static LibC libc;
    private static boolean loaded;

    private final int fd;
    private int width;
    private int rows;
    private long checkedAt;
    private boolean checked;

    /** The terminal of standard error. */
    Terminal() {
        this(2);
    }

    /** The terminal of descriptor {@code fd} (1 standard output, 2 standard error). */
    Terminal(int fd) {
        this.fd = fd;
    }

    /** The number of columns now. */
    int width() {
        check();
        return width;
    }

    /** The number of rows now (24 when unknown). */
    int rows() {
        check();
        return rows;
    }

    private void check() {
        long now = System.nanoTime();
        if (!checked || now - checkedAt > RECHECK_NANOS) {
            int[] wr = query(fd);
            width = wr[0];
            rows = wr[1];
            checkedAt = now;
            checked = true;
        }
    }

    private static int[] query(int fd) {
        int[] given = Io.current().terminalSize(fd);
        if (given != null) {
            return given;
        }
        LibC c = lib();
        if (c != null) {
            try (Memory ws = new Memory(8)) {
                ws.clear();
                c.ioctl(fd, new NativeLong(TIOCGWINSZ), ws);
                int rows = ws.getShort(0) & 0xffff;
                int cols = ws.getShort(2) & 0xffff;
                if (cols > 0) {
                    return new int[]{cols, rows > 0 ? rows : 24};
                }
            } catch (LastErrorException | UnsatisfiedLinkError e) {
                // not a terminal after all: fall back
            }
        }
        try {
            int cols = Integer.parseInt(java.util.Objects.requireNonNullElse(Io.current().env("COLUMNS"), "").trim());
            if (cols > 0) {
                return new int[]{cols, 24};
            }
        } catch (NumberFormatException e) {
            // unset or not a number
        }
        return new int[]{FALLBACK, 24};
    }

    private static synchronized LibC lib() {
        if (!loaded) {
            loaded = true;
            if (Platform.isLinux()) {
                try {
                    libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
                } catch (UnsatisfiedLinkError e) {
                    libc = null;
                }
            }
        }
        return libc;
    }
}
