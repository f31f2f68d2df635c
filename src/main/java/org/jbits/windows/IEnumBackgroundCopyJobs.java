package org.jbits.windows;

import com.sun.jna.Pointer;

/** {@code IEnumBackgroundCopyJobs} (IID 1af4f612-3b71-466f-8f58-7b6f73ac57ad; slots 3-7 in {@link ComEnumerator}). */
final class IEnumBackgroundCopyJobs extends ComEnumerator<IBackgroundCopyJob, IEnumBackgroundCopyJobs> {
    IEnumBackgroundCopyJobs(Pointer p) {
        super(p, "IEnumBackgroundCopyJobs", IBackgroundCopyJob::new, IEnumBackgroundCopyJobs::new);
    }
}
