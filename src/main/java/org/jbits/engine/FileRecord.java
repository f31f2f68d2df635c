package org.jbits.engine;

import java.net.URI;
import org.jbits.BitsFile;
import org.jbits.FileProgress;

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
    /**
     * Device and inode of the temporary file once created, and of the destination directory as recorded at
     * AddFile; null while unknown (before the file exists, or for a job from a store older than schema version 2).
     * Volatile: the temporary file's are set by the worker that creates it.
     */
    volatile Long tempDev;
    volatile Long tempIno;
    volatile Long dirDev;
    volatile Long dirIno;

    FileRecord(int index, String remoteName, URI uri, String localName, String tempName) {
        this.index = index;
        this.remoteName = remoteName;
        this.uri = uri;
        this.localName = localName;
        this.tempName = tempName;
    }

    BitsFile snapshot() {
        return new BitsFile(remoteName, localName, new FileProgress(bytesTotal, bytesTransferred, completed), tempName);
    }
}
