package org.jbits.transport;

import java.time.Duration;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * A failed transfer: the BITS code and context, and whether BITS would retry it (TransientError) or stop
 * (Error). {@code retryAfter} is a server's Retry-After, or null.
 */
public final class TransferException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int hresult;
    private final ErrorContext context;
    private final boolean transientError;
    private final transient Duration retryAfter;

    public TransferException(int hresult, ErrorContext context, boolean transientError, String message,
                             Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.hresult = hresult;
        this.context = context;
        this.transientError = transientError;
        this.retryAfter = retryAfter;
    }

    /** A recoverable error: the job goes to TransientError and is retried. */
    public static TransferException transientError(int hresult, ErrorContext context, String message, Throwable cause) {
        return new TransferException(hresult, context, true, message, null, cause);
    }

    /** A fatal error: the job goes to Error. */
    public static TransferException fatal(int hresult, ErrorContext context, String message, Throwable cause) {
        return new TransferException(hresult, context, false, message, null, cause);
    }

    /** A local file error (always fatal, as in BITS). */
    public static TransferException localFile(String message, java.io.IOException cause) {
        String text = String.valueOf(cause.getMessage());
        int hr = text.contains("No space left") ? HResult.ERROR_DISK_FULL
                : cause instanceof java.nio.file.AccessDeniedException ? HResult.E_ACCESSDENIED
                : cause instanceof java.nio.file.NoSuchFileException ? HResult.ERROR_PATH_NOT_FOUND
                : HResult.E_FAIL;
        return fatal(hr, ErrorContext.LOCAL_FILE, message + ": " + text, cause);
    }

    public int hresult() {
        return hresult;
    }

    public ErrorContext context() {
        return context;
    }

    public boolean isTransient() {
        return transientError;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
