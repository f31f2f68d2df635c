package org.jbits.engine;

import java.net.URI;
import java.util.List;
import org.jbits.BitsFileRange;
import org.jbits.BitsFile;
import org.jbits.FileProgress;
import org.jbits.file.FileIdentity;
import org.jbits.transport.Credentials;
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
    /**
     * The temporary file's identity once created, and the destination directory's as recorded at AddFile; null
     * while unknown (before the file exists, or for a job from a store older than schema version 2). Volatile:
     * the temporary file's is set by the worker that creates it.
     */
    volatile FileIdentity tempId;
    volatile FileIdentity dirId;
    /** The {@code user:password@} the remote name came with, kept out of the name (and out of sight); or null. */
    volatile Credentials urlCredentials;
    /**
     * An upload's file: the local name is the source the upload reads (its record's checkpoint is what the server
     * acknowledged, its validator the version the session uploads), and there is no temporary file.
     */
    boolean uploadSource;

    /** AddFileWithRanges' ranges in their order, or null for the whole file. */
    volatile List<BitsFileRange> ranges;
    /**
     * On-demand mode (File6): every range RequestFileRanges and UpdateDownloadPosition asked for, and the ranges
     * forced to disk and recorded (what GetFilledFileRanges reports; a crash keeps exactly these). Empty unless the
     * job is on-demand.
     */
    volatile RangeSet requested = RangeSet.EMPTY;
    volatile RangeSet filled = RangeSet.EMPTY;
    /** UpdateDownloadPosition's offset: missing requested data is fetched from here on first. */
    volatile long downloadPosition;

    /** The status line and headers of the file's last HTTP response (File5), or null. */
    volatile String responseHeaders;

    /** The SHA-256 the file must have (lower-case hex), or null. */
    volatile String expectedSha256;
    /** The SHA-256 the transferred file was checked to have (equal to {@link #expectedSha256}), or null. */
    volatile String sha256;

    /**
     * What AddFile checked: the name without credentials, its URI, the local path, its directory, the credentials;
     * for an upload job, the local file it reads ({@code source}, null for a download); the SHA-256 it must have;
     * AddFileWithRanges' ranges (null for the whole file).
     */
    record Added(String remoteName, URI uri, java.nio.file.Path local, FileIdentity directory, Credentials credentials,
            LocalNames.Source source, String expectedSha256, List<BitsFileRange> ranges) {
    }

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
        return new BitsFile(remoteName, localName, new FileProgress(bytesTotal, bytesNow(), completed),
                uploadSource ? null : tempName, expectedSha256, sha256);
    }
}
