package org.jbits.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A scripted BITS upload client for tests: each packet as BITS sends it ({@code BITS_POST} with its headers) over
 * OkHttp, and the ack's status and headers back. No retries, no cleverness: tests decide what comes next.
 */
final class BitsClient {
    static final String PROTOCOL = "{7df0354d-249b-430f-820d-3d2a9bef4931}";

    /** An ack: status and headers (names as sent). */
    record Ack(int status, okhttp3.Headers headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }

        long received() {
            return Long.parseLong(header("BITS-Received-Content-Range"));
        }

        String errorCode() {
            return header("BITS-Error-Code");
        }

        @Override
        public String toString() {
            return status + " " + headers.toMultimap();
        }
    }

    private final OkHttpClient http;
    private final URI base;
    private String authorization;

    BitsClient(URI base) {
        this(base, new OkHttpClient.Builder().retryOnConnectionFailure(false).readTimeout(Duration.ofSeconds(60))
                .build());
    }

    BitsClient(URI base, OkHttpClient http) {
        this.base = base;
        this.http = http;
    }

    /** Drops the idle keep-alive connections (so a server closes at once). */
    void disconnect() {
        http.connectionPool().evictAll();
    }

    BitsClient withBasic(String user, String password) {
        BitsClient c = new BitsClient(base, http);
        c.authorization = Credentials.basic(user, password);
        return c;
    }

    Ack ping(String path) {
        return send(path, Map.of("BITS-Packet-Type", "Ping"), new byte[0]);
    }

    Ack create(String path) {
        return send(path, Map.of("BITS-Packet-Type", "Create-Session", "BITS-Supported-Protocols", PROTOCOL), new byte[0]);
    }

    /** Create-Session, expecting success; returns the session id. */
    String session(String path) {
        Ack a = create(path);
        if (a.status() != 200) {
            throw new AssertionError("Create-Session " + path + ": " + a);
        }
        return a.header("BITS-Session-Id");
    }

    Ack fragment(String path, String session, byte[] file, long first, long last) {
        byte[] body = Arrays.copyOfRange(file, (int) first, (int) last + 1);
        return send(path, Map.of("BITS-Packet-Type", "Fragment", "BITS-Session-Id", session,
                "Content-Range", "bytes " + first + "-" + last + "/" + file.length, "Content-Name", "f"), body);
    }

    Ack close(String path, String session) {
        return send(path, Map.of("BITS-Packet-Type", "Close-Session", "BITS-Session-Id", session), new byte[0]);
    }

    Ack cancel(String path, String session) {
        return send(path, Map.of("BITS-Packet-Type", "Cancel-Session", "BITS-Session-Id", session), new byte[0]);
    }

    /** A whole upload: Create-Session, fragments of {@code fragment} bytes, Close-Session. */
    void upload(String path, byte[] file, int fragment) {
        String id = session(path);
        for (long first = 0; first < file.length; first += fragment) {
            long last = Math.min(file.length, first + fragment) - 1;
            Ack a = fragment(path, id, file, first, last);
            if (a.status() != 200 || a.received() != last + 1) {
                throw new AssertionError("fragment " + first + "-" + last + ": " + a);
            }
        }
        Ack c = close(path, id);
        if (c.status() != 200) {
            throw new AssertionError("Close-Session: " + c);
        }
    }

    /** Any packet: {@code BITS_POST path} with these headers and body. */
    Ack send(String path, Map<String, String> headers, byte[] body) {
        return call("BITS_POST", path, headers, body);
    }

    Ack call(String method, String path, Map<String, String> headers, byte[] body) {
        Request.Builder rb = new Request.Builder().url(base.resolve(path).toString())
                .method(method, body == null ? null : RequestBody.create(body, null));
        headers.forEach(rb::header);
        if (authorization != null) {
            rb.header("Authorization", authorization);
        }
        try (Response r = http.newCall(rb.build()).execute()) {
            return new Ack(r.code(), r.headers(), r.body() == null ? new byte[0] : r.body().bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        }
    }
}
