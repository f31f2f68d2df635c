package org.jbits.server;

import java.io.IOException;
import java.util.UUID;
import org.eclipse.jetty.io.Content;
import org.jbits.file.DurableFile;
import org.jbits.file.FileSink;
import org.jbits.file.StagingPool;
import org.jbits.transport.TransferException;

/**
 * A plain {@code PUT} or {@code POST} of a whole file, for benchmarks: the same path confinement, overwrite rules,
 * durable writer and atomic rename as a BITS session, without the protocol (so {@code curl -T} and a BITS upload
 * to the same server and disk can be compared). Not resumable: a failed or interrupted upload is deleted. Off
 * unless the server is built with it.
 */
final class PlainUpload {
    private static final FileSink NO_RECORD = new FileSink() {
        @Override
        public void begun(long offset, long total, String validator) {
        }

        @Override
        public void rangeWritten(long start, long end, long crc32c) {
        }

        @Override
        public void checkpointed(long offset, boolean durable) {
        }

        @Override
        public void progressed(long written) {
        }

        @Override
        public void finished(long size) {
        }
    };

    private final SessionFiles files;
    private final StagingPool pool;
    private final java.util.concurrent.Executor io;
    private final DurableFile.Options options;
    private final long maxFileSize;

    PlainUpload(SessionFiles files, StagingPool pool, java.util.concurrent.Executor io, DurableFile.Options options,
            long maxFileSize) {
        this.files = files;
        this.pool = pool;
        this.io = io;
        this.options = options;
        this.maxFileSize = maxFileSize;
    }

    /** Receives the body into {@code path}; returns the bytes written. */
    long put(UploadPath path, Content.Source body, long declaredLength) throws BitsError {
        if (declaredLength > maxFileSize) {
            throw BitsError.tooLarge(declaredLength, maxFileSize);
        }
        String id = "{" + UUID.randomUUID() + "}";
        String temp = ".jbits-put-" + UploadSession.bareId(id) + ".part";
        SessionFiles.Created c = files.create(path, temp);
        UploadSession s = new UploadSession(id, path, temp, c.directory(), c.temp(), 0, null);
        boolean committed = false;
        try (TargetDirectories.Opened d = files.directoryOf(s)) {
            long size;
            try (DurableFile file = DurableFile.open(temp, files.storage(d.dir(), s),
                    new DurableFile.Recorded(0, declaredLength, null), pool, io, System::nanoTime, options, NO_RECORD)) {
                file.begin(declaredLength, null, true);
                long[] count = {0};
                RequestBody.read(body, b -> {
                    count[0] += b.remaining();
                    if (count[0] > maxFileSize) {
                        throw BitsError.tooLarge(count[0], maxFileSize);
                    }
                    try {
                        file.write(b);
                    } catch (TransferException e) {
                        throw BitsError.internal(e.getMessage(), e);
                    }
                });
                file.finish();
                size = count[0];
            } catch (TransferException e) {
                throw BitsError.internal(e.getMessage(), e);
            } catch (IOException e) {
                throw BitsError.invalid("the body ended early: " + e);
            }
            files.commit(s);
            committed = true;
            return size;
        } finally {
            if (!committed) {
                files.deleteTemp(s);
            }
        }
    }
}
