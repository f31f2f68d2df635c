package org.jbits.file;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.jbits.transport.TransferException;

/**
 * The back half of a {@link DurableFile}: its staging buffers, the queue of full ones, and the two tasks that work
 * it off on the executor given — a writer that checksums a batch of at most {@code batchBytes}, writes it with one
 * gathering write and reports it as a range before it writes the next, and a checkpoint task that forces what the
 * writer wrote and reports the offset, never holding the writer up. At most one of each runs at a time.
 */
final class WritePipeline {
    /** Staging buffers a file starts with: enough for a link slower than the disk. */
    static final int MIN_BUFFERS = 2;
    /**
     * At most this many: a fast link gets more while the writer is behind (direct writes are synchronous and come in
     * bursts). Measured here, 1 GiB through the engine (medians of 5): 0.85-0.99 s with 8, 0.67-0.87 s with 16, no
     * better with 32.
     */
    static final int MAX_BUFFERS = 16;
    /**
     * How long the writer waits for more buffers to write with the ones it has, when they are short of a batch: at a
     * gigabyte a second a 4 MiB batch fills in 4 ms; on a slower link the wait only delays each write a little.
     */
    static final long COALESCE_NANOS = 5_000_000L;

    /** A staging buffer and the file offset of its first byte. */
    static final class Chunk {
        final ByteBuffer buf;
        long fileOffset;

        Chunk(ByteBuffer buf) {
            this.buf = buf;
        }
    }

    private final String name;
    private final DirectWriter out;
    private final StagingPool pool;
    private final int stage;
    private final Executor tasks;
    private final LongSupplier nanoClock;
    private final FileSink sink;
    private final long batchBytes;
    private final long syncBytes;
    private final long syncNanos;
    private final long notifyNanos;

    private final ReentrantLock lock = new ReentrantLock();
    /** A buffer came back from the writer, or the file failed. */
    private final Condition bufferFreed = lock.newCondition();
    /** The writer or the checkpoint task finished, or the file failed. */
    private final Condition idle = lock.newCondition();
    /** A buffer was queued, or the file is draining or failed: for a writer gathering a batch. */
    private final Condition queued = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();
    private final ArrayDeque<Chunk> full = new ArrayDeque<>();
    private int buffers;
    private boolean writerRunning;
    private boolean checkpointRunning;
    private boolean draining;
    /** The producer waits for a free buffer: no more comes until the writer writes. */
    private boolean producerWaiting;
    private Exception error;
    /** Bytes written to the file and reported as ranges. */
    private long written;
    /** Bytes forced to disk and reported as checkpointed. */
    private long checkpoint;
    private long lastSyncNanos;
    private long lastNotifyNanos;

    /** A pipeline writing {@code out} from {@code offset} on, with the buffers every transfer gets. */
    WritePipeline(String name, DirectWriter out, long offset, StagingPool pool, Executor tasks, LongSupplier nanoClock,
            DurableFile.Options options, FileSink sink) {
        this.name = name;
        this.out = out;
        this.pool = pool;
        this.stage = pool.bufferBytes();
        this.tasks = tasks;
        this.nanoClock = nanoClock;
        this.sink = sink;
        this.batchBytes = Math.max(2L * stage, options.batchBytes());
        this.syncBytes = Math.max(batchBytes, options.syncBytes());
        this.syncNanos = options.syncNanos();
        this.notifyNanos = options.notifyNanos();
        this.written = offset;
        this.checkpoint = offset;
        long now = nanoClock.getAsLong();
        this.lastSyncNanos = now;
        this.lastNotifyNanos = now;
        for (int i = 0; i < MIN_BUFFERS; i++) {
            free.add(new Chunk(pool.take(true)));
        }
        buffers = MIN_BUFFERS;
    }

    /**
     * A free staging buffer for the bytes from {@code offset}: one the writer gave back, a new one from the pool,
     * or the next the writer frees. It ends on a block boundary of the file, so that the buffers after it can be
     * written directly.
     */
    Chunk take(long offset) throws TransferException {
        lock.lock();
        try {
            while (free.isEmpty()) {
                checkError();
                if (buffers < MAX_BUFFERS) {
                    // Outside the lock: the pool may have to allocate, and the writer hands buffers back meanwhile.
                    lock.unlock();
                    ByteBuffer more;
                    try {
                        more = pool.take(false);
                    } finally {
                        lock.lock();
                    }
                    if (more != null) {
                        free.add(new Chunk(more));
                        buffers++;
                        continue;
                    }
                }
                // Every other buffer is queued or being written: the writer signals when one comes back (and a
                // writer gathering a batch stops waiting for more).
                producerWaiting = true;
                queued.signalAll();
                try {
                    bufferFreed.await();
                } finally {
                    producerWaiting = false;
                }
            }
            Chunk c = free.poll();
            c.fileOffset = offset;
            c.buf.clear().limit(out.alignedLimit(offset, stage));
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        } finally {
            lock.unlock();
        }
    }

    /** A buffer taken and not filled after all. */
    void giveBack(Chunk c) {
        lock.lock();
        try {
            free.add(c);
        } finally {
            lock.unlock();
        }
    }

    /** Queues a filled buffer for the writer, starting it when it is not running. */
    void submit(Chunk c) throws TransferException {
        boolean start;
        lock.lock();
        try {
            checkError();
            c.buf.flip();
            full.add(c);
            queued.signalAll();
            start = !writerRunning;
            writerRunning = true;
        } finally {
            lock.unlock();
        }
        if (start) {
            run(this::writeLoop, true);
        }
    }

    /** Runs a task on the executor; a refused task fails the file rather than leaving its flag set. */
    private void run(Runnable task, boolean writer) {
        try {
            tasks.execute(task);
        } catch (RejectedExecutionException e) {
            fail(new IOException("the engine's I/O tasks have stopped", e), writer, !writer);
        }
    }

    void checkError() throws TransferException {
        lock.lock();
        try {
            if (error != null) {
                IOException io = error instanceof IOException e ? e : new IOException(error.toString(), error);
                throw FileErrors.toTransfer("cannot write " + name, io);
            }
        } finally {
            lock.unlock();
        }
    }

    private TransferException interrupted() {
        return TransferException.localFile("interrupted while writing " + name, new InterruptedIOException());
    }

    /**
     * Records the file's first failure and wakes everyone waiting. {@code writerEnded}/{@code checkpointEnded}: the
     * failing task is the writer or the checkpoint task, which ends with it (the other may still be running).
     */
    void fail(Exception e, boolean writerEnded, boolean checkpointEnded) {
        lock.lock();
        try {
            if (error == null) {
                error = e;
            }
            writerRunning &= !writerEnded;
            checkpointRunning &= !checkpointEnded;
            bufferFreed.signalAll();
            idle.signalAll();
            queued.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The writer task: the queued buffers to disk, in order, a batch of at most {@code batchBytes} at a time. */
    private void writeLoop() {
        List<Chunk> batch = new ArrayList<>();
        try {
            while (true) {
                long start;
                lock.lock();
                try {
                    if (full.isEmpty() || error != null) {
                        writerRunning = false;
                        idle.signalAll();
                        return;
                    }
                    long bytes = 0;
                    long wait = COALESCE_NANOS;
                    while (true) {
                        while (!full.isEmpty() && (batch.isEmpty() || bytes + full.peek().buf.remaining() <= batchBytes)) {
                            bytes += full.peek().buf.remaining();
                            batch.add(full.poll());
                        }
                        // A batch short of batchBytes waits a moment for the next buffers, while they can come: a
                        // direct write is synchronous, and one of a single 1 MiB buffer keeps the disk waiting
                        // between writes (measured here: 1 GiB written with O_DIRECT in 1 MiB writes 0.83 s, in 4 MiB
                        // writes 0.66 s).
                        if (!full.isEmpty() || bytes + stage > batchBytes || draining || error != null || wait <= 0
                                || producerWaiting) {
                            break;
                        }
                        try {
                            wait = queued.awaitNanos(wait);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                    start = written;
                } finally {
                    lock.unlock();
                }
                long end = writeBatch(start, batch);
                boolean notify;
                lock.lock();
                try {
                    written = end;
                    free.addAll(batch);
                    batch.clear();
                    bufferFreed.signalAll();
                    long now = nanoClock.getAsLong();
                    notify = now - lastNotifyNanos >= notifyNanos;
                    if (notify) {
                        lastNotifyNanos = now;
                    }
                    scheduleCheckpointIfDue(now);
                } finally {
                    lock.unlock();
                }
                if (notify) {
                    sink.progressed(end);
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(e, true, false);
        }
    }

    /** Checksums and writes one batch, then reports it as a range: only then may the next batch be written. */
    private long writeBatch(long start, List<Chunk> batch) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer[] bufs = new ByteBuffer[batch.size()];
        long end = start;
        for (int i = 0; i < bufs.length; i++) {
            Chunk c = batch.get(i);
            if (c.fileOffset != end) {
                throw new IllegalStateException("buffer for offset " + c.fileOffset + ", file at " + end);
            }
            bufs[i] = c.buf;
            crc.update(c.buf.duplicate());
            end += c.buf.remaining();
        }
        out.write(start, bufs);
        sink.rangeWritten(start, end, crc.getValue());
        return end;
    }

    /** Call with the lock held. */
    private void scheduleCheckpointIfDue(long now) {
        long ahead = written - checkpoint;
        boolean due = ahead > 0 && (ahead >= syncBytes || now - lastSyncNanos >= syncNanos);
        if (due && !checkpointRunning && !draining && error == null) {
            checkpointRunning = true;
            run(this::checkpointTask, false);
        }
    }

    /** The checkpoint task: forces what the writer wrote, then reports it. */
    private void checkpointTask() {
        try {
            long upTo;
            long held;
            lock.lock();
            try {
                upTo = written;
                held = checkpoint;
            } finally {
                lock.unlock();
            }
            out.force(false);
            // A file (or directory) deleted meanwhile would take every byte with it: stop now, not at Complete.
            out.ensureLinked();
            if (upTo != held) {
                sink.checkpointed(upTo, false);
            }
            lock.lock();
            try {
                checkpoint = Math.max(checkpoint, upTo);
                lastSyncNanos = nanoClock.getAsLong();
                checkpointRunning = false;
                idle.signalAll();
                scheduleCheckpointIfDue(lastSyncNanos);
            } finally {
                lock.unlock();
            }
        } catch (IOException | RuntimeException e) {
            fail(e, false, true);
        }
    }

    /** Waits until the writer wrote everything queued and no checkpoint task runs; no new checkpoint is started. */
    void drain() throws TransferException {
        lock.lock();
        try {
            draining = true;
            queued.signalAll();
            while ((writerRunning || checkpointRunning) && error == null) {
                idle.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        } finally {
            lock.unlock();
        }
        checkError();
    }

    /** Bytes written and reported as ranges. */
    long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes forced and reported as checkpointed. */
    long checkpoint() {
        lock.lock();
        try {
            return checkpoint;
        } finally {
            lock.unlock();
        }
    }

    /** After a force of everything written (by the caller, with the writer drained): the checkpoint is all of it. */
    void checkpointed(long upTo) {
        lock.lock();
        try {
            checkpoint = Math.max(checkpoint, upTo);
        } finally {
            lock.unlock();
        }
    }

    /** Gives the staging buffers back to the pool, unless a writer that outlived {@link #drain} may still use them. */
    void release(Chunk current) {
        lock.lock();
        try {
            draining = true;
            if (current != null) {
                free.add(current);
            }
            int returned = 0;
            if (!writerRunning) {
                for (Chunk c : free) {
                    pool.give(c.buf);
                    returned++;
                }
                for (Chunk c : full) {
                    pool.give(c.buf);
                    returned++;
                }
            }
            // A writer that failed mid-batch dropped that batch's buffers; one still running holds some.
            pool.forget(buffers - returned);
            free.clear();
            full.clear();
            buffers = 0;
        } finally {
            lock.unlock();
        }
    }
}
