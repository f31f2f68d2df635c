package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom headers are sent on every request of a job, the range resume after a dropped connection included, and may
 * be made write-only; an expected SHA-256 is checked once the file is on disk: a match is reported with the file, a
 * mismatch fails the file with BG_E_VALIDATION_FAILED and leaves nothing under its name.
 */
class HeadersAndHashesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @Test
    void customHeadersGoWithEveryRequestIncludingTheRangeResume() throws Exception {
        byte[] content = TestData.random(200_000, 8);
        try (MockWebServer server = new MockWebServer();
             PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            server.enqueue(new MockResponse().setBody(new Buffer().write(content)).setHeader("ETag", "\"v1\"")
                    .setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY));
            server.enqueue(new MockResponse().setResponseCode(206).setHeader("ETag", "\"v1\"")
                    .setBody(new Buffer().write(content, 100_000, content.length - 100_000))
                    .setHeader("Content-Range", "bytes 100000-" + (content.length - 1) + "/" + content.length));
            server.start();
            BitsJob job = engine.createJob("headers", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.setMinimumRetryDelay(5);
            job.setCustomHeaders("X-Token: abc123\r\nX-Trace: one two\r\n");
            job.addFile(server.url("/h.bin").toString(), tmp.resolve("h.bin").toString());
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR, JobState.TRANSFERRED);
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED, JobState.ERROR);
            RecordedRequest first = server.takeRequest();
            RecordedRequest second = server.takeRequest();
            for (RecordedRequest r : List.of(first, second)) {
                assertEquals("abc123", r.getHeader("X-Token"));
                assertEquals("one two", r.getHeader("X-Trace"));
            }
            assertTrue(second.getHeader("Range") != null && second.getHeader("Range").startsWith("bytes="),
                    "the second request is a resume: " + second.getHeaders());
            assertEquals("X-Token: abc123\r\nX-Trace: one two\r\n", job.customHeaders());
            job.makeCustomHeadersWriteOnly();
            assertEquals(HResult.E_ACCESSDENIED, assertThrows(BitsException.class, job::customHeaders).hresult());
            job.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(tmp.resolve("h.bin")));
        }
    }

    @Test
    void malformedHeadersAreRefusedBeforeAnythingChanges() throws Exception {
        try (PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            BitsJob job = engine.createJob("bad headers", JobType.DOWNLOAD);
            for (String bad : List.of("NoColon", "X-A: one\nX-B: two", "X-A: one\r\n\r\nX-B: two", "Bad Name: x",
                    "Range: bytes=0-", "X-A: a\u0000b", "X-A: " + "v".repeat(16_400))) {
                BitsException e = assertThrows(BitsException.class, () -> job.setCustomHeaders(bad), bad);
                assertTrue(e.hresult() == HResult.E_INVALIDARG || e.hresult() == HResult.BG_E_STRING_TOO_LONG, e.getMessage());
            }
            assertNull(job.customHeaders());
        }
    }

    @Test
    void anExpectedSha256IsReportedWhenItMatchesAndFailsTheFileWhenItDoesNot() throws Exception {
        byte[] content = TestData.random(3 << 20, 9);
        try (NginxServer nginx = NginxServer.start();
             PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            nginx.put("s.bin", content);
            Path out = Files.createDirectories(tmp.resolve("out"));
            BitsJob job = engine.createJob("hashes", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            String right = TestData.sha256(content);
            String wrong = "0".repeat(64);
            job.addFile(nginx.url("s.bin").toString(), out.resolve("right.bin").toString(), right.toUpperCase());
            job.addFile(nginx.url("s.bin").toString(), out.resolve("wrong.bin").toString(), wrong);
            assertEquals(HResult.E_INVALIDARG, assertThrows(BitsException.class,
                    () -> job.addFile(nginx.url("s.bin").toString(), out.resolve("x").toString(), "abc")).hresult());
            job.resume();
            assertEquals(JobState.ERROR, Await.state(job, TIMEOUT, JobState.ERROR, JobState.TRANSFERRED));
            JobError e = job.error().orElseThrow();
            assertEquals(HResult.name(HResult.BG_E_VALIDATION_FAILED), e.errorName());
            assertEquals(ErrorContext.REMOTE_FILE, e.context());
            assertEquals(out.resolve("wrong.bin").toString(), e.file().localName());
            assertEquals(right, job.files().get(0).sha256());
            assertEquals(wrong, job.files().get(1).expectedSha256());
            assertNull(job.files().get(1).sha256());
            assertFalse(job.files().get(1).progress().completed());
            assertEquals(HResult.BG_S_PARTIAL_COMPLETE, job.complete());
            try (Stream<Path> s = Files.list(out)) {
                assertEquals(List.of("right.bin"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                        "the mismatching file left nothing, not even its temporary file");
            }
            assertEquals(right, TestData.sha256(out.resolve("right.bin")));
        }
    }
}
