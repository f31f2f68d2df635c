package org.jbits;

/**
 * A file of a job, as seen when it was read ({@code IBackgroundCopyFile}): names and progress.
 *
 * @param remoteName the URL or path on the remote side
 * @param localName the full local path
 * @param progress bytes and completion
 * @param temporaryName the hidden file the download is written to until Complete, or null
 */
public record BitsFile(String remoteName, String localName, FileProgress progress, String temporaryName) {
}
