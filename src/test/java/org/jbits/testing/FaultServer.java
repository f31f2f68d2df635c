package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;

/**
 * An HTTP server for what nginx will not do on purpose: cut a body short, change a file between requests,
 * ignore Range, answer 503 with Retry-After, 416 or 404 with an HTML body. Built on OkHttp's MockWebServer.
 *
 * <p>Each path has a sequence of {@link Route}s: the n-th request to the path is answered by the n-th route,
 * and the last route answers every request after that. {@code server.on("/f", dropMidBody(a, "\"v1\""),
 * file(b, "\"v2\""))} is a file that breaks once and has changed when the client comes back. Every request is
 * recorded ({@link #hits}) with its arrival time, Range, If-Range and the status it got.
 */
public final class FaultServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    /** Answers one request. */
    @FunctionalInterface
    public interface Route {
        MockResponse respond(RecordedRequest request);
    }

    /** One request as the server saw it. {@code nanoTime} is {@link System#nanoTime()} at arrival. */
    public record Hit(long nanoTime, Instant time, String path, String range, String ifRange, int status) {
        /** The N of {@code Range: bytes=N-}, or -1 without a Range header. */
        public long rangeStart() {
            if (range == null) {
                return -1;
            }
            Matcher m = RANGE.matcher(range.trim());
            return m.matches() ? Long.parseLong(m.group(1)) : -1;
        }
    }

    private final MockWebServer server = new MockWebServer();
    private final Map<String, List<Route>> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Hit> hits = new CopyOnWriteArrayList<>();

    private FaultServer() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
    }

    /** Starts a server on a free 127.0.0.1 port. */
    public static FaultServer start() {
        FaultServer s = new FaultServer();
        try {
            s.server.start(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    /** {@code http://127.0.0.1:PORT/path}. */
    public URI url(String path) {
        return server.url(path).uri();
    }

    /** Routes requests for {@code path} (query excluded): the n-th request gets the n-th route, then the last. */
    public FaultServer on(String path, Route... sequence) {
        if (sequence.length == 0) {
            throw new IllegalArgumentException("no route for " + path);
        }
        routes.put(path, List.of(sequence));
        counts.put(path, new AtomicInteger());
        return this;
    }

    /** The requests for {@code path} so far, oldest first. */
    public List<Hit> hits(String path) {
        return hits.stream().filter(h -> h.path().equals(path)).toList();
    }

    /** Waits until {@code path} has had {@code count} requests and returns them. */
    public List<Hit> awaitHits(String path, int count, Duration timeout) {
        Await.until(timeout, () -> count + " request(s) for " + path + "; have " + hits(path),
                () -> hits(path).size() >= count);
        return hits(path);
    }

    @Override
    public void close() {
        try {
            server.shutdown();
        } catch (IOException e) {
            // shutting down a test server: nothing to recover
        }
    }

    private MockResponse answer(RecordedRequest request) {
        long now = System.nanoTime();
        String target = request.getPath() == null ? "/" : request.getPath();
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        List<Route> seq = routes.get(path);
        MockResponse response;
        if (seq == null) {
            response = status(404, "<html><body>no route for " + path + "</body></html>").respond(request);
        } else {
            int n = counts.get(path).getAndIncrement();
            response = seq.get(Math.min(n, seq.size() - 1)).respond(request);
        }
        hits.add(new Hit(now, Instant.now(), path, request.getHeader("Range"), request.getHeader("If-Range"),
                statusOf(response)));
        return response;
    }

    private static int statusOf(MockResponse r) {
        String[] parts = r.getStatus().split(" ");
        return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    }

    // ---------------------------------------------------------------- routes

    /** A static file as a well-behaved server sends it: strong ETag, Range honoured when If-Range matches. */
    public static Route file(byte[] content, String etag) {
        return request -> ranged(request, content, etag, true);
    }

    /**
     * A broken server (or cache) that honours Range but not If-Range: after a change it sends a 206 slice of the
     * NEW content with the new ETag. A client that appended it would produce a mix of two versions.
     */
    public static Route fileIgnoringIfRange(byte[] content, String etag) {
        return request -> ranged(request, content, etag, false);
    }

    /** A server without range support: always 200 and the whole body, whatever Range says. */
    public static Route ignoringRange(byte[] content, String etag) {
        return request -> new MockResponse().setResponseCode(200).setHeader("ETag", etag)
                .setBody(new Buffer().write(content));
    }

    /**
     * Like {@link #file}, but the connection is closed after half of the body (of the full file, or of the
     * requested range) while Content-Length announces all of it.
     */
    public static Route dropMidBody(byte[] content, String etag) {
        return request -> ranged(request, content, etag, true)
                .setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY);
    }

    /** Like {@link #file}, but the body trickles at {@code bytesPerSecond} (in 10 steps a second). */
    public static Route throttled(byte[] content, String etag, long bytesPerSecond) {
        return request -> ranged(request, content, etag, true)
                .throttleBody(Math.max(1, bytesPerSecond / 10), 100, TimeUnit.MILLISECONDS);
    }

    /**
     * Like {@link #dropMidBody} but the body trickles at {@code bytesPerSecond} first, so a client is seen
     * Transferring before the connection breaks.
     */
    public static Route slowThenDrop(byte[] content, String etag, long bytesPerSecond) {
        return request -> throttled(content, etag, bytesPerSecond).respond(request)
                .setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY);
    }

    /** A fixed status with an HTML body and extra header lines ({@code "Retry-After: 7"}). */
    public static Route status(int code, String htmlBody, String... headerLines) {
        return request -> {
            MockResponse r = new MockResponse().setResponseCode(code).setHeader("Content-Type", "text/html")
                    .setBody(htmlBody);
            for (String h : headerLines) {
                r.addHeader(h);
            }
            return r;
        };
    }

    /** A redirect ({@code 301}, {@code 302}, {@code 307}) to {@code location}. */
    public static Route redirect(int code, URI location) {
        return request -> new MockResponse().setResponseCode(code).setHeader("Location", location.toString())
                .setBody("<html><body>moved</body></html>");
    }

    private static MockResponse ranged(RecordedRequest request, byte[] content, String etag, boolean honourIfRange) {
        String range = request.getHeader("Range");
        String ifRange = request.getHeader("If-Range");
        Matcher m = range == null ? null : RANGE.matcher(range.trim());
        boolean useRange = m != null && m.matches() && (!honourIfRange || ifRange == null || ifRange.equals(etag));
        if (!useRange) {
            return new MockResponse().setResponseCode(200).setHeader("ETag", etag).setHeader("Accept-Ranges", "bytes")
                    .setBody(new Buffer().write(content));
        }
        long first = Long.parseLong(m.group(1));
        long last = m.group(2).isEmpty() ? content.length - 1 : Math.min(Long.parseLong(m.group(2)), content.length - 1);
        if (first >= content.length) {
            return new MockResponse().setResponseCode(416).setHeader("Content-Range", "bytes */" + content.length)
                    .setHeader("Content-Type", "text/html")
                    .setBody("<html><body>416 Requested Range Not Satisfiable</body></html>");
        }
        return new MockResponse().setResponseCode(206).setHeader("ETag", etag)
                .setHeader("Content-Range", "bytes " + first + "-" + last + "/" + content.length)
                .setBody(new Buffer().write(content, (int) first, (int) (last - first + 1)));
    }
}
