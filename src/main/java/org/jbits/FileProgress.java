package org.jbits;

/** {@code BG_FILE_PROGRESS}: {@code bytesTotal} is {@link JobProgress#SIZE_UNKNOWN} until the size is known. */
public record FileProgress(long bytesTotal, long bytesTransferred, boolean completed) {
}
