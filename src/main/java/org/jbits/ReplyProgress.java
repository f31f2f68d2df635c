package org.jbits;

/**
 * {@code BG_JOB_REPLY_PROGRESS}: how much of an upload-reply job's reply has arrived. {@code bytesTotal} is
 * {@link JobProgress#SIZE_UNKNOWN} until the reply's size is known (before the upload is done, and while the reply's
 * answer has not come); an empty reply (the server application gave none) is 0 of 0.
 */
public record ReplyProgress(long bytesTotal, long bytesTransferred) {
}
