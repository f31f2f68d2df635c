package org.jbits.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jbits.transport.DownloadTarget;
import org.jbits.transport.TransferException;

/**
 * A file's hidden temporary file, written in order. Checkpoints force the bytes to disk and then record the
 * offset in the store, before more than {@code checkpointBytes} or {@code checkpointMillis} have gone by; on
 * opening, anything past the last checkpoint is cut off, so a crash can cost at most one checkpoint's worth.
 */
final class TempFileTarget implements DownloadTarget, AutoCloseable {
    private final PortableEngine engine;
    private final Run run;
    private final FileRecord file;
    private final FileChannel channel;
    private final long checkpointBytes;
    private final long checkpointNanos;
    private long position;
    private long lastCheckpointNanos;

    TempFileTarget(PortableEngine engine, Run run, FileRecord file, EngineSettings settings) throws TransferException {
        this.engine = engine;
        this.run = run;
        this.file = file;
        this.checkpointBytes = settings.checkpointBytes();
        this.checkpointNanos = settings.checkpointMillis() * 1_000_000L;
        Path temp = Path.of(file.tempName);
        try {
            channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long size = channel.size();
            if (size < file.checkpoint) {
                // The file lost bytes it had (replaced behind our back): nothing in it can be trusted.
                file.checkpoint = 0;
                file.validator = null;
            }
            if (size != file.checkpoint) {
                channel.truncate(file.checkpoint);
            }
            position = file.checkpoint;
            file.bytesTransferred = position;
            channel.position(position);
        } catch (IOException e) {
            throw TransferException.localFile("cannot open the temporary file " + temp, e);
        }
        lastCheckpointNanos = System.nanoTime();
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
    public long position() {
        return position;
    }

    @Override
    public void begin(long total, String validator, boolean fromZero) throws TransferException {
        try {
            if (fromZero && position != 0) {
                channel.truncate(0);
                channel.position(0);
                position = 0;
            }
        } catch (IOException e) {
            throw TransferException.localFile("cannot truncate " + file.tempName, e);
        }
        file.bytesTransferred = position;
        file.checkpoint = position;
        file.bytesTotal = total;
        file.validator = validator;
        // The validator is recorded with the offset it belongs to before any byte of the new body is written.
        engine.checkpointed(run, file);
        engine.connected(run);
    }

    @Override
    public void write(ByteBuffer buffer) throws TransferException {
        long now = System.nanoTime();
        if (position + buffer.remaining() - file.checkpoint > checkpointBytes || now - lastCheckpointNanos >= checkpointNanos) {
            checkpoint();
        }
        try {
            while (buffer.hasRemaining()) {
                position += channel.write(buffer);
            }
        } catch (IOException e) {
            throw TransferException.localFile("cannot write " + file.tempName, e);
        }
        file.bytesTransferred = position;
    }

    private void checkpoint() throws TransferException {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw TransferException.localFile("cannot flush " + file.tempName, e);
        }
        lastCheckpointNanos = System.nanoTime();
        if (position != file.checkpoint) {
            file.checkpoint = position;
            engine.checkpointed(run, file);
            engine.progressed(run);
        }
    }

    @Override
    public void finish() throws TransferException {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw TransferException.localFile("cannot flush " + file.tempName, e);
        }
        file.checkpoint = position;
        file.bytesTransferred = position;
        if (file.bytesTotal < 0) {
            file.bytesTotal = position;
        }
        file.completed = true;
        engine.checkpointed(run, file);
        engine.progressed(run);
    }

    /** Keeps what was written: a stopped or failed transfer continues from here, not from the last checkpoint. */
    @Override
    public void close() {
        try {
            if (!file.completed && position > file.checkpoint && channel.isOpen()) {
                checkpoint();
            }
        } catch (TransferException | RuntimeException e) {
            // The next attempt starts from the last good checkpoint instead.
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was pending
            }
        }
    }
}
