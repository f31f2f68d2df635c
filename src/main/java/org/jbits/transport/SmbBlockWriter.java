package org.jbits.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes one SMB file from {@code start} on with several requests in flight: the caller fills blocks in file order
 * ({@link #buffer}, {@link #submit}), {@code writers} streams (each with its own handle on the file) take them in turn,
 * and {@link #written} is the end of the contiguous run of blocks the server has acknowledged, the only offset an
 * upload may record as being on the share (a later block may be written before an earlier one).
 *
 * <p>Why: a stream sends one request at a time (of 1 MiB with multi-credit requests, else at most 64 KiB: Samba
 * refuses a larger request whose credit charge is 1), so one stream waits a round trip per request; with {@code writers}
 * streams that many requests are on the wire at once. At most {@code window} blocks are held (filled, queued or
 * being written), so a paced caller holds the writers back, and no block ends more than {@code window} blocks past
 * {@link #written} ({@link #buffer}).
 *
 * <p>A failure stops the writers from taking new blocks; {@link #buffer}, {@link #submit} and {@link #drain} then
 * throw it (the blocks acknowledged before it still count in {@link #written}). {@link #abort} (a stop) makes them
 * return at once; the writers finish their current request and exit (no thread is interrupted in the library).
 */
final class SmbBlockWriter implements AutoCloseable {
    /** One stream on the file: positioned by {@link #write}'s offset. */
    interface Stream extends AutoCloseable {
        /** Writes the remaining bytes of {@code data} at {@code position} of the file (its position may move). */
        void write(long position, ByteBuffer data) throws IOException;

        @Override
        void close();
    }

    /** Opens another stream on the same file (the writers after the first). */
    interface Opener {
        Stream open() throws IOException;
    }

    /** A block from {@link #buffer}, its bytes between its position and limit (neither moved once submitted). */
    private record Block(long offset, ByteBuffer data, int length) {
    }

    private final Runnable whenDone;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private final ArrayDeque<Block> queued = new ArrayDeque<>();
    /** Blocks written past {@link #written}: offset to end. */
    private final TreeMap<Long, Long> done = new TreeMap<>();
    private long written;
    private int inFlight;
    private int running;
    /** Writers that have begun to exit; the last one runs {@code whenDone}. */
    private int exiting;
    private final int writers;
    private final int blockBytes;
    private final long windowBytes;
    private IOException failure;
    private boolean aborted;
    private boolean closing;

    /**
     * Starts the writers on {@code tasks}: the first with {@code first} (opened by the caller, so that opening errors
     * come before any byte is read), the others each with a stream from {@code opener}; {@code whenDone} runs when the
     * last writer has exited and closed its stream.
     */
    SmbBlockWriter(Stream first, Opener opener, Runnable whenDone, long start, int writers, int blockBytes, int window,
            Executor tasks) {
        this.whenDone = whenDone;
        this.writers = writers;
        this.blockBytes = blockBytes;
        this.windowBytes = (long) window * blockBytes;
        this.written = start;
        for (int i = 0; i < Math.max(window, writers); i++) {
            free.add(block(blockBytes));
        }
        running = writers;
        for (int i = 0; i < writers; i++) {
            Stream s = i == 0 ? first : null;
            try {
                tasks.execute(() -> writeLoop(s, opener));
            } catch (RejectedExecutionException e) {
                if (s != null) {
                    s.close();
                }
                finished(new IOException("the SMB writer threads have stopped", e));
            }
        }
    }

    /**
     * A free block to fill for {@code offset}, cleared (waits for one, and until the block would end within {@code window}
     * blocks of {@link #written}); null after {@link #abort}. Throws the writers' first failure.
     *
     * <p>The second wait is what lets a resume trust the file's size: no byte at or past {@code written + window x
     * blockBytes} is ever sent, so every byte below {@code size - window x blockBytes} of the file on the share is
     * there, however long one request stalls while the others complete.
     */
    ByteBuffer buffer(long offset) throws IOException, InterruptedException {
        lock.lock();
        try {
            while (!aborted && failure == null && (free.isEmpty() || offset + blockBytes > written + windowBytes)) {
                changed.await();
            }
            if (failure != null) {
                throw failure;
            }
            return aborted ? null : free.poll().clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues the remaining bytes of {@code data} (from {@link #buffer}, at most its capacity) for {@code offset}, the
     * next in file order.
     */
    void submit(long offset, ByteBuffer data) throws IOException {
        lock.lock();
        try {
            if (failure != null) {
                throw failure;
            }
            queued.add(new Block(offset, data, data.remaining()));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The end of the run of bytes from the start that the server has acknowledged. */
    long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every submitted block is written (or {@link #abort}); throws the writers' first failure. */
    void drain() throws IOException, InterruptedException {
        lock.lock();
        try {
            while (!aborted && failure == null && (!queued.isEmpty() || inFlight > 0)) {
                changed.await();
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops: the writers take no more blocks and exit after their current request; waits return. */
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
     * Lets the writers exit (after the blocks queued, unless aborted) and waits until they have closed their streams,
     * so that the file may be renamed or its times set.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
            boolean interrupted = false;
            while (running > 0) {
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                    aborted = true;
                }
            }
            // No writer is left to send them: free, and queued ones an abort left behind, go back to the pool.
            while (!free.isEmpty()) {
                giveBack(free.poll());
            }
            while (!queued.isEmpty()) {
                giveBack(queued.poll().data());
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    private static ByteBuffer block(int bytes) {
        return DirectBlocks.take(bytes);
    }

    private static void giveBack(ByteBuffer b) {
        DirectBlocks.giveBack(b);
    }

    private void writeLoop(Stream given, Opener opener) {
        Stream s = given;
        IOException failed = null;
        try {
            if (s == null) {
                s = opener.open();
            }
            while (true) {
                Block b;
                lock.lock();
                try {
                    while (!aborted && failure == null && queued.isEmpty() && !closing) {
                        changed.await();
                    }
                    if (aborted || failure != null || queued.isEmpty()) {
                        break;
                    }
                    b = queued.poll();
                    inFlight++;
                } finally {
                    lock.unlock();
                }
                boolean ok = false;
                IOException refused = null;
                try {
                    s.write(b.offset(), b.data().duplicate());
                    ok = true;
                } catch (IOException e) {
                    refused = e;
                } catch (RuntimeException e) {
                    refused = new IOException(e.toString(), e);
                } catch (Error e) {
                    refused = new IOException(e.toString(), e);
                    throw e;
                } finally {
                    lock.lock();
                    try {
                        inFlight--;
                        if (ok) {
                            done.put(b.offset(), b.offset() + b.length());
                            Long end;
                            while ((end = done.remove(written)) != null) {
                                written = end;
                            }
                        } else if (failure == null) {
                            // Recorded with the block's end, not after this stream's close (a round trip): in
                            // between, drain would see nothing queued, nothing in flight and no failure.
                            failure = refused != null ? refused : new IOException("an SMB write failed");
                        }
                        free.add(b.data());
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
                if (refused != null) {
                    throw refused;
                }
            }
        } catch (IOException e) {
            failed = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = new InterruptedIOException("interrupted");
        } catch (RuntimeException e) {
            failed = new IOException(e.toString(), e);
        } catch (Error e) {
            // Still a failure the caller sees (and the writer counted out, so close returns); the Error goes on.
            failed = new IOException(e.toString(), e);
            throw e;
        } finally {
            try {
                if (s != null) {
                    s.close();
                }
            } finally {
                finished(failed);
            }
        }
    }

    private void finished(IOException e) {
        boolean last;
        lock.lock();
        try {
            last = ++exiting == writers;
            if (e != null && failure == null) {
                failure = e;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (last) {
            // Before the count reaches 0: close() returns only once what the streams were opened on is closed too.
            whenDone.run();
        }
        lock.lock();
        try {
            running--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
