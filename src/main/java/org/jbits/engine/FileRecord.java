package org.jbits.engine;

import java.net.URI;
import org.jbits.BitsFile;
import org.jbits.FileProgress;
import org.jbits.transport.DownloadTarget;

/**
 * One file of a job inside the engine. The byte counters are written by the job's worker and read by anyone,
 * hence volatile; everything else changes under the engine lock.
 */
final class FileRecord {
    final int index;
    volatile String remoteName;
    final String localName;
    final String tempName;
    volatile URI uri;
    /** -1 while unknown. */
    volatile long bytesTotal = -1;
    /** Bytes in the temporary file (may be ahead of the checkpoint). */
    volatile long bytesTransferred;
    /** Bytes forced to disk and recorded in the store: what survives a crash. */
    volatile long checkpoint;
    volatile String validator;
    volatile boolean completed;
    /** The file's target while a transfer writes it: its position is the live byte count. */
    volatile DownloadTarget live;

    FileRecord(int index, String remoteName, URI uri, String localName, String tempName) {
        this.index = index;
        this.remoteName = remoteName;
        this.uri = uri;
        this.localName = localName;
        this.tempName = tempName;
    }

    /** Bytes in the file now: the transfer's live count while one writes it, else the last recorded. */
    long bytesNow() {
        DownloadTarget t = live;
        return t != null ? t.position() : bytesTransferred;
    }

    BitsFile snapshot() {
        return new BitsFile(remoteName, localName, new FileProgress(bytesTotal, bytesNow(), completed), tempName);
    }
}
