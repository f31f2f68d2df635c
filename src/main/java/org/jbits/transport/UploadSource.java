package org.jbits.transport;

import java.nio.ByteBuffer;

/**
 * What an upload reads from and records into: the job's local file, and the state of its session with the server
 * (the BITS upload protocol's session id and the bytes the server acknowledged), kept durably by the engine so an
 * upload resumes after a crash without re-sending what the server has. The upload side of {@link DownloadTarget}.
 */
public interface UploadSource {
    /** The local file's size when the upload began. */
    long size();

    /** What identifies this version of the local file (size and modification time): a change fails the upload. */
    String validator();

    /**
     * Reads from the local file at {@code position} into {@code dst}; -1 at its end. A file that changed since the
     * upload began fails with BG_E_LOCAL_FILE_CHANGED.
     */
    int read(ByteBuffer dst, long position) throws TransferException;

    /** The server's session from an earlier attempt, or null. */
    String session();

    /** Bytes the server acknowledged in {@link #session()}. */
    long acknowledged();

    /** Records a new session (durably, before the first fragment is sent). */
    void sessionOpened(String session) throws TransferException;

    /** Records that the server acknowledged {@code [0, offset)}. */
    void acknowledgedUpTo(long offset) throws TransferException;
}
