package org.jbits.cli;

import org.jbits.BitsException;
import org.jbits.HResult;

/** A CLI failure: the one line to print on stderr and the exit status of the contract. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final int JOB_ERROR = 1;
    static final int USAGE = 2;
    static final int NOT_FOUND = 3;
    static final int ACCESS_DENIED = 4;
    static final int AGENT_UNREACHABLE = 5;

    final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The contract's exit status for a BITS error: not found 3, access denied 4, anything else bad input 2. */
    static CliException of(BitsException e) {
        int hr = e.hresult();
        int code = hr == HResult.BG_E_NOT_FOUND ? NOT_FOUND
                : hr == HResult.E_ACCESSDENIED ? ACCESS_DENIED
                : USAGE;
        return new CliException(code, e.detail() + " [" + HResult.name(hr) + " " + HResult.hex(hr) + "]");
    }
}
