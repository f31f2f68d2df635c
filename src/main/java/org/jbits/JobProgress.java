package org.jbits;

/**
 * {@code BG_JOB_PROGRESS}: bytes and files of a job. {@code bytesTotal} is {@link #SIZE_UNKNOWN} while the size
 * of any file is not yet known.
 */
public record JobProgress(long bytesTotal, long bytesTransferred, int filesTotal, int filesTransferred) {
    /** {@code BG_SIZE_UNKNOWN} as a signed value. */
    public static final long SIZE_UNKNOWN = -1L;
}
