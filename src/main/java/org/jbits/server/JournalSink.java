package org.jbits.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.jbits.file.DurableFile;
import org.jbits.file.FileSink;

/**
 * The server's side of a {@link DurableFile}: what the file reports becomes records in the session's journal, with
 * the durability the file asks for. {@link #safe()} is the offset the journal now vouches for: what the fragment's
 * ack may report as received.
 */
final class JournalSink implements FileSink {
    private final UploadSession session;
    private final Clock clock;
    private volatile long safe;

    JournalSink(UploadSession session, Clock clock) {
        this.session = session;
        this.clock = clock;
        this.safe = session.received;
    }

    long safe() {
        return safe;
    }

    @Override
    public void begun(long offset, long total, String validator) {
        // A fragment continuing where the last one's checkpoint ended needs no record: the journal says so already.
        if (offset != session.received || total != session.total) {
            append(UploadSession.beganRecord(offset, total), true);
            // Only once the journal says so: a later fragment's begun compares with it to skip its own record.
            session.total = total;
        }
        safe = offset;
    }

    @Override
    public void rangeWritten(long start, long end, long crc32c) {
        append(UploadSession.rangeRecord(start, end, crc32c), false);
    }

    @Override
    public void checkpointed(long offset, boolean durable) {
        append(UploadSession.checkpointRecord(offset, clock.millis()), durable);
        safe = offset;
    }

    @Override
    public void progressed(long written) {
        // the ack reports what is safe, not what is merely written
    }

    @Override
    public void finished(long size) {
        append(UploadSession.finishedRecord(size, clock.millis()), true);
        safe = size;
    }

    private void append(String record, boolean durable) {
        try {
            session.journal.append(record, durable);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
