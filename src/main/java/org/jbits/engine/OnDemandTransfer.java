package org.jbits.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.NotifyFlag;
import org.jbits.file.FileErrors;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeFile;
import org.jbits.file.SafeStorage;
import org.jbits.transport.RangeSink;
import org.jbits.transport.TransferContext;
import org.jbits.transport.TransferException;
import org.jbits.transport.Transport;

/**
 * On-demand mode's byte loop for one file: the requested ranges not yet filled, from the download position on
 * (wrapping around), each fetched in pieces of at most {@link #PIECE} bytes so that a new request or position is
 * honoured within a piece; every byte is written at its own offset of the temporary file (a sparse file, readable by
 * its temporary name meanwhile). The durable rule of the rest of the engine holds: bytes are forced to disk before
 * the store records them as filled, at least every checkpoint's bytes or time and at the end of every piece, so a
 * kill -9 keeps every range GetFilledFileRanges reported. A file changed on the server (its validator) loses its
 * filled ranges and is fetched again as requested.
 */
final class OnDemandTransfer {
    /** The most bytes one request asks for before the loop looks at the requests again. */
    static final long PIECE = 1L << 20;

    private final JobStateMachine jobs;
    private final EngineSettings settings;

    OnDemandTransfer(JobStateMachine jobs, EngineSettings settings) {
        this.jobs = jobs;
        this.settings = settings;
    }

    /** Fetches the file's pending ranges until none is left or the run stops. */
    void transfer(Run run, FileRecord f, Transport transport, TransferContext context) throws TransferException {
        try (Temp temp = open(run, f)) {
            Sink sink = new Sink(run, f, temp.channel);
            while (!run.isStopped()) {
                long[] next = jobs.locked(() -> {
                    long[] n = OnDemand.pending(f).nextFrom(f.downloadPosition);
                    return n;
                });
                if (next == null) {
                    break;
                }
                long first = next[0];
                long end = Math.min(next[1], first + PIECE);
                if (f.bytesTotal >= 0) {
                    end = Math.min(end, f.bytesTotal);
                }
                sink.start(first);
                RangeSink.Outcome outcome = transport.fetchRange(f.uri, first, end - 1, f.validator, sink, context);
                if (outcome == RangeSink.Outcome.CHANGED) {
                    changed(run, f);
                    continue;
                }
                sink.checkpoint();
            }
            sink.checkpoint();
            if (!run.isStopped() && f.bytesTotal >= 0 && f.filled.covers(f.bytesTotal)) {
                complete(run, f, temp.channel);
            }
        } catch (IOException e) {
            throw FileErrors.toTransfer("cannot write " + f.tempName, e);
        }
    }

    /** The remote file is another version now: what is filled belongs to the old one. */
    private void changed(Run run, FileRecord f) {
        jobs.locked(() -> {
            f.filled = RangeSet.EMPTY;
            f.validator = null;
            f.bytesTotal = -1;
            f.bytesTransferred = 0;
            jobs.store().saveFile(run.job.rec.id, f);
            return null;
        });
    }

    private void complete(Run run, FileRecord f, FileChannel channel) throws IOException {
        channel.truncate(f.bytesTotal);
        channel.force(true);
        jobs.locked(() -> {
            f.checkpoint = f.bytesTotal;
            f.bytesTransferred = f.bytesTotal;
            f.completed = true;
            jobs.store().saveFile(run.job.rec.id, f);
            return null;
        });
    }

    /** The bytes of the piece being fetched, forced and recorded as filled at each checkpoint. */
    private final class Sink implements RangeSink {
        private final Run run;
        private final FileRecord f;
        private final FileChannel channel;
        /** Written since the last checkpoint: {@code [from, at)}. */
        private long from;
        private long at;
        private long lastCheckpointNanos = System.nanoTime();

        Sink(Run run, FileRecord f, FileChannel channel) {
            this.run = run;
            this.f = f;
            this.channel = channel;
        }

        void start(long offset) {
            from = offset;
            at = offset;
        }

        @Override
        public void begin(long size, String validator) throws TransferException {
            if (size >= 0) {
                // Asked for before the size was known: a range past the end is BITS' run-time BG_E_INVALID_RANGE,
                // as AddFileWithRanges' is. "To the end" from inside the file ends at its end.
                RangeSet beyond = jobs.locked(() -> f.requested.minus(RangeSet.of(0, size)));
                if (!beyond.isEmpty() && !beyond.equals(RangeSet.of(size, Long.MAX_VALUE))) {
                    throw TransferException.fatal(HResult.BG_E_INVALID_RANGE, ErrorContext.REMOTE_FILE,
                            "the requested ranges " + beyond + " are outside the remote file (" + size + " bytes)",
                            null);
                }
            }
            jobs.locked(() -> {
                boolean changedFile = false;
                if (size >= 0 && f.bytesTotal != size) {
                    f.bytesTotal = size;
                    f.requested = f.requested.clip(size);
                    changedFile = true;
                }
                if (validator != null && !validator.equals(f.validator)) {
                    f.validator = validator;
                    changedFile = true;
                }
                if (changedFile) {
                    jobs.store().saveFile(run.job.rec.id, f);
                }
                return null;
            });
        }

        @Override
        public void write(long offset, ByteBuffer buffer) throws TransferException {
            if (offset != at) {
                checkpoint();
                from = offset;
                at = offset;
            }
            try {
                long pos = offset;
                while (buffer.hasRemaining()) {
                    pos += channel.write(buffer, pos);
                }
                at = pos;
            } catch (IOException e) {
                throw FileErrors.toTransfer("cannot write " + f.tempName, e);
            }
            if (at - from >= settings.checkpointBytes()
                    || System.nanoTime() - lastCheckpointNanos >= settings.checkpointMillis() * 1_000_000L) {
                checkpoint();
            }
        }

        @Override
        public void responseHeaders(String headers) {
            f.responseHeaders = headers;
        }

        /** Forces what was written, then records it as filled: never the other way round. */
        void checkpoint() throws TransferException {
            lastCheckpointNanos = System.nanoTime();
            if (at <= from) {
                return;
            }
            try {
                channel.force(false);
            } catch (IOException e) {
                throw FileErrors.toTransfer("cannot write " + f.tempName, e);
            }
            long a = from;
            long b = at;
            from = at;
            jobs.locked(() -> {
                RangeSet before = f.filled;
                f.filled = f.filled.union(a, b);
                f.bytesTransferred = f.filled.bytes(f.bytesTotal >= 0 ? f.bytesTotal : Long.MAX_VALUE);
                jobs.store().saveFile(run.job.rec.id, f);
                RangeSet done = f.requested.newlyCovered(before, f.filled);
                if (!done.isEmpty()) {
                    // Told once the store has the filled ranges (fire waits for the commit): a crash keeps them.
                    EngineJob job = run.job;
                    var snapshot = f.snapshot();
                    var ranges = done.toRanges();
                    jobs.fire(job.rec.notifyFlags, NotifyFlag.FILE_RANGES_TRANSFERRED,
                            l -> l.fileRangesTransferred(job, snapshot, ranges));
                }
                return null;
            });
            jobs.fireModification(run.job);
        }
    }

    private record Temp(SafeFile file, SafeStorage storage, FileChannel channel) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } finally {
                if (file != null) {
                    file.close();
                }
                if (storage != null) {
                    storage.close();
                }
            }
        }
    }

    /**
     * The temporary file, opened through {@link SafeStorage} as {@link TempFiles} opens a durable one: in the
     * directory recorded at AddFile, the file this job created or a new one (0600) whose identity is committed before
     * a byte is written (a new file's filled ranges are forgotten: they were written to another).
     */
    private Temp open(Run run, FileRecord f) throws TransferException {
        Path temp = Path.of(f.tempName);
        try {
            if (!SafeDirectory.supported()) {
                return new Temp(null, null, FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
            }
            SafeStorage storage = SafeStorage.open(temp.getParent(), f.dirId, temp.getFileName().toString(), f.tempId,
                    false, id -> {
                        if (!f.filled.isEmpty()) {
                            // Not the file the filled ranges were written to.
                            jobs.locked(() -> {
                                f.filled = RangeSet.EMPTY;
                                f.bytesTransferred = 0;
                                return null;
                            });
                        }
                        f.tempId = id;
                        jobs.store().saveTempFileIdentity(run.job.rec.id, f);
                    });
            SafeFile file = null;
            try {
                file = storage.openFile();
                return new Temp(file, storage, file.openChannel());
            } catch (IOException | RuntimeException e) {
                if (file != null) {
                    file.close();
                }
                storage.close();
                throw e;
            }
        } catch (IOException e) {
            throw FileErrors.toTransfer("cannot open " + f.tempName, e);
        }
    }
}
