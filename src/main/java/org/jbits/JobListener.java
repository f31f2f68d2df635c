package org.jbits;

/**
 * Job events ({@code IBackgroundCopyCallback}, {@code IBackgroundCopyCallback2}, {@code IBackgroundCopyCallback3}). Delivered on a notification
 * thread, never on the thread that changed the job; filtered by each job's {@link NotifyFlag}s.
 */
public interface JobListener {
    /** Every file of the job is transferred. */
    default void jobTransferred(BitsJob job) {
    }

    /** The job went into Error. */
    default void jobError(BitsJob job, JobError error) {
    }

    /** The job changed: state, progress or a property. */
    default void jobModification(BitsJob job) {
    }

    /** One file of the job is transferred. */
    default void fileTransferred(BitsJob job, BitsFile file) {
    }

    /**
     * Ranges of one file of an on-demand job, asked for with {@link BitsJob#requestFileRanges} (or from
     * {@link BitsJob#updateDownloadPosition} on), are transferred: each is on disk and recorded, as
     * {@link BitsJob#filledFileRanges} reports it ({@link NotifyFlag#FILE_RANGES_TRANSFERRED}).
     */
    default void fileRangesTransferred(BitsJob job, BitsFile file, java.util.List<BitsFileRange> ranges) {
    }
}
