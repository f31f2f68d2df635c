package org.jbits.server;

import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Writes an Ack: {@code BITS-Packet-Type: Ack}, the packet's headers, and {@code Content-Length: 0} on every reply,
 * error or not. An error carries {@code BITS-Error-Code} (and [MC-BUP]'s spelling {@code BITS-Error}, which a client
 * written from the spec looks for) with {@code BITS-Error-Context}, both in hex.
 */
final class Ack {
    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Ack(int status) {
        this.status = status;
    }

    static Ack ok() {
        return new Ack(200);
    }

    static Ack of(int status) {
        return new Ack(status);
    }

    /** The error's status and headers; a {@code sessionId} known to the request is echoed. */
    static Ack error(BitsError e, String sessionId) {
        Ack a = new Ack(e.status);
        if (sessionId != null) {
            a.header(BitsHeaders.SESSION_ID, sessionId);
        }
        String code = hex(e.hresult);
        a.header(BitsHeaders.ERROR_CODE, code);
        a.header(BitsHeaders.ERROR_LEGACY, code);
        a.header(BitsHeaders.ERROR_CONTEXT, "0x" + Integer.toHexString(e.context));
        if (e.retryAfterSeconds > 0) {
            a.header("Retry-After", Integer.toString(e.retryAfterSeconds));
        }
        if (e.status == 401) {
            a.header("WWW-Authenticate", "Basic realm=\"jbits uploads\", charset=\"UTF-8\"");
        }
        return a;
    }

    /** An HRESULT as BITS writes it: {@code 0x} and eight hex digits. */
    static String hex(int hresult) {
        return String.format("0x%08x", hresult);
    }

    Ack header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    int status() {
        return status;
    }

    void send(Response response, Callback callback) {
        response.setStatus(status);
        response.getHeaders().put(BitsHeaders.PACKET_TYPE, "Ack");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            response.getHeaders().put(h.getKey(), h.getValue());
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, "0");
        response.write(true, BufferUtil.EMPTY_BUFFER, callback);
    }
}
