package org.jbits.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jbits.testing.NginxServer.AccessLogEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The nginx harness itself: ranges, rate limits and the parsed access log that other tests rely on. */
class NginxServerTest {
    private static final OkHttpClient HTTP = new OkHttpClient();
    private static NginxServer nginx;

    @BeforeAll
    static void start() {
        nginx = NginxServer.builder().limitRate("200k").start();
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    private static Response get(String url, String... headers) throws IOException {
        Request.Builder b = new Request.Builder().url(url).header("Accept-Encoding", "identity");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.newCall(b.build()).execute();
    }

    @Test
    void servesRangesAndLogsRangeAndIfRange() throws IOException {
        byte[] content = TestData.random(10_000, 50);
        nginx.put("dir/ranged.bin", content);
        String etag;
        try (Response r = get(nginx.url("dir/ranged.bin").toString())) {
            assertEquals(200, r.code());
            etag = r.header("ETag");
            assertArrayEquals(content, r.body().bytes());
        }
        try (Response r = get(nginx.url("/dir/ranged.bin").toString(), "Range", "bytes=4000-", "If-Range", etag)) {
            assertEquals(206, r.code());
            assertArrayEquals(Arrays.copyOfRange(content, 4000, content.length), r.body().bytes());
        }
        AccessLogEntry e = nginx.awaitRequests(x -> "bytes=4000-".equals(x.range()), 1, Duration.ofSeconds(5)).get(0);
        assertEquals("GET", e.method());
        assertEquals("/dir/ranged.bin", e.path());
        assertEquals(4000, e.rangeStart());
        assertEquals(etag, e.ifRange(), "the quotes of the ETag come back unescaped");
        assertEquals(206, e.status());
        assertEquals(6000, e.bodyBytesSent());
        assertEquals(-1, nginx.requestsFor("/dir/ranged.bin").get(0).rangeStart());
    }

    @Test
    void slowAndRateLocationsLimitTheTransfer() throws IOException {
        nginx.put("paced.bin", TestData.random(400_000, 51));
        long start = System.nanoTime();
        try (Response r = get(nginx.slowUrl("paced.bin").toString())) {
            assertEquals(400_000, r.body().bytes().length);
        }
        double slow = (System.nanoTime() - start) / 1e9;
        // limit_rate lets the first second's worth go at once: 400 kB at 200 kB/s takes about a second.
        assertTrue(slow >= 0.8, "/slow/ took " + slow + " s");

        start = System.nanoTime();
        try (Response r = get(nginx.rateUrl("paced.bin", "100k").toString())) {
            assertEquals(400_000, r.body().bytes().length);
        }
        double rated = (System.nanoTime() - start) / 1e9;
        assertTrue(rated >= 2.5, "?rate=100k took " + rated + " s");
        assertTrue(nginx.url("/rate/paced.bin").toString().endsWith("/rate/paced.bin"));
    }

    @Test
    void missingFilesAre404WithTheirOwnLogLine() throws IOException {
        try (Response r = get(nginx.url("nope.bin").toString())) {
            assertEquals(404, r.code());
        }
        assertEquals(404, nginx.awaitRequests(x -> x.path().equals("/nope.bin"), 1, Duration.ofSeconds(5)).get(0).status());
        assertFalse(nginx.errorLog().contains("[emerg]"), nginx.errorLog());
    }

    @Test
    void aMissingNginxFailsWithAClearMessage() {
        String old = System.getProperty("jbits.nginx");
        System.setProperty("jbits.nginx", "/nonexistent/nginx");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, NginxServer::start);
            assertTrue(e.getMessage().contains("/nonexistent/nginx"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("jbits.nginx");
            } else {
                System.setProperty("jbits.nginx", old);
            }
        }
    }

    @Test
    void closeRemovesThePrefixDirectory() {
        NginxServer extra = NginxServer.start();
        var root = extra.docroot().getParent();
        assertTrue(Files.isDirectory(root));
        extra.close();
        assertFalse(Files.exists(root));
    }
}
