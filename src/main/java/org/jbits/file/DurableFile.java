package org.jbits.file;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.jbits.transport.DownloadTarget;
import org.jbits.transport.TransferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file written in order that never claims a byte its record cannot vouch for: a download's temporary file (and,
 * later, an upload server's received file).
 *
 * <p>Two records cover the bytes, both reported to a {@link Sink}: a <em>checkpoint</em>, taken at least every
 * {@link Options#syncNanos} and every {@link Options#syncBytes}, forces the file to disk and only then reports the
 * offset; in between, every batch of at most {@link Options#batchBytes} handed to the file system is reported as a
 * range with its CRC-32C before the next batch is written. After a crash the ranges are read back and kept as far
 * as they match ({@link Segments#verify}); an agent killed with {@code kill -9} loses at most one batch.
 *
 * <p>The producer (a transport's thread) reads straight into staging buffers ({@link #readFrom}); a writer task
 * checksums full buffers and writes a batch with one gathering write ({@link DirectWriter}: block-aligned runs
 * straight to the disk); a checkpoint task forces and reports while the writer goes on. Both tasks run on the
 * {@link Executor} given (the engine's), at most one of each per file at a time. Staging buffers end on the file's
 * block boundaries, so after at most one buffer (a resume from an unaligned checkpoint) every full buffer can be
 * written directly. Time comes from the clock given, so tests drive checkpoint timing.
 *
 * <p>Nothing here knows the engine: what the records mean to a job is the sink's business.
 */
public final class DurableFile implements DownloadTarget, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableFile.class);
    /** Staging buffers a file starts with: enough for a link slower than the disk. */
    static final int MIN_BUFFERS = 2;
    /**
     * At most this many: a fast link gets more while the writer is behind (direct writes are synchronous and come in
     * bursts). Measured here, 1 GiB through the engine (medians of 5): 0.85-0.99 s with 8, 0.67-0.87 s with 16, no
     * better with 32.
     */
    static final int MAX_BUFFERS = 16;

    /**
     * Where a durable file reports what it has made safe. Calls come from the producer's thread ({@link #begun},
     * {@link #finished}), the writer task ({@link #rangeWritten}, {@link #progressed}) and the checkpoint task
     * ({@link #checkpointed}); an implementation must take them from several threads. A sink that throws fails the
     * file (the transfer then stops with a local-file error).
     */
    public interface Sink {
        /**
         * The file holds exactly {@code [0, offset)} of the version {@code validator} (null: none known) whose size is
         * {@code total} (-1: unknown), forced to disk; no range past {@code offset} counts any more. Recorded
         * durably before it returns: the first byte of a new body is written only after.
         */
        void begun(long offset, long total, String validator);

        /** {@code [start, end)} was handed to the file system, not forced, with this CRC-32C of its bytes. */
        void rangeWritten(long start, long end, long crc32c);

        /**
         * {@code [0, offset)} is forced to disk.
         *
         * @param durable record with an fsync of its own (a stop, a close); false for the periodic checkpoints, whose
         *     loss in a power cut costs only a re-fetch from an older one
         */
        void checkpointed(long offset, boolean durable);

        /** Bytes reached the file since the last call ({@code written} in all); at most every {@link Options#notifyNanos}. */
        void progressed(long written);

        /** All {@code size} bytes are forced to disk: the file is complete. Recorded durably before it returns. */
        void finished(long size);
    }

    /**
     * @param batchBytes at most this many bytes are written between two range records (and so re-fetched after a
     *     {@code kill -9})
     * @param syncBytes at most this many bytes are written between two checkpoints
     * @param syncNanos at most this long between two checkpoints while bytes arrive
     * @param notifyNanos at least this long between two {@link Sink#progressed} calls (BITS' minimum notification
     *     interval)
     * @param directIo write block-aligned runs with {@code O_DIRECT} where the file system takes it
     */
    public record Options(long batchBytes, long syncBytes, long syncNanos, long notifyNanos, boolean directIo) {
    }

    /** What the record says the file held before: the checkpoint, the size and the validator. */
    public record Recorded(long checkpoint, long total, String validator) {
    }

    /**
     * Where the file's bytes live. The file is looked at when the durable file opens, and opened (created when it
     * does not exist) only when a body begins, so a transfer that fails before its first byte leaves no file.
     */
    public interface Storage extends AutoCloseable {
        /** The file's size now, or -1 when it does not exist. */
        long size() throws IOException;

        /** Opens the file for writing, creating it empty when it does not exist. */
        DirectWriter open() throws IOException;

        /** Lets go of what the storage holds (a directory handle); the writer it opened is closed already. */
        @Override
        void close();

        /** The file at {@code path}, opened by name: for tests, and platforms without {@link SafeDirectory}. */
        static Storage at(Path path, boolean directIo) {
            return new Storage() {
                @Override
                public long size() throws IOException {
                    return Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? Files.size(path) : -1;
                }

                @Override
                public DirectWriter open() throws IOException {
                    return DirectWriter.open(path, directIo);
                }

                @Override
                public void close() {
                    // nothing held
                }
            };
        }
    }

    /** A staging buffer and the file offset of its first byte. */
    private static final class Chunk {
        final ByteBuffer buf;
        long fileOffset;

        Chunk(ByteBuffer buf) {
            this.buf = buf;
        }
    }

    private final String name;
    private final Storage storage;
    /** Opened at {@link #begin}; null before. */
    private volatile DirectWriter out;
    private final StagingPool pool;
    private final int stage;
    private final Executor tasks;
    private final LongSupplier nanoClock;
    private final Sink sink;
    private final long batchBytes;
    private final long syncBytes;
    private final long syncNanos;
    private final long notifyNanos;
    /** A buffer older than this is written even if not full: on a slow link a checkpoint still comes every interval. */
    private final long maxBufferNanos;

    private final ReentrantLock lock = new ReentrantLock();
    /** A buffer came back from the writer, or the file failed. */
    private final Condition bufferFreed = lock.newCondition();
    /** The writer or the checkpoint task finished, or the file failed. */
    private final Condition idle = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();
    private final ArrayDeque<Chunk> full = new ArrayDeque<>();
    private int buffers;
    private boolean writerRunning;
    private boolean checkpointRunning;
    private boolean draining;
    private Exception error;
    /** Bytes written to the file and reported as ranges. */
    private long written;
    /** Bytes forced to disk and reported as checkpointed. */
    private long checkpoint;
    private long lastSyncNanos;
    private long lastNotifyNanos;
    private boolean completed;

    // The producer's own (a transport's thread); received is read by others.
    private final long heldAtOpen;
    private final String validatorAtOpen;
    private volatile long received;
    private boolean bodyStarted;
    private Chunk current;
    private long currentSince;

    private DurableFile(String name, Storage storage, long held, String validator, StagingPool pool, Executor tasks,
            LongSupplier nanoClock, Options options, Sink sink) {
        this.name = name;
        this.storage = storage;
        this.pool = pool;
        this.stage = pool.bufferBytes();
        this.tasks = tasks;
        this.nanoClock = nanoClock;
        this.sink = sink;
        this.batchBytes = Math.max(2L * stage, options.batchBytes());
        this.syncBytes = Math.max(batchBytes, options.syncBytes());
        this.syncNanos = options.syncNanos();
        this.notifyNanos = options.notifyNanos();
        // Half the interval: the bytes still need the writer and a force before the checkpoint records them.
        this.maxBufferNanos = options.syncNanos() / 2;
        this.heldAtOpen = held;
        this.validatorAtOpen = validator;
        this.received = held;
        this.written = held;
        this.checkpoint = held;
    }

    /**
     * Opens the file in {@code storage} for appending after what {@code recorded} vouches for. A file shorter than
     * its checkpoint (or gone) lost bytes it had (it was replaced behind our back) and starts again from 0; bytes
     * past the checkpoint are cut off when the body begins (recovery already kept what their ranges prove).
     *
     * @param name how the file is named in messages
     */
    public static DurableFile open(String name, Storage storage, Recorded recorded, StagingPool pool, Executor tasks,
            LongSupplier nanoClock, Options options, Sink sink) throws TransferException {
        long held = recorded.checkpoint();
        String validator = recorded.validator();
        try {
            long size = storage.size();
            if (size < held) {
                held = 0;
                validator = null;
            }
        } catch (IOException e) {
            storage.close();
            throw FileErrors.toTransfer("cannot open the temporary file " + name, e);
        }
        DurableFile f = new DurableFile(name, storage, held, validator, pool, tasks, nanoClock, options, sink);
        for (int i = 0; i < MIN_BUFFERS; i++) {
            f.free.add(new Chunk(pool.take(true)));
        }
        f.buffers = MIN_BUFFERS;
        return f;
    }

    @Override
    public long offset() {
        return heldAtOpen;
    }

    @Override
    public String validator() {
        return validatorAtOpen;
    }

    @Override
    public long position() {
        return received;
    }

    @Override
    public void begin(long total, String validator, boolean fromZero) throws TransferException {
        long from;
        lock.lock();
        try {
            if (bodyStarted) {
                throw new IllegalStateException("begin after the body started");
            }
            if (fromZero) {
                received = 0;
                written = 0;
                checkpoint = 0;
            }
            try {
                if (out == null) {
                    out = storage.open();
                }
                // Only what the record vouches for stays (nothing of it when the body starts from 0).
                if (out.channel().size() != received) {
                    out.channel().truncate(received);
                    out.force(true);
                }
            } catch (IOException e) {
                throw FileErrors.toTransfer("cannot open the temporary file " + name, e);
            }
            from = received;
            long now = nanoClock.getAsLong();
            lastSyncNanos = now;
            lastNotifyNanos = now;
        } finally {
            lock.unlock();
        }
        // The validator is recorded with the offset it belongs to before any byte of the new body is written.
        report(() -> sink.begun(from, total, validator));
    }

    @Override
    public void write(ByteBuffer buffer) throws TransferException {
        while (buffer.hasRemaining()) {
            ByteBuffer b = staging();
            int n = Math.min(buffer.remaining(), b.remaining());
            b.put(buffer.slice(buffer.position(), n));
            buffer.position(buffer.position() + n);
            staged(n);
        }
    }

    @Override
    public int readFrom(ReadableByteChannel in) throws IOException, TransferException {
        int n = in.read(staging());
        staged(n);
        return n;
    }

    /** The staging buffer being filled; a free one is taken when there is none. */
    private ByteBuffer staging() throws TransferException {
        if (out == null) {
            throw new IllegalStateException("a body is written before it begins");
        }
        if (current == null) {
            current = takeFree();
            currentSince = nanoClock.getAsLong();
        }
        return current.buf;
    }

    /** Counts {@code n} bytes just put into the staging buffer and hands it to the writer once full or old. */
    private void staged(int n) throws TransferException {
        if (n > 0) {
            received += n;
            bodyStarted = true;
        }
        ByteBuffer b = current.buf;
        if (!b.hasRemaining() || (b.position() > 0 && nanoClock.getAsLong() - currentSince >= maxBufferNanos)) {
            Chunk c = current;
            current = null;
            submit(c);
        }
    }

    /** A free staging buffer: one the writer gave back, a new one from the pool, or the next the writer frees. */
    private Chunk takeFree() throws TransferException {
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
                // Every other buffer is queued or being written: the writer signals when one comes back.
                bufferFreed.await();
            }
            Chunk c = free.poll();
            c.fileOffset = received;
            // A buffer ends on a block boundary of the file, so that the buffers after it can be written directly.
            c.buf.clear().limit(out.alignedLimit(received, stage));
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        } finally {
            lock.unlock();
        }
    }

    private void submit(Chunk c) throws TransferException {
        boolean start;
        lock.lock();
        try {
            checkError();
            c.buf.flip();
            full.add(c);
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

    private void checkError() throws TransferException {
        if (error != null) {
            IOException io = error instanceof IOException e ? e : new IOException(error.toString(), error);
            throw FileErrors.toTransfer("cannot write " + name, io);
        }
    }

    private TransferException interrupted() {
        return TransferException.localFile("interrupted while writing " + name, new InterruptedIOException());
    }

    /**
     * Records the file's first failure and wakes everyone waiting. {@code writerEnded}/{@code checkpointEnded}: the
     * failing task is the writer or the checkpoint task, which ends with it (the other may still be running).
     */
    private void fail(Exception e, boolean writerEnded, boolean checkpointEnded) {
        lock.lock();
        try {
            if (error == null) {
                error = e;
            }
            writerRunning &= !writerEnded;
            checkpointRunning &= !checkpointEnded;
            bufferFreed.signalAll();
            idle.signalAll();
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
                    while (!full.isEmpty() && (batch.isEmpty() || bytes + full.peek().buf.remaining() <= batchBytes)) {
                        bytes += full.peek().buf.remaining();
                        batch.add(full.poll());
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
            lock.lock();
            try {
                upTo = written;
            } finally {
                lock.unlock();
            }
            out.force(false);
            // A file (or directory) deleted meanwhile would take every byte with it: stop now, not at Complete.
            out.ensureLinked();
            if (upTo != checkpoint) {
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

    /** Hands over the partial buffer and waits until the writer wrote everything and no checkpoint task runs. */
    private void drain() throws TransferException {
        Chunk last = current;
        current = null;
        if (last != null && last.buf.position() > 0) {
            submit(last);
        } else if (last != null) {
            lock.lock();
            try {
                free.add(last);
            } finally {
                lock.unlock();
            }
        }
        lock.lock();
        try {
            draining = true;
            while ((writerRunning || checkpointRunning) && error == null) {
                idle.await();
            }
            checkError();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void finish() throws TransferException {
        if (out == null) {
            throw new IllegalStateException("a body is finished before it begins");
        }
        drain();
        long size;
        try {
            out.force(true);
            out.ensureLinked();
        } catch (IOException e) {
            throw FileErrors.toTransfer("cannot flush " + name, e);
        }
        lock.lock();
        try {
            size = written;
            checkpoint = written;
            completed = true;
        } finally {
            lock.unlock();
        }
        log.debug("{}: {} bytes written directly, {} through the page cache", name, out.directBytes(), out.cachedBytes());
        report(() -> sink.finished(size));
    }

    /** Calls the sink from the producer's thread; what it throws fails the transfer as a local-file error. */
    private void report(Runnable call) throws TransferException {
        try {
            call.run();
        } catch (RuntimeException e) {
            fail(e, false, false);
            throw TransferException.localFile("cannot record the progress of " + name, new IOException(e.toString(), e));
        }
    }

    /** Whether every byte is on disk and reported finished. */
    public boolean isComplete() {
        lock.lock();
        try {
            return completed;
        } finally {
            lock.unlock();
        }
    }

    /** Keeps what was received: a stopped or failed transfer continues from here, not from the last checkpoint. */
    @Override
    public void close() {
        try {
            if (out != null && !isComplete() && out.channel().isOpen()) {
                drain();
                long upTo;
                long held;
                lock.lock();
                try {
                    upTo = written;
                    held = checkpoint;
                } finally {
                    lock.unlock();
                }
                if (upTo > held) {
                    out.force(false);
                    sink.checkpointed(upTo, true);
                    sink.progressed(upTo);
                    lock.lock();
                    try {
                        checkpoint = upTo;
                    } finally {
                        lock.unlock();
                    }
                }
            }
        } catch (TransferException | IOException | RuntimeException e) {
            // The next attempt starts from the last good checkpoint instead.
            log.debug("{}: keeping the last checkpoint: {}", name, e.toString());
        } finally {
            try {
                if (out != null) {
                    out.close();
                }
            } catch (IOException ignored) {
                // nothing was pending
            }
            storage.close();
            returnBuffers();
        }
    }

    /** Gives the staging buffers back to the pool, unless a writer that outlived {@link #drain} may still use them. */
    private void returnBuffers() {
        lock.lock();
        try {
            draining = true;
            if (current != null) {
                free.add(current);
                current = null;
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
