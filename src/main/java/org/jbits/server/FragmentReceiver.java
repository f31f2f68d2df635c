package org.jbits.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.Content;
import org.jbits.HResult;
import org.jbits.file.DurableFile;
import org.jbits.file.StagingPool;
import org.jbits.transport.TransferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one Fragment's body into its session's received file through a {@link DurableFile}, with the guarantees
 * of a download: bytes are checksummed and recorded as ranges as they are written, and when the fragment ends they
 * are forced to disk and checkpointed before the ack reports them. Bytes the session holds already (a
 * retransmitted or overlapping fragment) are skipped, so each byte is written once. A body cut short keeps what
 * arrived: the next fragment resyncs from there.
 *
 * <p>Every fragment is logged (INFO) when it ends, cut short or not: its range, how many of its bytes arrived, how
 * many of them the session held already (sent again) and how many are durable afterwards; the record from which
 * what a client re-sent is counted.
 *
 * <p>The durable file lives only while its fragment is received, so an idle session holds no buffer and no
 * descriptor; at most one fragment per handler thread holds staging buffers, which bounds their memory.
 */
final class FragmentReceiver {
    private static final Logger log = LoggerFactory.getLogger(FragmentReceiver.class);

    private final SessionFiles files;
    private final StagingPool pool;
    private final Executor io;
    private final DurableFile.Options options;
    private final Clock clock;

    FragmentReceiver(SessionFiles files, StagingPool pool, Executor io, DurableFile.Options options, Clock clock) {
        this.files = files;
        this.pool = pool;
        this.io = io;
        this.options = options;
        this.clock = clock;
    }

    /**
     * Receives {@code range} of session {@code s} (whose lock the caller holds; the range starts at or before what
     * the session holds and has its total) from {@code body}; afterwards {@code s.received} is what is safe.
     */
    void receive(UploadSession s, ContentRange range, Content.Source body) throws BitsError {
        long skip = s.received - range.first();
        boolean needed = range.last() + 1 > s.received || (range.isFinal() && !s.complete);
        long[] arrived = {0, 0}; // bytes of the body, of them held already
        if (!needed) {
            try {
                RequestBody.read(body, b -> {
                    arrived[0] += b.remaining();
                    arrived[1] += b.remaining();
                    b.position(b.limit());
                });
            } catch (IOException e) {
                throw BitsError.invalid("the fragment's body ended early: " + e);
            } finally {
                logFragment(s, range, arrived);
            }
            return;
        }
        JournalSink sink = new JournalSink(s, clock);
        try (TargetDirectories.Opened d = files.directoryOf(s)) {
            if (!files.tempExists(d.dir(), s)) {
                throw BitsError.sessionNotFound(s.id + " (its received file was deleted)");
            }
            DurableFile file;
            try {
                file = DurableFile.open(s.tempName, files.storage(d.dir(), s),
                        new DurableFile.Recorded(s.received, s.total, null), pool, io, System::nanoTime, options, sink);
            } catch (TransferException e) {
                throw fromTransfer(e);
            }
            try {
                if (file.offset() < s.received) {
                    // The file lost bytes its record vouched for (replaced behind the server's back): resync from there.
                    s.received = file.offset();
                    if (range.first() > s.received) {
                        throw BitsError.outOfSync(s.received, range.first());
                    }
                    skip = s.received - range.first();
                }
                file.begin(range.total(), null, false);
                long[] toSkip = {skip};
                RequestBody.read(body, b -> {
                    arrived[0] += b.remaining();
                    if (toSkip[0] > 0) {
                        int n = (int) Math.min(toSkip[0], b.remaining());
                        b.position(b.position() + n);
                        toSkip[0] -= n;
                        arrived[1] += n;
                    }
                    if (b.hasRemaining()) {
                        write(file, b);
                    }
                });
                if (range.isFinal()) {
                    file.finish();
                    s.complete = true;
                }
            } catch (TransferException e) {
                throw fromTransfer(e);
            } catch (IOException e) {
                throw BitsError.invalid("the fragment's body ended early: " + e);
            } finally {
                file.close();
                s.received = sink.safe();
                s.journal.release();
                logFragment(s, range, arrived);
            }
        } catch (IOException e) {
            throw BitsError.local("cannot write the upload " + s.path.display(), e);
        }
    }

    private static void logFragment(UploadSession s, ContentRange range, long[] arrived) {
        log.info("session {}: fragment {}-{}/{}: {} bytes arrived, {} of them held already; {} durable", s.id,
                range.first(), range.last(), range.total(), arrived[0], arrived[1], s.received);
    }

    private static void write(DurableFile file, ByteBuffer b) throws BitsError {
        try {
            file.write(b);
        } catch (TransferException e) {
            throw fromTransfer(e);
        }
    }

    private static BitsError fromTransfer(TransferException e) {
        if (e.getCause() instanceof IOException io) {
            return BitsError.local("cannot write the upload", io);
        }
        return e.hresult() == HResult.ERROR_DISK_FULL ? BitsError.local("the disk is full", new IOException("No space left"))
                : BitsError.internal(e.getMessage(), e);
    }
}
