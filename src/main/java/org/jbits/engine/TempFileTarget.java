package org.jbits.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jbits.transport.DownloadTarget;
import org.jbits.transport.TransferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file's hidden temporary file, written in order, never trusting a byte the store cannot vouch for.
 *
 * <p>Two records cover the bytes (see {@link Segments}): a <em>checkpoint</em>, taken at least every
 * {@code checkpointMillis} and every {@code syncBytes}, forces the file to disk and then records the offset; in
 * between, every batch of at most {@code checkpointBytes} that the writer hands to the file system is recorded as
 * a range with its CRC-32C before the next batch is written. After a crash the ranges are read back and kept as
 * far as they match, the rest is cut off; an agent killed with {@code kill -9} loses at most one batch.
 *
 * <p>Three threads share the work so that receiving, writing and forcing overlap: the transport's thread reads the
 * body straight into 1 MiB staging buffers ({@link #readFrom}); a writer thread checksums them and writes a batch
 * with one gathering write ({@link TempFileWriter}: block-aligned runs straight to the disk); a checkpointer
 * thread forces and records while the writer goes on, never holding it up. Staging buffers end on the file's block
 * boundaries, so after at most one buffer (a resume from an unaligned checkpoint) every full buffer is written
 * directly.
 */
final class TempFileTarget implements DownloadTarget, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TempFileTarget.class);
    /** Staging buffers a file starts with: enough for a link slower than the disk. */
    private static final int MIN_BUFFERS = 2;
    /**
     * At most this many: a fast link gets more while the writer is behind (direct writes are synchronous and come in
     * bursts). Measured here, 1 GiB through the engine (medians of 5): 0.85-0.99 s with 8, 0.67-0.87 s with 16, no better
     * with 32.
     */
    private static final int MAX_BUFFERS = 16;
    /** BITS' default minimum notification interval for JobModification. */
    private static final long NOTIFY_NANOS = 500_000_000L;

    /** A staging buffer and the file offset of its first byte. */
    private static final class Chunk {
        final ByteBuffer buf;
        long fileOffset;

        Chunk(ByteBuffer buf) {
            this.buf = buf;
        }
    }

    private final PortableEngine engine;
    private final StagingPool pool;
    /** The size of a staging buffer. */
    private final int stage;
    private final Run run;
    private final FileRecord file;
    private final TempFileWriter out;
    private final long batchBytes;
    private final long syncBytes;
    private final long syncNanos;
    /** A buffer older than this is written even if not full: on a slow link a checkpoint still comes every second. */
    private final long maxBufferNanos;

    // Shared by the three threads, guarded by `this`.
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();
    private final ArrayDeque<Chunk> full = new ArrayDeque<>();
    /** Staging buffers taken from the pool. */
    private int buffers;
    private boolean draining;
    private boolean stopCheckpointer;
    private IOException error;
    private Thread writer;
    private Thread checkpointer;
    /** Bytes handed to this target (written + queued + in {@link #current}). */
    private long received;
    private long lastSyncNanos;

    /** Bytes written to the file by the writer and recorded as checksummed ranges. */
    private volatile long written;
    private long lastNotifyNanos;
    private Chunk current;
    /** When the first byte went into {@link #current}. */
    private long currentSince;

    TempFileTarget(PortableEngine engine, StagingPool pool, Run run, FileRecord file, EngineSettings settings)
            throws TransferException {
        this.engine = engine;
        this.pool = pool;
        this.stage = pool.bufferBytes();
        this.run = run;
        this.file = file;
        this.batchBytes = Math.max(2L * stage, settings.checkpointBytes());
        this.syncBytes = Math.max(batchBytes, settings.syncBytes());
        this.syncNanos = settings.checkpointMillis() * 1_000_000L;
        // Half the interval: the bytes still need the writer and a force before the checkpoint records them.
        this.maxBufferNanos = settings.checkpointMillis() * 500_000L;
        Path temp = Path.of(file.tempName);
        try {
            out = new TempFileWriter(temp, settings.directIo());
        } catch (IOException e) {
            throw TransferException.localFile("cannot open the temporary file " + temp, e);
        }
        try {
            long size = out.channel().size();
            if (size < file.checkpoint) {
                // The file lost bytes it had (replaced behind our back): nothing in it can be trusted.
                file.checkpoint = 0;
                file.validator = null;
            }
            if (size != file.checkpoint) {
                out.channel().truncate(file.checkpoint);
                engine.segmentsCleared(run, file);
            }
            written = file.checkpoint;
            received = file.checkpoint;
            file.bytesTransferred = file.checkpoint;
        } catch (IOException e) {
            try {
                out.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw TransferException.localFile("cannot open the temporary file " + temp, e);
        }
        for (int i = 0; i < MIN_BUFFERS; i++) {
            free.add(new Chunk(pool.take(true)));
        }
        buffers = MIN_BUFFERS;
    }

    @Override
    public long offset() {
        return file.checkpoint;
    }

    @Override
    public String validator() {
        return file.validator;
    }

    @Override
    public synchronized long position() {
        return received;
    }

    @Override
    public void begin(long total, String validator, boolean fromZero) throws TransferException {
        synchronized (this) {
            if (writer != null) {
                throw new IllegalStateException("begin after the body started");
            }
            try {
                if (fromZero && received != 0) {
                    out.channel().truncate(0);
                    written = 0;
                    received = 0;
                    engine.segmentsCleared(run, file);
                }
            } catch (IOException e) {
                throw TransferException.localFile("cannot truncate " + file.tempName, e);
            }
            file.bytesTransferred = received;
            file.checkpoint = received;
            file.bytesTotal = total;
            file.validator = validator;
        }
        // The validator is recorded with the offset it belongs to before any byte of the new body is written.
        engine.checkpointed(run, file, true);
        engine.connected(run);
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
        if (current == null) {
            current = takeFree();
            currentSince = System.nanoTime();
        }
        return current.buf;
    }

    /** Counts {@code n} bytes just put into the staging buffer and hands it to the writer once full or old. */
    private void staged(int n) throws TransferException {
        if (n > 0) {
            synchronized (this) {
                received += n;
                file.bytesTransferred = received;
            }
        }
        ByteBuffer b = current.buf;
        if (!b.hasRemaining() || (b.position() > 0 && System.nanoTime() - currentSince >= maxBufferNanos)) {
            submit(current);
            current = null;
        }
    }

    private Chunk takeFree() throws TransferException {
        boolean grow;
        synchronized (this) {
            grow = free.isEmpty() && buffers < MAX_BUFFERS;
        }
        if (grow) {
            // Outside the lock: the writer hands buffers back meanwhile.
            ByteBuffer more = pool.take(false);
            if (more != null) {
                synchronized (this) {
                    free.add(new Chunk(more));
                    buffers++;
                }
            }
        }
        return nextFree();
    }

    private synchronized Chunk nextFree() throws TransferException {
        while (free.isEmpty()) {
            checkError();
            waitQuietly(100);
        }
        Chunk c = free.poll();
        c.fileOffset = received;
        // A buffer ends on a block boundary of the file, so that the buffers after it can be written directly.
        c.buf.clear().limit(out.alignedLimit(received, stage));
        return c;
    }

    private synchronized void submit(Chunk c) throws TransferException {
        checkError();
        c.buf.flip();
        full.add(c);
        if (writer == null) {
            lastSyncNanos = System.nanoTime();
            writer = new Thread(this::writeLoop, "jbits-writer");
            writer.setDaemon(true);
            writer.start();
            checkpointer = new Thread(this::checkpointLoop, "jbits-checkpointer");
            checkpointer.setDaemon(true);
            checkpointer.start();
        }
        notifyAll();
    }

    private void checkError() throws TransferException {
        if (error != null) {
            throw TransferException.localFile("cannot write " + file.tempName, error);
        }
    }

    private void waitQuietly(long millis) {
        try {
            wait(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void fail(IOException e) {
        if (error == null) {
            error = e;
        }
        notifyAll();
    }

    /** The writer thread: the queued buffers to disk, in order, a batch of at most {@code batchBytes} at a time. */
    private void writeLoop() {
        List<Chunk> batch = new ArrayList<>();
        try {
            while (true) {
                synchronized (this) {
                    while (full.isEmpty() && !draining && error == null) {
                        waitQuietly(1000);
                    }
                    if ((full.isEmpty() && draining) || error != null) {
                        return;
                    }
                    long bytes = 0;
                    while (!full.isEmpty() && (batch.isEmpty() || bytes + full.peek().buf.remaining() <= batchBytes)) {
                        bytes += full.peek().buf.remaining();
                        batch.add(full.poll());
                    }
                }
                writeBatch(batch);
                synchronized (this) {
                    free.addAll(batch);
                    batch.clear();
                    notifyAll();
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(e instanceof IOException io ? io : new IOException(e));
        } finally {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Checksums and writes one batch, then records it as a range: only then may the next batch be written. */
    private void writeBatch(List<Chunk> batch) throws IOException {
        long start = written;
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
        engine.segmentWritten(run, file, start, end, crc.getValue());
        synchronized (this) {
            written = end;
            notifyAll();
        }
        long now = System.nanoTime();
        if (now - lastNotifyNanos >= NOTIFY_NANOS) {
            lastNotifyNanos = now;
            engine.progressed(run);
        }
    }

    /** The checkpointer thread: forces what the writer wrote and records it, every second or {@code syncBytes}. */
    private void checkpointLoop() {
        try {
            while (true) {
                synchronized (this) {
                    while (!stopCheckpointer && error == null && !checkpointDue()) {
                        long wait = syncNanos - (System.nanoTime() - lastSyncNanos);
                        waitQuietly(Math.min(100, Math.max(1, wait / 1_000_000L)));
                    }
                    if (stopCheckpointer || error != null) {
                        return;
                    }
                }
                checkpoint(false);
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    private boolean checkpointDue() {
        long ahead = written - file.checkpoint;
        return ahead > 0 && (ahead >= syncBytes || System.nanoTime() - lastSyncNanos >= syncNanos);
    }

    /** Forces what is written, then records it: the checkpoint never claims a byte the disk may not have. */
    private void checkpoint(boolean durable) throws IOException {
        long upTo = written;
        out.force(false);
        synchronized (this) {
            lastSyncNanos = System.nanoTime();
        }
        if (upTo != file.checkpoint) {
            synchronized (this) {
                file.checkpoint = upTo;
                notifyAll();
            }
            engine.checkpointed(run, file, durable);
            if (durable) {
                engine.progressed(run);
            }
        }
    }

    /** Hands over the partial buffer, waits for the writer to write everything, and stops both threads. */
    private void drain() throws TransferException {
        Thread w;
        Thread c;
        synchronized (this) {
            if (current != null && current.buf.position() > 0) {
                submit(current);
            } else if (current != null) {
                free.add(current);
            }
            current = null;
            draining = true;
            notifyAll();
            w = writer;
            c = checkpointer;
        }
        try {
            if (w != null) {
                w.join();
            }
            synchronized (this) {
                stopCheckpointer = true;
                notifyAll();
            }
            if (c != null) {
                c.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TransferException.localFile("interrupted while writing " + file.tempName, new IOException(e));
        }
        checkError();
    }

    @Override
    public void finish() throws TransferException {
        drain();
        try {
            out.force(true);
        } catch (IOException e) {
            throw TransferException.localFile("cannot flush " + file.tempName, e);
        }
        log.debug("{}: {} bytes written directly, {} through the page cache", file.tempName, out.directBytes(),
                out.cachedBytes());
        file.checkpoint = written;
        file.bytesTransferred = written;
        if (file.bytesTotal < 0) {
            file.bytesTotal = written;
        }
        file.completed = true;
        engine.checkpointed(run, file, true);
        engine.progressed(run);
    }

    /** Keeps what was received: a stopped or failed transfer continues from here, not from the last checkpoint. */
    @Override
    public void close() {
        try {
            if (!file.completed && out.channel().isOpen()) {
                drain();
                if (written > file.checkpoint) {
                    checkpoint(true);
                }
            }
        } catch (TransferException | IOException | RuntimeException e) {
            // The next attempt starts from the last good checkpoint instead.
            log.debug("{}: keeping the last checkpoint: {}", file.tempName, e.toString());
        } finally {
            synchronized (this) {
                draining = true;
                stopCheckpointer = true;
                notifyAll();
            }
            try {
                out.close();
            } catch (IOException ignored) {
                // nothing was pending
            }
            returnBuffers();
        }
    }

    /** Gives the staging buffers back to the pool, unless a writer that outlived {@link #drain} may still use them. */
    private void returnBuffers() {
        Thread w;
        synchronized (this) {
            w = writer;
        }
        boolean writerDone = w == null || !w.isAlive();
        synchronized (this) {
            if (current != null) {
                free.add(current);
                current = null;
            }
            int returned = 0;
            if (writerDone) {
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
        }
    }
}
