package org.jbits.engine;

import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobType;

/**
 * The rules IBackgroundCopyJob5::SetProperty has for the properties BITS fixes early (reference §1.4): download
 * jobs only ({@code BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY}), and some only before the first Resume
 * ({@code BG_E_READ_ONLY_PROPERTY_AFTER_RESUME}). Called with the engine lock held, inside a modification.
 */
final class JobProperties5 {
    private JobProperties5() {
    }

    static void requireDownload(JobRecord r, String what) {
        if (r.type != JobType.DOWNLOAD) {
            throw new BitsException(HResult.BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY, what + " is for download"
                    + " jobs only; job " + r.id + " is an " + r.type.displayName() + " job");
        }
    }

    static void requireNotResumed(JobRecord r, String what) {
        if (r.everResumed) {
            throw new BitsException(HResult.BG_E_READ_ONLY_PROPERTY_AFTER_RESUME, what + " can only be set before"
                    + " the job is first resumed");
        }
    }
}
