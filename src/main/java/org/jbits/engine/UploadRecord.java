package org.jbits.engine;

import org.jbits.file.FileIdentity;
import org.jbits.transport.UploadSession;

/**
 * What an upload or upload-reply job keeps beyond its one file: the identity of the local file recorded at AddFile,
 * the BITS upload session it resumes, and (upload-reply) its reply file. Persisted by {@link JobStore} (the
 * {@code uploads} table, and the reply as the file row at {@link #REPLY_INDEX}). Changed by the job's worker or under
 * the engine lock, read by anyone: volatile.
 */
final class UploadRecord {
    /** The file-row index of an upload-reply job's reply file. */
    static final int REPLY_INDEX = -1;

    /** The local file's identity at AddFile; null before AddFile, or for a job from a store before version 3. */
    volatile FileIdentity sourceId;
    /** The session to continue, or null for none (none yet, closed, or lost). */
    volatile UploadSession session;
    /** Upload-reply: the reply file, once a name is known (set, or chosen at AddFile); null otherwise. */
    volatile FileRecord reply;

    /** The reply's progress as BITS reports it: total -1 until the reply's size is known. */
    long[] replyProgress() {
        FileRecord r = reply;
        if (r == null) {
            return new long[]{-1, 0};
        }
        return new long[]{r.completed && r.bytesTotal < 0 ? r.bytesNow() : r.bytesTotal, r.bytesNow()};
    }

    /** Forgets what the reply's file held (a new session, a new reply URL): the next download starts from 0. */
    static void resetReply(FileRecord r) {
        if (r == null) {
            return;
        }
        r.completed = false;
        r.checkpoint = 0;
        r.bytesTransferred = 0;
        r.bytesTotal = -1;
        r.validator = null;
    }
}
