package org.jbits.server;

import java.nio.file.Path;

/**
 * Hands a complete upload to the back-end application (BITS' notification protocol, [MC-BUP] §1.3.3 and
 * §2.2.12-13) and says what it answered: a reply (its own URL, or the reply file it or the server filled) and
 * whether the upload is kept under its name. An application failure is a {@link BitsError} in the
 * REMOTE_APPLICATION context carrying the application's HTTP status, which the final fragment's ack passes on.
 */
interface BackendNotifier {
    /**
     * What the application is told about one upload.
     *
     * @param originalUrl the URL the client uploaded to
     * @param requestFile the received file, by name (for a notification by reference)
     * @param responseFile where the application writes its reply, by name (by reference)
     */
    record Notification(UploadSession session, String originalUrl, Path requestFile, Path responseFile) {
    }

    UploadSession.Reply notify(Notification n, SessionFiles files) throws BitsError;

    /** Checks a static reply URL the application gave: absolute, and at most 2,200 characters (the error table). */
    static String checkStaticUrl(String url) throws BitsError {
        if (url == null || url.isBlank()) {
            return null;
        }
        String u = url.trim();
        if (u.length() > BitsHeaders.MAX_REPLY_URL) {
            throw BitsError.invalid("the application's reply URL is " + u.length() + " characters; at most "
                    + BitsHeaders.MAX_REPLY_URL);
        }
        if (!u.regionMatches(true, 0, "http://", 0, 7) && !u.regionMatches(true, 0, "https://", 0, 8)) {
            throw BitsError.application(500, 0, "the application's reply URL '" + u + "' is not an absolute http(s) URL");
        }
        return u;
    }

    /** An application's own code from {@code BITS-Error-Code} or [MC-BUP]'s {@code BITS-Error}, hex; 0 for none. */
    static int applicationCode(String errorCode, String legacy) {
        String v = errorCode != null ? errorCode : legacy;
        if (v == null) {
            return 0;
        }
        String t = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("0x")) {
            t = t.substring(2);
        } else if (t.startsWith("x")) {
            t = t.substring(1);
        }
        try {
            return (int) Long.parseLong(t, 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
