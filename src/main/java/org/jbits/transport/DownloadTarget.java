package org.jbits.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Where a transport writes one file's bytes: the engine's temporary file with its checkpoints. A transport reads
 * {@link #offset()} and {@link #validator()} to ask for the rest of the file, then calls {@link #begin} once it
 * knows what the server sends, {@link #write} for the body, and {@link #finish} at the end.
 */
public interface DownloadTarget {
    /** Bytes already held (verified, on disk) from an earlier attempt. */
    long offset();

    /** The validator (strong ETag, Last-Modified, or size and time) those bytes were fetched under, or null. */
    String validator();

    /**
     * The response is known.
     *
     * @param total the whole file's size, or -1 when unknown
     * @param validator what identifies this version of the remote file, or null
     * @param fromZero true when the body starts at byte 0 (the held bytes are discarded), false when it continues at {@link #offset()}
     */
    void begin(long total, String validator, boolean fromZero) throws TransferException;

    /** Appends the buffer's remaining bytes. */
    void write(ByteBuffer buffer) throws TransferException;

    /**
     * Reads once from {@code in} straight into the file's own staging buffer and appends what came, saving the copy
     * {@link #write} makes. Returns what {@code in.read} returned: the number of bytes, or -1 at the end.
     */
    int readFrom(ReadableByteChannel in) throws IOException, TransferException;

    /** All bytes are written: forces them to disk and marks the file transferred. */
    void finish() throws TransferException;

    /** Bytes written so far, counting {@link #offset()}. */
    long position();

    /**
     * The status line and headers of a response the transport received for this file, CRLF-separated, each time one
     * arrives (error responses too): what BITS reports as the file's HTTP response headers (File5). Optional.
     */
    default void responseHeaders(String headers) {
    }
}
