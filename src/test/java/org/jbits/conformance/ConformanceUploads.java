package org.jbits.conformance;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conformance server's BITS upload endpoint ([MC-BUP], the little of it a conformance case needs), pure JDK so it
 * runs in a Windows JVM under Wine too: {@code BITS_POST} packets at {@code /bits/NAME} (an upload) and
 * {@code /bits-reply/NAME} (an upload-reply: the final fragment's ack names {@code /reply/SESSION}, which serves
 * {@link #replyFor}), sessions and received files in memory. A {@code GET} of an upload URL is a 404, which is what a
 * BITS that takes an upload job for a download meets.
 */
final class ConformanceUploads {
    private static final Pattern RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    private record Session(String name, boolean reply, ByteArrayOutputStream bytes) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, byte[]> uploaded = new ConcurrentHashMap<>();
    private final Map<String, byte[]> replies = new ConcurrentHashMap<>();

    /** The reply the server's "application" gives to {@code length} bytes uploaded as {@code name}. */
    static byte[] replyFor(String name, int length) {
        return ("received " + length + " bytes as " + name + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The bytes a closed session left under {@code name}, or null. */
    byte[] uploaded(String name) {
        return uploaded.get(name);
    }

    /** True for the paths this endpoint answers. */
    static boolean handles(String path) {
        return path.startsWith("/bits/") || path.startsWith("/bits-reply/") || path.startsWith("/reply/");
    }

    void handle(HttpExchange ex, String path) throws IOException {
        String method = ex.getRequestMethod();
        if (path.startsWith("/reply/")) {
            byte[] reply = method.equals("GET") || method.equals("HEAD") ? replies.get(path.substring(7)) : null;
            if (reply == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.getResponseHeaders().set("Accept-Ranges", "bytes");
            if (method.equals("HEAD")) {
                ex.getResponseHeaders().set("Content-Length", Integer.toString(reply.length));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, reply.length);
            ex.getResponseBody().write(reply);
            return;
        }
        if (!method.equals("BITS_POST")) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        boolean reply = path.startsWith("/bits-reply/");
        String name = path.substring(path.indexOf('/', 1) + 1);
        String type = String.valueOf(ex.getRequestHeaders().getFirst("BITS-Packet-Type")).trim().toLowerCase(Locale.ROOT);
        String id = ex.getRequestHeaders().getFirst("BITS-Session-Id");
        byte[] body = ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().set("BITS-Packet-Type", "Ack");
        switch (type) {
            case "ping" -> ack(ex, 200);
            case "create-session" -> {
                String sid = "{" + UUID.randomUUID() + "}";
                sessions.put(sid, new Session(name, reply, new ByteArrayOutputStream()));
                ex.getResponseHeaders().set("BITS-Protocol", "{7df0354d-249b-430f-820d-3d2a9bef4931}");
                ex.getResponseHeaders().set("BITS-Session-Id", sid);
                ack(ex, 200);
            }
            case "fragment" -> fragment(ex, sessions.get(id), id, body);
            case "close-session" -> {
                Session s = id == null ? null : sessions.remove(id);
                if (s == null) {
                    error(ex, 500, "0x8020001F");
                    return;
                }
                uploaded.put(s.name(), s.bytes().toByteArray());
                ex.getResponseHeaders().set("BITS-Session-Id", id);
                ack(ex, 200);
            }
            case "cancel-session" -> {
                if (id != null) {
                    sessions.remove(id);
                }
                ack(ex, 200);
            }
            default -> error(ex, 400, "0x80070057");
        }
    }

    private void fragment(HttpExchange ex, Session s, String id, byte[] body) throws IOException {
        if (s == null) {
            error(ex, 500, "0x8020001F");
            return;
        }
        String cr = String.valueOf(ex.getRequestHeaders().getFirst("Content-Range")).trim();
        long first = 0;
        long last = -1;
        long total = 0;
        if (!cr.equals("bytes */0")) {
            Matcher m = RANGE.matcher(cr);
            if (!m.matches()) {
                error(ex, 400, "0x80070057");
                return;
            }
            first = Long.parseLong(m.group(1));
            last = Long.parseLong(m.group(2));
            total = Long.parseLong(m.group(3));
        }
        long held = s.bytes().size();
        ex.getResponseHeaders().set("BITS-Session-Id", id);
        if (first > held) {
            ex.getResponseHeaders().set("BITS-Received-Content-Range", Long.toString(held));
            ack(ex, 416);
            return;
        }
        int skip = (int) Math.min(body.length, held - first);
        s.bytes().write(body, skip, body.length - skip);
        ex.getResponseHeaders().set("BITS-Received-Content-Range", Integer.toString(s.bytes().size()));
        if (last == total - 1 && s.reply()) {
            replies.put(id.replaceAll("[{}]", ""), replyFor(s.name(), s.bytes().size()));
            String host = ex.getRequestHeaders().getFirst("Host");
            ex.getResponseHeaders().set("BITS-Reply-URL", "http://" + host + "/reply/" + id.replaceAll("[{}]", ""));
        }
        ack(ex, 200);
    }

    private static void error(HttpExchange ex, int status, String code) throws IOException {
        ex.getResponseHeaders().set("BITS-Error-Code", code);
        ex.getResponseHeaders().set("BITS-Error-Context", "0x5");
        ack(ex, status);
    }

    private static void ack(HttpExchange ex, int status) throws IOException {
        // -1: no body; the JDK then sends no length of its own, so say it ourselves.
        ex.getResponseHeaders().set("Content-Length", "0");
        ex.sendResponseHeaders(status, -1);
    }
}
