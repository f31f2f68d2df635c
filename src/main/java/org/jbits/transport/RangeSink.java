package org.jbits.transport;

import java.nio.ByteBuffer;

/**
 * Where on-demand mode's ranges go: each body is written at its own offset in the file (random access, IBackgroundCopyFile6),
 * not appended as {@link DownloadTarget} is.
 */
public interface RangeSink {
    /** A 206 answered: the remote file's size ({@code -1} when the server did not say) and its validator (or null). */
    void begin(long size, String validator) throws TransferException;

    /** The buffer's remaining bytes belong at {@code offset} of the file. */
    void write(long offset, ByteBuffer buffer) throws TransferException;

    /** The status line and headers of a response, as {@link DownloadTarget#responseHeaders}. */
    default void responseHeaders(String headers) {
    }

    /** What one range request brought. */
    enum Outcome {
        /** The range's bytes were written. */
        FETCHED,
        /** The remote file is not the version the validator names (If-Range got the whole file): nothing written. */
        CHANGED
    }
}
