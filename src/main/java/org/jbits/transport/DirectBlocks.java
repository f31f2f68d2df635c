package org.jbits.transport;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The direct buffers SMB transfers move their data in ({@link SmbBlockReader}, {@link SmbBlockWriter}): the socket
 * reads into them and writes from them, and the local file is read into them, without a copy in this process. A
 * direct buffer's memory is returned only when a collection finds it, so the blocks of transfers that have ended are
 * kept for the next ones, at most {@link #POOLED} of them.
 *
 * <p>A block goes back ({@link #giveBack}) only once nothing can still write into it: a block whose read failed may
 * still be written into by a reply on its way, and is left to the collector instead.
 */
final class DirectBlocks {
    static final int POOLED = 32;
    private static final ConcurrentLinkedDeque<ByteBuffer> POOL = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger SIZE = new AtomicInteger();

    private DirectBlocks() {
    }

    /** A cleared direct buffer of {@code bytes}: a pooled one when there is one of that size. */
    static ByteBuffer take(int bytes) {
        ByteBuffer b = POOL.poll();
        if (b != null) {
            SIZE.decrementAndGet();
            if (b.capacity() == bytes) {
                return b.clear();
            }
        }
        return ByteBuffer.allocateDirect(bytes);
    }

    /** Keeps {@code b} for a later {@link #take} (dropped when {@link #POOLED} are kept already). */
    static void giveBack(ByteBuffer b) {
        if (!b.isDirect()) {
            return;
        }
        if (SIZE.incrementAndGet() <= POOLED) {
            POOL.push(b);
        } else {
            SIZE.decrementAndGet();
        }
    }

    /** How many are kept now (for tests). */
    static int pooled() {
        return SIZE.get();
    }
}
