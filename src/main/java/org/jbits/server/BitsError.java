package org.jbits.server;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import org.jbits.HResult;

/**
 * A request the server refuses: the HTTP status, the HRESULT for {@code BITS-Error-Code} and the context for
 * {@code BITS-Error-Context}, as [MC-BUP] §2.2.1.2's error table pairs them. Each factory is one row of that table
 * (or one of the few rows the protocol leaves to the server: a cap reached, a busy session, a missing directory).
 */
final class BitsError extends Exception {
    private static final long serialVersionUID = 1L;

    /** The error was the server's own (BG_ERROR_CONTEXT_REMOTE_FILE). */
    static final int CONTEXT_SERVER = 0x5;
    /** The error came from the back-end application (BG_ERROR_CONTEXT_REMOTE_APPLICATION). */
    static final int CONTEXT_REMOTE_APPLICATION = 0x7;

    final int status;
    final int hresult;
    final int context;
    /** Seconds for a Retry-After header, or 0 for none. */
    final int retryAfterSeconds;

    private BitsError(int status, int hresult, int context, int retryAfterSeconds, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.hresult = hresult;
        this.context = context;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 E_INVALIDARG: a header missing or malformed, an unknown packet, a changed total, a URL that is a directory. */
    static BitsError invalid(String message) {
        return new BitsError(400, HResult.E_INVALIDARG, CONTEXT_SERVER, 0, message, null);
    }

    /** 500 BG_E_SESSION_NOT_FOUND: the client starts over with Create-Session. */
    static BitsError sessionNotFound(String sessionId) {
        return new BitsError(500, HResult.BG_E_SESSION_NOT_FOUND, CONTEXT_SERVER, 0,
                "no upload session " + sessionId + " here (unknown, expired, closed or cancelled)", null);
    }

    /** 403 E_ACCESSDENIED: the path leads somewhere uploads may not go. */
    static BitsError forbidden(String message) {
        return new BitsError(403, HResult.E_ACCESSDENIED, CONTEXT_SERVER, 0, message, null);
    }

    /** 409 E_ACCESSDENIED: the file exists and may not be overwritten. */
    static BitsError exists(String name) {
        return new BitsError(409, HResult.E_ACCESSDENIED, CONTEXT_SERVER, 0,
                name + " exists and this server does not overwrite files", null);
    }

    /** 401 E_ACCESSDENIED: no credentials, or wrong ones (sent with a Basic challenge). */
    static BitsError unauthorized() {
        return new BitsError(401, HResult.E_ACCESSDENIED, CONTEXT_SERVER, 0, "authentication required", null);
    }

    /** 501 E_ACCESSDENIED: uploads are not enabled at this URL. */
    static BitsError uploadsDisabled(String message) {
        return new BitsError(501, HResult.E_ACCESSDENIED, CONTEXT_SERVER, 0, message, null);
    }

    /** 416 with code 0: the fragment does not start where the received bytes end. */
    static BitsError outOfSync(long received, long start) {
        return new BitsError(416, 0, CONTEXT_SERVER, 0,
                "the fragment starts at " + start + " but the server holds " + received + " bytes", null);
    }

    /** 500 BG_E_TOO_LARGE: the file is larger than this server accepts. */
    static BitsError tooLarge(long total, long max) {
        return new BitsError(500, HResult.BG_E_TOO_LARGE, CONTEXT_SERVER, 0,
                "the file is " + total + " bytes; this server accepts at most " + max, null);
    }

    /** 404 BG_E_HTTP_ERROR_404: the directory the URL names does not exist. */
    static BitsError notFound(String message) {
        return new BitsError(404, HResult.ofHttpStatus(404), CONTEXT_SERVER, 0, message, null);
    }

    /** 405: a method this URL does not take. */
    static BitsError methodNotAllowed(String method) {
        return new BitsError(405, HResult.ofHttpStatus(405), CONTEXT_SERVER, 0, method + " is not served here", null);
    }

    /** 503 BG_E_HTTP_ERROR_503 with Retry-After: a cap is reached or the session is busy; BITS retries 5xx. */
    static BitsError busy(String message, int retryAfterSeconds) {
        return new BitsError(503, HResult.ofHttpStatus(503), CONTEXT_SERVER, retryAfterSeconds, message, null);
    }

    /** The back-end application failed with this HTTP status (and its own code, or BG_E_HTTP_ERROR_nnn). */
    static BitsError application(int status, int hresult, String message) {
        int hr = hresult != 0 ? hresult : HResult.ofHttpStatus(status);
        return new BitsError(status, hr, CONTEXT_REMOTE_APPLICATION, 0, message, null);
    }

    /** 500 ERROR_DISK_FULL, E_ACCESSDENIED or E_FAIL: the server could not write or read its files. */
    static BitsError local(String what, IOException e) {
        String text = String.valueOf(e.getMessage());
        int hr = text.contains("No space left") ? HResult.ERROR_DISK_FULL
                : e instanceof AccessDeniedException ? HResult.E_ACCESSDENIED
                : HResult.E_FAIL;
        return new BitsError(500, hr, CONTEXT_SERVER, 0, what + ": " + text, e);
    }

    /** An error Jetty answered itself (a malformed request line, headers too large): E_INVALIDARG for 4xx, else E_FAIL. */
    static BitsError http(int status) {
        int hr = status >= 400 && status < 500 ? HResult.E_INVALIDARG : HResult.E_FAIL;
        return new BitsError(status, hr, CONTEXT_SERVER, 0, "HTTP " + status, null);
    }

    /** 500 E_FAIL: anything else that went wrong in the server. */
    static BitsError internal(String message, Throwable cause) {
        return new BitsError(500, HResult.E_FAIL, CONTEXT_SERVER, 0, message, cause);
    }
}
