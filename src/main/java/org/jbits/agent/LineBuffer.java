package org.jbits.agent;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The bytes received on one connection while a request line is assembled. The length limit is enforced as the bytes
 * arrive ({@link #append} refuses to hold more than {@code maxLine} bytes without a newline), so a line that never
 * ends costs at most that much memory, not everything the client sends. The buffer starts empty, grows by doubling,
 * and shrinks back after a large line, so an idle connection holds (almost) nothing.
 */
final class LineBuffer {
    private static final byte[] EMPTY = new byte[0];
    private static final int FIRST = 512;

    private final int maxLine;
    private byte[] buf = EMPTY;
    private int length;
    /** {@code buf[0..scanned)} holds no newline. */
    private int scanned;

    LineBuffer(int maxLine) {
        this.maxLine = maxLine;
    }

    /** The outcome of {@link #append}. */
    enum Result {
        /** The bytes were taken; no line is complete yet. */
        PARTIAL,
        /** A complete line is waiting for {@link #takeLine()}. */
        LINE,
        /** The line being assembled is longer than the limit; nothing more should be read. */
        TOO_LONG,
        /** The budget refused the memory the line needs; {@code src} was left untouched. */
        NO_MEMORY
    }

    /**
     * Takes the remaining bytes of {@code src}, as far as the limit allows. {@code budget} is told of every change
     * in the memory held, and may refuse growth ({@link Budget#grow} false: {@link Result#NO_MEMORY}).
     */
    Result append(ByteBuffer src, Budget budget) {
        if (hasLine()) {
            return Result.LINE;
        }
        int room = maxLine + 1 - length;
        int n = Math.min(src.remaining(), room);
        if (n <= 0) {
            return Result.TOO_LONG;
        }
        if (length + n > buf.length) {
            int size = Math.max(FIRST, buf.length);
            while (size < length + n) {
                size *= 2;
            }
            size = Math.min(size, maxLine + 1);
            if (!budget.grow(size - buf.length)) {
                return Result.NO_MEMORY;
            }
            buf = Arrays.copyOf(buf, size);
        }
        src.get(buf, length, n);
        length += n;
        if (hasLine()) {
            return Result.LINE;
        }
        return length > maxLine ? Result.TOO_LONG : Result.PARTIAL;
    }

    /** True when a complete line has been received (a newline within the first {@code maxLine + 1} bytes). */
    boolean hasLine() {
        for (; scanned < length; scanned++) {
            if (buf[scanned] == '\n') {
                return true;
            }
        }
        return false;
    }

    /**
     * Removes the first complete line and returns it without its newline (null when there is none); the bytes
     * after it stay for the next line. A buffer grown for a large line is given back.
     */
    byte[] takeLine(Budget budget) {
        if (!hasLine()) {
            return null;
        }
        byte[] line = Arrays.copyOf(buf, scanned);
        int rest = length - scanned - 1;
        if (rest == 0 && buf.length > FIRST) {
            budget.release(buf.length);
            buf = EMPTY;
        } else {
            System.arraycopy(buf, scanned + 1, buf, 0, rest);
        }
        length = rest;
        scanned = 0;
        return line;
    }

    /** How many more bytes {@link #append} takes now. */
    int room() {
        return maxLine + 1 - length;
    }

    /** True when bytes of an unfinished line are held. */
    boolean hasPartial() {
        return length > 0;
    }

    /** The memory held, in bytes. */
    int capacity() {
        return buf.length;
    }

    /** Gives back everything (the connection is closing). */
    void release(Budget budget) {
        budget.release(buf.length);
        buf = EMPTY;
        length = 0;
        scanned = 0;
    }

    /** A shared limit on the memory all connections' buffers may hold. */
    interface Budget {
        /** Asks for {@code bytes} more; false when that would pass the limit. */
        boolean grow(int bytes);

        /** Gives {@code bytes} back. */
        void release(int bytes);
    }
}
