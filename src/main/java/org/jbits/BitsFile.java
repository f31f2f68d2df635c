package org.jbits;

/**
 * A file of a job, as seen when it was read ({@code IBackgroundCopyFile}): names and progress.
 *
 * @param remoteName the URL or path on the remote side
 * @param localName the full local path
 * @param progress bytes and completion
 * @param temporaryName the hidden file the download is written to until Complete, or null
 * @param expectedSha256 the SHA-256 the file must have (64 lower-case hex digits, given at AddFile), or null
 * @param sha256 the SHA-256 of the transferred file once it was checked against {@code expectedSha256} and
 *               matched (then the two are equal), else null
 */
public record BitsFile(String remoteName, String localName, FileProgress progress, String temporaryName,
        String expectedSha256, String sha256) {
    /** A file without an expected hash. */
    public BitsFile(String remoteName, String localName, FileProgress progress, String temporaryName) {
        this(remoteName, localName, progress, temporaryName, null, null);
    }
}
