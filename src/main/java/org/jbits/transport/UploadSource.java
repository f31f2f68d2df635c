package org.jbits.transport;

import java.nio.ByteBuffer;

/**
 * What an upload reads from and records into: the job's local file (opened by the engine, which checks it is still
 * the file it was), and the state of its session with the server, kept durably by the engine so that an upload
 * resumes after a crash without re-sending what the server has. The upload side of {@link DownloadTarget}.
 *
 * <p>The server is the authority on what it holds: {@link #acknowledged()} is where a resumed upload starts asking,
 * and whatever a later ack says ({@code BITS-Received-Content-Range}, even less) is recorded in its place.
 */
public interface UploadSource {
    /** The local file's size: the upload's total. */
    long size() throws TransferException;

    /** The local file's name, for {@code Content-Name}. */
    String name();

    /**
     * Reads from the local file at {@code position} into {@code dst}; -1 at its end. A file that changed since its
     * session began fails with BG_E_LOCAL_FILE_CHANGED.
     */
    int read(ByteBuffer dst, long position) throws TransferException;

    /**
     * The local file's channel, open for reading, for sending its bytes straight to a socket ({@code sendfile}), or
     * null when the bytes are only to be had through {@link #read}. Reads through it see the same file as
     * {@link #read}; the caller neither moves its position nor closes it.
     */
    default java.nio.channels.FileChannel channel() {
        return null;
    }

    /** Fails with BG_E_LOCAL_FILE_CHANGED (LocalFile) when the file is not the version its session began with. */
    void checkUnchanged() throws TransferException;

    /** The session from an earlier attempt, or null. */
    UploadSession session();

    /**
     * Records a new session (durably, before its first fragment is sent): it starts from byte 0, and it uploads the
     * file as it is now (a later change of the file is BG_E_LOCAL_FILE_CHANGED).
     */
    void sessionOpened(UploadSession session) throws TransferException;

    /** Records a change to the current session (its host, Close-Session sent), durably. */
    void sessionChanged(UploadSession session) throws TransferException;

    /**
     * The session is gone (the server no longer knows it, or it was cancelled): forgotten durably, with what it had
     * acknowledged and the reply; the next attempt creates a new one and starts from byte 0.
     */
    void sessionLost() throws TransferException;

    /** Bytes the server acknowledged in {@link #session()}. */
    long acknowledged();

    /** Records that the server holds {@code [0, offset)} (what its last ack said, also when that is less). */
    void acknowledgedUpTo(long offset) throws TransferException;

    /** Close-Session was acknowledged: the upload is done (and recorded so). */
    void uploaded() throws TransferException;

    /**
     * Every byte is at the destination, which takes them only at Complete ({@link Transport#commitUpload}): the upload
     * is done (and recorded so), and {@code session} is kept for Complete (an SMB upload's temporary file).
     */
    default void uploadedAwaitingComplete(UploadSession session) throws TransferException {
        throw new UnsupportedOperationException("this source keeps no session for Complete");
    }

    /** The local file's last-write time (milliseconds since the epoch), or -1 when unknown. */
    default long modifiedMillis() throws TransferException {
        return -1;
    }

    /** Where the reply goes for an upload-reply job; null for an upload job. */
    ReplyTarget reply();
}
