package org.jbits.windows;

import org.jbits.BitsException;

/** HRESULTs of COM calls turned into {@link BitsException}s with BITS' names, as jna-platform's {@code COMUtils.checkRC}. */
final class HResults {
    private HResults() {
    }

    /** {@code RPC_E_TOO_LATE}: CoInitializeSecurity was already called in this process. */
    static final int RPC_E_TOO_LATE = 0x80010119;
    /** {@code RPC_E_CHANGED_MODE}: the thread is already in another apartment. */
    static final int RPC_E_CHANGED_MODE = 0x80010106;
    /** {@code REGDB_E_CLASSNOTREG}: the class is not registered (an older BITS lacks a versioned CLSID). */
    static final int REGDB_E_CLASSNOTREG = 0x80040154;

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
