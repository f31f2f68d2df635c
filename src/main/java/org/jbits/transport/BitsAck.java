package org.jbits.transport;

import java.time.Duration;
import java.util.Locale;
import okhttp3.Headers;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * One answer of a BITS upload server ([MC-BUP] §2.2: an Ack), read liberally: header names are case-insensitive
 * (OkHttp's headers are), the packet type too, the error code comes from {@code BITS-Error-Code} or [MC-BUP]'s
 * {@code BITS-Error} in hex ({@code 0x...}, or eight hex digits) or decimal, and {@code BITS-Error-Context} in the same
 * forms. What is missing stays null or -1; the client decides what it needs.
 *
 * @param status the HTTP status
 * @param packetType {@code BITS-Packet-Type} as sent, or null
 * @param sessionId {@code BITS-Session-Id} trimmed, or null
 * @param protocol {@code BITS-Protocol} trimmed, or null
 * @param received {@code BITS-Received-Content-Range}: the offset the server holds up to, or -1
 * @param replyUrl {@code BITS-Reply-URL} trimmed, or null
 * @param hostId {@code BITS-Host-Id} trimmed, or null
 * @param hostFallback {@code BITS-Host-Id-Fallback-Timeout}, or null
 * @param errorCode the server's HRESULT, or 0 when it gave none (or gave 0, as for 416)
 * @param errorContext the server's error context (RemoteFile unless it said RemoteApplication)
 * @param retryAfter {@code Retry-After}, or null
 */
record BitsAck(int status, String packetType, String sessionId, String protocol, long received, String replyUrl,
        String hostId, Duration hostFallback, int errorCode, ErrorContext errorContext, Duration retryAfter) {
    static final String PACKET_TYPE = "BITS-Packet-Type";
    static final String SESSION_ID = "BITS-Session-Id";
    static final String PROTOCOL = "BITS-Protocol";
    static final String RECEIVED_CONTENT_RANGE = "BITS-Received-Content-Range";
    static final String REPLY_URL = "BITS-Reply-URL";
    static final String HOST_ID = "BITS-Host-Id";
    static final String HOST_ID_FALLBACK_TIMEOUT = "BITS-Host-Id-Fallback-Timeout";
    static final String ERROR_CODE = "BITS-Error-Code";
    static final String ERROR_LEGACY = "BITS-Error";
    static final String ERROR_CONTEXT = "BITS-Error-Context";
    /** BG_ERROR_CONTEXT_REMOTE_APPLICATION: the server's back-end application failed. */
    private static final int CONTEXT_REMOTE_APPLICATION = 0x7;

    /** The ack in {@code status} and {@code headers}. */
    static BitsAck of(int status, Headers headers) {
        String code = trimmed(headers.get(ERROR_CODE));
        if (code == null) {
            code = trimmed(headers.get(ERROR_LEGACY));
        }
        long context = number(trimmed(headers.get(ERROR_CONTEXT)));
        return new BitsAck(status, trimmed(headers.get(PACKET_TYPE)), trimmed(headers.get(SESSION_ID)),
                trimmed(headers.get(PROTOCOL)), offset(headers.get(RECEIVED_CONTENT_RANGE)),
                trimmed(headers.get(REPLY_URL)), trimmed(headers.get(HOST_ID)),
                seconds(headers.get(HOST_ID_FALLBACK_TIMEOUT)), (int) (number(code) & 0xFFFFFFFFL),
                context == CONTEXT_REMOTE_APPLICATION ? ErrorContext.REMOTE_APPLICATION : ErrorContext.REMOTE_FILE,
                status >= 300 ? HttpTransport.parseRetryAfter(headers.get("Retry-After")) : null);
    }

    /** 200 or 201: what a server may answer a packet with when it succeeds ([MC-BUP] Ack for Create-Session). */
    boolean ok() {
        return status == 200 || status == 201;
    }

    /** The packet type, when there is one, names an Ack (in any case). */
    boolean isAck() {
        return packetType == null || packetType.toLowerCase(Locale.ROOT).equals("ack");
    }

    /** The server's code for a refusal: its own HRESULT, else BG_E_HTTP_ERROR_{status}. */
    int hresult() {
        return errorCode != 0 && errorCode != HResult.S_OK ? errorCode : HResult.ofHttpStatus(status);
    }

    /** The server forgot the session (expired, closed, restarted without it): a new session starts from 0. */
    boolean sessionNotFound() {
        return errorCode == HResult.BG_E_SESSION_NOT_FOUND;
    }

    /**
     * {@code BITS-Received-Content-Range}: one offset ([MC-BUP] §2.2.5), read also as a range {@code 0-N} (then
     * N + 1 is held) or with a {@code bytes} prefix, as some servers write it; -1 when absent or unreadable.
     */
    static long offset(String value) {
        String v = trimmed(value);
        if (v == null) {
            return -1;
        }
        if (v.regionMatches(true, 0, "bytes", 0, 5)) {
            v = v.substring(5).trim();
            if (v.startsWith("=")) {
                v = v.substring(1).trim();
            }
        }
        int slash = v.indexOf('/');
        if (slash >= 0) {
            v = v.substring(0, slash).trim();
        }
        int dash = v.indexOf('-');
        try {
            if (dash > 0) {
                long first = Long.parseLong(v.substring(0, dash).trim());
                long last = Long.parseLong(v.substring(dash + 1).trim());
                return first == 0 && last >= -1 ? last + 1 : -1;
            }
            long n = Long.parseLong(v);
            return n >= 0 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** An HRESULT or context: {@code 0x...} or eight hex digits, else decimal (negative too); 0 when absent. */
    static long number(String v) {
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return Long.parseLong(v.substring(2), 16);
            }
            if (v.length() == 8 && v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                // An HRESULT written without 0x (8020001F): a failure code in decimal would be negative.
                return Long.parseLong(v, 16);
            }
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Duration seconds(String value) {
        String v = trimmed(value);
        if (v == null) {
            return null;
        }
        try {
            long s = Long.parseLong(v);
            // 0xFFFFFFFF is [MC-BUP]'s INFINITE: as if none were given.
            return s < 0 || s >= 0xFFFFFFFFL ? null : Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String trimmed(String v) {
        if (v == null) {
            return null;
        }
        String t = v.trim();
        return t.isEmpty() ? null : t;
    }
}
