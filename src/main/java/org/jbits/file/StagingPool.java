package org.jbits.file;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The engine's staging buffers, shared by its transfers: direct, page-aligned (so a direct write can take them),
 * reused from one file to the next instead of left to the garbage collector, whose direct memory is freed only
 * when a collection happens to run.
 *
 * <p>A transfer always gets the few buffers it needs to move at all ({@link #take(boolean) take(true)}); beyond
 * those it gets more only while all transfers together hold less than {@code capacityBytes}.
 */
public final class StagingPool {
    /** The alignment of every buffer: a page, which covers the block size of the usual file systems. */
    static final int ALIGN = 4096;

    private final int bufferBytes;
    private final long capacityBytes;
    private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>();
    /** Bytes of the buffers handed out and not yet given back. */
    private long lentBytes;

    public StagingPool(int bufferBytes, long capacityBytes) {
        if (bufferBytes % ALIGN != 0) {
            throw new IllegalArgumentException("buffer size " + bufferBytes + " is not a multiple of " + ALIGN);
        }
        this.bufferBytes = bufferBytes;
        this.capacityBytes = capacityBytes;
    }

    int bufferBytes() {
        return bufferBytes;
    }

    /**
     * A cleared buffer, or {@code null} when the pool is at its capacity and {@code needed} is false. A buffer that
     * cannot be allocated (the JVM's direct memory is used up) is {@code null} too, unless {@code needed}.
     */
    ByteBuffer take(boolean needed) {
        synchronized (this) {
            if (!needed && lentBytes + bufferBytes > capacityBytes) {
                return null;
            }
            lentBytes += bufferBytes;
            ByteBuffer b = idle.poll();
            if (b != null) {
                return b.clear();
            }
        }
        try {
            // Outside the lock: allocating may wait for a garbage collection to free direct memory.
            return ByteBuffer.allocateDirect(bufferBytes + ALIGN).alignedSlice(ALIGN).slice(0, bufferBytes);
        } catch (OutOfMemoryError e) {
            synchronized (this) {
                lentBytes -= bufferBytes;
            }
            if (needed) {
                throw e;
            }
            return null;
        }
    }

    /** Takes back a buffer from {@link #take}; its user must be done with it for good. */
    synchronized void give(ByteBuffer b) {
        lentBytes -= bufferBytes;
        if (idle.size() * (long) bufferBytes + lentBytes < capacityBytes) {
            idle.push(b);
        }
    }

    /** Takes back {@code count} buffers that are left to the garbage collector (their user may still touch them). */
    synchronized void forget(int count) {
        lentBytes -= (long) count * bufferBytes;
    }

    synchronized long lentBytes() {
        return lentBytes;
    }

    synchronized int idleBuffers() {
        return idle.size();
    }
}
