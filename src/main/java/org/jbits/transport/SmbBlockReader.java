package org.jbits.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads {@code [start, end)} of one SMB file with several requests in flight, and hands the blocks over in order.
 *
 * <p>Why: a stream sends one request at a time (of 1 MiB with multi-credit requests, else 64 KiB), so one stream
 * waits a round trip per request. Here {@code readers} streams, each with its own handle on the file, take the
 * next block in turn, so {@code readers} requests are on the wire at once on the one connection; the caller takes
 * the blocks in file order ({@link #next}). At most {@code window} blocks are read ahead of the caller, so a paced
 * caller holds the readers back: the bytes on the wire follow the pace.
 *
 * <p>A block is handed over only once its stream says the bytes are the server's ({@link Stream#receipt}): jcifs-ng
 * decodes a reply that a connection ended in the middle of as if it were whole, and only a later reply on the same
 * connection tells the two apart. A reader keeps its blocks until then, and asks for that later reply itself
 * ({@link Stream#probe}) before it would wait or exit.
 *
 * <p>A failure stops the readers from taking new blocks; the blocks before it are still handed over, then
 * {@link #next} throws it. {@link #abort} (a stop) makes {@link #next} return null at once; the readers finish their
 * current request and exit (no thread is interrupted inside the library).
 */
final class SmbBlockReader implements AutoCloseable {
    /** One stream on the file: positioned by {@link #read}'s offset. */
    interface Stream extends AutoCloseable {
        /**
         * Reads up to {@code dst.remaining()} bytes of the file at {@code position} into {@code dst}, moving its
         * position past them; -1 at its end. After a failure {@code dst} is not reused (a reply on its way may still
         * be written into it).
         */
        int read(long position, ByteBuffer dst) throws IOException;

        /** True once every byte {@link #read} has returned until now is known to be the server's. */
        BooleanSupplier receipt();

        /**
         * Makes sure every byte read until now is the server's (one more round trip at {@code position} when that is
         * not known yet), or fails.
         */
        void probe(long position) throws IOException;

        @Override
        void close();
    }

    /** Opens another stream on the same file (the readers after the first). */
    interface Opener {
        Stream open() throws IOException;
    }

    /**
     * A block in file order: {@code length} bytes at {@code offset}, in {@code data} from 0 to its limit (a direct
     * buffer from {@link DirectBlocks}); give it back with {@link #release}.
     */
    record Block(long offset, ByteBuffer data, int length) {
    }

    private final long end;
    /** Run once, by the last reader to exit. */
    private final Runnable whenDone;
    private final int blockBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private final Map<Long, Block> ready = new HashMap<>();
    private long nextClaim;
    private long nextHand;
    private int running;
    private IOException failure;
    private long failedAt = Long.MAX_VALUE;
    private boolean aborted;
    /** The caller has closed the reader: once the readers have exited too, the blocks go back to the pool. */
    private boolean closed;

    /**
     * Starts the readers on {@code tasks}: the first with {@code first} (opened by the caller, so that opening errors
     * come before any byte), the others each with a stream from {@code opener}; {@code whenDone} runs when the last
     * reader has exited and closed its stream.
     */
    SmbBlockReader(Stream first, Opener opener, Runnable whenDone, long start, long end, int readers, int blockBytes,
            int window, Executor tasks) {
        this.end = end;
        this.whenDone = whenDone;
        this.blockBytes = blockBytes;
        this.nextClaim = start;
        this.nextHand = start;
        long blocks = Math.max(1, (end - start + blockBytes - 1) / blockBytes);
        int n = (int) Math.min(readers, blocks);
        for (int i = 0; i < Math.min(window, blocks + n); i++) {
            free.add(DirectBlocks.take(blockBytes));
        }
        running = n;
        for (int i = 0; i < n; i++) {
            Stream s = i == 0 ? first : null;
            try {
                tasks.execute(() -> readLoop(s, opener));
            } catch (RejectedExecutionException e) {
                if (s != null) {
                    s.close();
                }
                finished(new IOException("the SMB reader threads have stopped", e), Long.MAX_VALUE);
            }
        }
    }

    /** The next block in file order; null at the end or after {@link #abort}. Throws the readers' first failure. */
    Block next() throws IOException, InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (aborted || nextHand >= end) {
                    return null;
                }
                Block b = ready.remove(nextHand);
                if (b != null) {
                    nextHand += b.length();
                    return b;
                }
                if (failure != null && (running == 0 || failedAt <= nextHand)) {
                    throw failure;
                }
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives a block's buffer back to the readers. */
    void release(Block b) {
        lock.lock();
        try {
            if (closed && running == 0) {
                DirectBlocks.giveBack(b.data());
            } else {
                free.add(b.data());
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops: {@link #next} returns null, the readers exit after their current request. */
    void abort() {
        lock.lock();
        try {
            aborted = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Aborts and closes what is not in use; a reader still in a request closes its own stream when it returns. The
     * blocks go back to the pool once no reader runs (the last one to exit gives them back otherwise); a block still
     * with the caller goes back when it is released.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            aborted = true;
            closed = true;
            changed.signalAll();
            recycle();
        } finally {
            lock.unlock();
        }
    }

    /** Once closed and no reader runs: the free and unclaimed blocks go back to the pool. Under the lock. */
    private void recycle() {
        if (!closed || running > 0) {
            return;
        }
        while (!free.isEmpty()) {
            DirectBlocks.giveBack(free.poll());
        }
        for (Block b : ready.values()) {
            DirectBlocks.giveBack(b.data());
        }
        ready.clear();
    }

    private void readLoop(Stream given, Opener opener) {
        Stream s = given;
        // Read by this reader, not yet known to be the server's bytes: not handed over (in file order).
        List<Held> held = new ArrayList<>(2);
        // The block being read or probed for: where a failure falls, unless a held block comes before it.
        long at = Long.MAX_VALUE;
        IOException failed = null;
        try {
            if (s == null) {
                s = opener.open();
            }
            while (true) {
                ByteBuffer buf = null;
                int len = 0;
                boolean stop;
                lock.lock();
                try {
                    // Never wait holding blocks: the caller may be waiting for them.
                    while (held.isEmpty() && !aborted && failure == null && nextClaim < end && free.isEmpty()) {
                        changed.await();
                    }
                    stop = aborted;
                    if (!aborted && failure == null && nextClaim < end && !free.isEmpty()) {
                        at = nextClaim;
                        len = (int) Math.min(blockBytes, end - at);
                        nextClaim += len;
                        buf = free.poll().clear().limit(len);
                    }
                } finally {
                    lock.unlock();
                }
                if (buf == null) {
                    if (held.isEmpty() || stop) {
                        break;
                    }
                    at = held.get(0).block().offset();
                    s.probe(at);
                    handOver(held, true);
                    at = Long.MAX_VALUE;
                    continue;
                }
                long claimed = at;
                while (buf.hasRemaining()) {
                    int n = s.read(claimed + buf.position(), buf);
                    if (n <= 0) {
                        throw new EOFException("the file ended at byte " + (claimed + buf.position()) + ", before byte "
                                + end);
                    }
                }
                buf.flip();
                held.add(new Held(new Block(claimed, buf, len), s.receipt()));
                handOver(held, false);
                at = Long.MAX_VALUE;
            }
        } catch (IOException e) {
            failed = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = new InterruptedIOException("interrupted");
        } catch (RuntimeException e) {
            failed = new IOException(e.toString(), e);
        } finally {
            if (s != null) {
                s.close();
            }
        }
        if (failed != null) {
            // The blocks already known whole before the failure are still the caller's.
            handOver(held, false);
            if (!held.isEmpty()) {
                at = Math.min(at, held.get(0).block().offset());
            }
        }
        // After the stream is closed: the last reader's whenDone may close what the streams were opened on.
        finished(failed, failed == null ? Long.MAX_VALUE : at);
    }

    /** Hands over the held blocks known whole (all of them when {@code all}: the stream has just made sure). */
    private void handOver(List<Held> held, boolean all) {
        lock.lock();
        try {
            boolean any = false;
            for (var it = held.iterator(); it.hasNext(); ) {
                Held h = it.next();
                if (all || h.receipt().getAsBoolean()) {
                    ready.put(h.block().offset(), h.block());
                    it.remove();
                    any = true;
                }
            }
            if (any) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A block and the receipt that says when its bytes are known to be the server's. */
    private record Held(Block block, BooleanSupplier receipt) {
    }

    private void finished(IOException e, long at) {
        boolean last;
        lock.lock();
        try {
            running--;
            last = running == 0;
            if (last) {
                recycle();
            }
            if (e != null && (failure == null || at < failedAt)) {
                failure = e;
                failedAt = at;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (last) {
            whenDone.run();
        }
    }
}
