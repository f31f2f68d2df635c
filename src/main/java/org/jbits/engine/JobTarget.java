package org.jbits.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.transport.DownloadTarget;
import org.jbits.transport.TransferException;

/**
 * What the job adds to a file's {@link DownloadTarget} on its way to the transport: the response headers are kept
 * for the file (File5), dynamic content makes every attempt start at byte 0 (no Range request), and the job's
 * maximum download size (BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, all its files together) stops a file that would pass
 * it: before a byte is written when the server announces the size, else as soon as the bytes do.
 */
final class JobTarget implements DownloadTarget {
    private final DownloadTarget file;
    private final JobStore store;
    private final JobRecord job;
    private final FileRecord record;
    private final boolean dynamic;
    /** The most bytes this file may have: the job's limit less its other files; Long.MAX_VALUE for no limit. */
    private final long allowed;
    private final long limit;

    JobTarget(DownloadTarget file, JobStore store, JobRecord job, FileRecord record, boolean dynamic, long limit,
            long otherFiles) {
        this.file = file;
        this.store = store;
        this.job = job;
        this.record = record;
        this.dynamic = dynamic;
        this.limit = limit;
        this.allowed = limit <= 0 ? Long.MAX_VALUE : Math.max(0, limit - otherFiles);
    }

    @Override
    public long offset() {
        return dynamic ? 0 : file.offset();
    }

    @Override
    public String validator() {
        return dynamic ? null : file.validator();
    }

    @Override
    public void begin(long total, String validator, boolean fromZero) throws TransferException {
        if (total > allowed) {
            throw tooLarge(total + " bytes");
        }
        file.begin(total, validator, fromZero || dynamic);
    }

    @Override
    public void write(ByteBuffer buffer) throws TransferException {
        if (file.position() + buffer.remaining() > allowed) {
            throw tooLarge("more than " + allowed + " bytes");
        }
        file.write(buffer);
    }

    @Override
    public int readFrom(ReadableByteChannel in) throws IOException, TransferException {
        int n = file.readFrom(in);
        if (file.position() > allowed) {
            throw tooLarge("more than " + allowed + " bytes");
        }
        return n;
    }

    @Override
    public void finish() throws TransferException {
        file.finish();
    }

    @Override
    public long position() {
        return file.position();
    }

    @Override
    public void responseHeaders(String headers) {
        record.responseHeaders = headers;
        store.saveResponseHeaders(job.id, record);
    }

    private TransferException tooLarge(String size) {
        return TransferException.fatal(HResult.BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED, ErrorContext.REMOTE_FILE,
                record.remoteName + " is " + size + ", past what is left of the job's maximum download size of " + limit
                        + " bytes", null);
    }
}
