package org.jbits.windows;

import org.jbits.BitsException;

/** HRESULTs of COM calls turned into {@link BitsException}s with BITS' names, as jna-platform's {@code COMUtils.checkRC}. */
final class HResults {
    private HResults() {
    }

    /** {@code RPC_E_TOO_LATE}: CoInitializeSecurity was already called in this process. */
    static final int RPC_E_TOO_LATE = org.jbits.HResult.RPC_E_TOO_LATE;

    /** Returns {@code hr} when it is a success code, else throws a BitsException naming the call. */
    static int check(int hr, String call) {
        if (hr < 0) {
            throw failure(hr, call);
        }
        return hr;
    }

    /** The exception for a failed call: {@code "BG_E_EMPTY (0x80200003): IBackgroundCopyJob::Resume failed"}. */
    static BitsException failure(int hr, String call) {
        return new BitsException(hr, call + " failed");
    }
}
