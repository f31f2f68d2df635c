package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The test server itself: what the conformance cases rely on it to do (not a conformance case). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceServerTest {
    private ConformanceServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws IOException {
        server = ConformanceServer.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private HttpResponse<byte[]> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesWholeFileWithValidators() throws Exception {
        HttpResponse<byte[]> r = get(server.fileUrl("whole.bin", 5000));
        assertEquals(200, r.statusCode());
        assertArrayEquals(ConformanceServer.content("whole.bin", 5000), r.body());
        assertEquals("\"whole.bin-5000\"", r.headers().firstValue("ETag").orElseThrow());
        assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElseThrow());
        assertEquals(ConformanceServer.LAST_MODIFIED, r.headers().firstValue("Last-Modified").orElseThrow());
    }

    @Test
    void headAnnouncesTheLengthWithoutBody() throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(server.fileUrl("head.bin", 12345)))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("12345", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(0, r.body().length);
    }

    @Test
    void honoursRangeAndIfRange() throws Exception {
        byte[] all = ConformanceServer.content("range.bin", 1000);
        HttpResponse<byte[]> r = get(server.fileUrl("range.bin", 1000), "Range", "bytes=100-", "If-Range", "\"range.bin-1000\"");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 100-999/1000", r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(all, 100, 1000), r.body());

        HttpResponse<byte[]> closed = get(server.fileUrl("range.bin", 1000), "Range", "bytes=10-19");
        assertEquals(206, closed.statusCode());
        assertArrayEquals(Arrays.copyOfRange(all, 10, 20), closed.body());

        HttpResponse<byte[]> stale = get(server.fileUrl("range.bin", 1000), "Range", "bytes=100-", "If-Range", "\"other\"");
        assertEquals(200, stale.statusCode(), "a stale If-Range gets the whole file");
        assertArrayEquals(all, stale.body());

        HttpResponse<byte[]> past = get(server.fileUrl("range.bin", 1000), "Range", "bytes=1000-");
        assertEquals(416, past.statusCode());
        assertEquals("bytes */1000", past.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void missingIs404() throws Exception {
        assertEquals(404, get(server.missingUrl("gone.bin")).statusCode());
        assertEquals(404, get(server.fileUrl("x", 1).replace("/files/", "/nothing/")).statusCode());
    }

    @Test
    void slowPathIsThrottled() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = get(server.slowUrl("slow.bin", 100_000, 200_000));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertArrayEquals(ConformanceServer.content("slow.bin", 100_000), r.body());
        assertTrue(millis >= 400, "100 kB at 200 kB/s takes about half a second, took " + millis + " ms");
    }

    @Test
    void dropPathCutsTheFirstBodiesShort() throws Exception {
        String url = server.droppingUrl("drop.bin", 10_000, 1);
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).build();
        assertThrows(IOException.class, () -> {
            try (InputStream in = client.send(req, HttpResponse.BodyHandlers.ofInputStream()).body()) {
                in.readAllBytes();
            }
        }, "the first GET ends before its Content-Length");
        HttpResponse<byte[]> second = get(url, "Range", "bytes=5000-", "If-Range", "\"drop.bin-10000\"");
        assertEquals(206, second.statusCode());
        assertArrayEquals(Arrays.copyOfRange(ConformanceServer.content("drop.bin", 10_000), 5000, 10_000), second.body());
        assertEquals(2, server.requests("drop.bin").size());
    }

    @Test
    void hangupPathNeverAnswers() {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.hangupUrl("hang.bin"))).build();
        assertThrows(IOException.class, () -> client.send(req, HttpResponse.BodyHandlers.ofByteArray()));
        // java.net.http may retry an idempotent GET once on a closed connection.
        assertTrue(server.requests("hang.bin").size() >= 1, "the request was received");
    }
}
