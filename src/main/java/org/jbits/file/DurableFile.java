package org.jbits.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.jbits.transport.DownloadTarget;
import org.jbits.transport.TransferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file written in order that never claims a byte its record cannot vouch for: a download's temporary file (and an
 * upload server's received file).
 *
 * <p>Two records cover the bytes, both reported to a {@link FileSink}: a <em>checkpoint</em>, taken at least every
 * {@link Options#syncNanos} and every {@link Options#syncBytes}, forces the file to disk and only then reports the
 * offset; in between, every batch of at most {@link Options#batchBytes} handed to the file system is reported as a
 * range with its CRC-32C before the next batch is written. After a crash the ranges are read back and kept as far
 * as they match ({@link Segments#verify}); an agent killed with {@code kill -9} loses at most one batch.
 *
 * <p>This class is the producer's side: a transport's thread reads straight into staging buffers
 * ({@link #readFrom}) and hands each over once full or half a sync interval old; the {@link WritePipeline} writes
 * and forces them on the {@link Executor} given (the engine's). Time comes from the clock given, so tests drive
 * checkpoint timing. Nothing here knows the engine: what the records mean to a job is the sink's business.
 */
public final class DurableFile implements DownloadTarget, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableFile.class);

    /**
     * @param batchBytes at most this many bytes are written between two range records (and so re-fetched after a
     *     {@code kill -9})
     * @param syncBytes at most this many bytes are written between two checkpoints
     * @param syncNanos at most this long between two checkpoints while bytes arrive
     * @param notifyNanos at least this long between two {@link FileSink#progressed} calls (BITS' minimum
     *     notification interval)
     * @param directIo write block-aligned runs with {@code O_DIRECT} where the file system takes it
     */
    public record Options(long batchBytes, long syncBytes, long syncNanos, long notifyNanos, boolean directIo) {
    }

    /** What the record says the file held before: the checkpoint, the size and the validator. */
    public record Recorded(long checkpoint, long total, String validator) {
    }

    private final String name;
    private final FileStorage storage;
    private final StagingPool pool;
    private final Executor tasks;
    private final LongSupplier nanoClock;
    private final Options options;
    private final FileSink sink;
    /** A buffer older than this is written even if not full: on a slow link a checkpoint still comes every interval. */
    private final long maxBufferNanos;
    private final long heldAtOpen;
    private final String validatorAtOpen;

    // The producer's own (a transport's thread); received is read by others.
    /** Opened at {@link #begin}; null before. */
    private DirectWriter out;
    private WritePipeline pipeline;
    private volatile long received;
    private boolean bodyStarted;
    private volatile boolean completed;
    /** Set by {@link #inBackground}: {@link #finish} forces and reports on the executor, and returns at once. */
    private boolean background;
    /** The finish under way in the background (force, record, close), or null. */
    private CompletableFuture<Void> finishing;
    private WritePipeline.Chunk current;
    private long currentSince;

    private DurableFile(String name, FileStorage storage, long held, String validator, StagingPool pool, Executor tasks,
            LongSupplier nanoClock, Options options, FileSink sink) {
        this.name = name;
        this.storage = storage;
        this.pool = pool;
        this.tasks = tasks;
        this.nanoClock = nanoClock;
        this.options = options;
        this.sink = sink;
        // Half the interval: the bytes still need the writer and a force before the checkpoint records them.
        this.maxBufferNanos = options.syncNanos() / 2;
        this.heldAtOpen = held;
        this.validatorAtOpen = validator;
        this.received = held;
    }

    /**
     * Opens the file in {@code storage} for appending after what {@code recorded} vouches for. A file shorter than
     * its checkpoint (or gone) lost bytes it had (it was replaced behind our back) and starts again from 0; bytes
     * past the checkpoint are cut off when the body begins (recovery already kept what their ranges prove).
     *
     * @param name how the file is named in messages
     */
    public static DurableFile open(String name, FileStorage storage, Recorded recorded, StagingPool pool,
            Executor tasks, LongSupplier nanoClock, Options options, FileSink sink) throws TransferException {
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
        return new DurableFile(name, storage, held, validator, pool, tasks, nanoClock, options, sink);
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
        if (bodyStarted || pipeline != null) {
            throw new IllegalStateException("begin after the body started");
        }
        if (fromZero) {
            received = 0;
        }
        long from = received;
        try {
            out = storage.open();
            // Only what the record vouches for stays (nothing of it when the body starts from 0).
            if (out.channel().size() != from) {
                out.channel().truncate(from);
                out.force(true);
            }
        } catch (IOException e) {
            throw FileErrors.toTransfer("cannot open the temporary file " + name, e);
        }
        pipeline = new WritePipeline(name, out, from, pool, tasks, nanoClock, options, sink);
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
        if (pipeline == null) {
            throw new IllegalStateException("a body is written before it begins");
        }
        if (current == null) {
            current = pipeline.take(received);
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
            WritePipeline.Chunk c = current;
            current = null;
            pipeline.submit(c);
        }
    }

    /** Hands over the partial buffer and waits until the writer wrote everything and no checkpoint task runs. */
    private void drain() throws TransferException {
        WritePipeline.Chunk last = current;
        current = null;
        if (last != null && last.buf.position() > 0) {
            pipeline.submit(last);
        } else if (last != null) {
            pipeline.giveBack(last);
        }
        pipeline.drain();
    }

    /**
     * Has {@link #finish} write the last bytes and then return, leaving the force, the finished report and the
     * closing of the file to the executor: the caller may go on to the next file while this one reaches the disk.
     * The file is complete ({@link #isComplete}, {@link FileSink#finished}) only once forced; {@link #finishing}
     * says when, or why not. Returns this.
     */
    public DurableFile inBackground() {
        background = true;
        return this;
    }

    /**
     * The background finish ({@link #inBackground}) once {@link #finish} was called: completes when the file is
     * forced, reported finished and closed, or with the TransferException that kept it from being complete
     * (the file is then closed with its last checkpoint). Null before finish, and for a file finished in the caller.
     */
    public CompletableFuture<Void> finishing() {
        return finishing;
    }

    @Override
    public void finish() throws TransferException {
        if (pipeline == null) {
            throw new IllegalStateException("a body is finished before it begins");
        }
        drain();
        if (!background) {
            complete();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        finishing = done;
        try {
            tasks.execute(() -> {
                try {
                    complete();
                    done.complete(null);
                } catch (TransferException | RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RuntimeException rejected) {
            finishing = null;
            complete();
        }
    }

    /** Forces the file, then reports it finished. */
    private void complete() throws TransferException {
        try {
            out.force(true);
            out.ensureLinked();
        } catch (IOException e) {
            throw FileErrors.toTransfer("cannot flush " + name, e);
        }
        long size = pipeline.written();
        pipeline.checkpointed(size);
        completed = true;
        log.debug("{}: {} bytes written directly, {} through the page cache", name, out.directBytes(), out.cachedBytes());
        report(() -> sink.finished(size));
    }

    /** Calls the sink from the producer's thread; what it throws fails the transfer as a local-file error. */
    private void report(Runnable call) throws TransferException {
        try {
            call.run();
        } catch (RuntimeException e) {
            if (pipeline != null) {
                pipeline.fail(e, false, false);
            }
            throw TransferException.localFile("cannot record the progress of " + name, new IOException(e.toString(), e));
        }
    }

    /** Whether every byte is on disk and reported finished. */
    public boolean isComplete() {
        return completed;
    }

    /**
     * Keeps what was received: a stopped or failed transfer continues from here, not from the last checkpoint. A
     * file finishing in the background is closed once that is over, by the thread that finishes it.
     */
    @Override
    public void close() {
        CompletableFuture<Void> f = finishing;
        if (f != null) {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            finishing = closed;
            f.whenComplete((ok, failure) -> {
                closeNow();
                if (failure != null) {
                    closed.completeExceptionally(failure);
                } else {
                    closed.complete(null);
                }
            });
            return;
        }
        closeNow();
    }

    private void closeNow() {
        try {
            if (pipeline != null && !completed && out.channel().isOpen()) {
                drain();
                long upTo = pipeline.written();
                if (upTo > pipeline.checkpoint()) {
                    out.force(false);
                    sink.checkpointed(upTo, true);
                    sink.progressed(upTo);
                    pipeline.checkpointed(upTo);
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
            if (pipeline != null) {
                pipeline.release(current);
                current = null;
            }
        }
    }
}
