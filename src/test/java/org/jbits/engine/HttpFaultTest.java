package org.jbits.engine;

import static org.jbits.testing.FaultServer.dropMidBody;
import static org.jbits.testing.FaultServer.file;
import static org.jbits.testing.FaultServer.fileIgnoringIfRange;
import static org.jbits.testing.FaultServer.ignoringRange;
import static org.jbits.testing.FaultServer.slowThenDrop;
import static org.jbits.testing.FaultServer.status;
import static org.jbits.testing.FaultServer.throttled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.Ports;
import org.jbits.testing.FaultServer;
import org.jbits.testing.FaultServer.Hit;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the engine meets a misbehaving server: broken connections, changed files, ignored ranges, busy and
 * missing files, unsatisfiable ranges, refused connections. Retries that BITS would do after the minimum retry
 * delay are forced with Resume() where the delay itself is not what the test is about.
 */
class HttpFaultTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String MARKER = "JBITS-ERROR-BODY-MARKER";
    private static FaultServer server;

    @TempDir
    Path tmp;
    private Path downloads;
    private PortableEngine engine;

    @BeforeAll
    static void startServer() {
        server = FaultServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void openEngine() throws IOException {
        downloads = Files.createDirectories(tmp.resolve("downloads"));
        engine = Engines.open(tmp.resolve("state"));
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    private BitsJob job(String name, String path) {
        BitsJob job = engine.createJob(name, JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setMinimumRetryDelay(5);
        job.addFile(server.url(path).toString(), downloads.resolve(name).toString());
        return job;
    }

    private static String html(String text) {
        return "<html><body><h1>" + text + "</h1>" + MARKER + "</body></html>";
    }

    @Test
    void droppedConnectionIsTransientAndRetriedWithRangeAfterMinimumRetryDelay() throws Exception {
        byte[] content = TestData.random(3 << 20, 10);
        server.on("/drop.bin", dropMidBody(content, "\"d1\""), file(content, "\"d1\""));
        BitsJob job = job("drop.bin", "/drop.bin");
        job.resume();

        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(ErrorContext.GENERAL_TRANSPORT, error.context());
        assertEquals(HResult.BG_E_CONNECTION_CLOSED, error.hresult(), error.errorName());
        assertEquals(1, job.errorCount());

        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertEquals(TestData.sha256(content), TestData.sha256(downloads.resolve("drop.bin")));

        List<Hit> hits = server.hits("/drop.bin");
        assertEquals(2, hits.size(), hits.toString());
        double gap = (hits.get(1).nanoTime() - hits.get(0).nanoTime()) / 1e9;
        assertTrue(gap >= 4.9 && gap < 10, "retried " + gap + " s after the drop; the minimum retry delay is 5 s");
        assertTrue(hits.get(1).rangeStart() > 0, "the retry is a range request: " + hits.get(1));
        assertEquals("\"d1\"", hits.get(1).ifRange());
        assertEquals(206, hits.get(1).status());
    }

    @Test
    void keepsEveryByteReceivedBeforeTheConnectionDropped() throws Exception {
        // Less than a megabyte arrives before the drop: none of it may be thrown away.
        byte[] content = TestData.random(1_200_000, 11);
        server.on("/short.bin", dropMidBody(content, "\"s1\""), file(content, "\"s1\""));
        BitsJob job = job("short.bin", "/short.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        assertEquals(600_000, job.files().get(0).progress().bytesTransferred(), "bytes held after the drop");

        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("short.bin")));
        Engines.assertResumedAt(600_000, server.hits("/short.bin").get(1).rangeStart(), downloads);
    }

    @Test
    void slowBodyCutOffIsTransientAndKeepsWhatArrived() throws Exception {
        byte[] content = TestData.random(400_000, 21);
        server.on("/trickle.bin", slowThenDrop(content, "\"t1\"", 400_000), file(content, "\"t1\""));
        BitsJob job = job("trickle.bin", "/trickle.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRING);
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        assertEquals(200_000, job.progress().bytesTransferred(), "the half that trickled in before the cut");
        assertEquals(ErrorContext.GENERAL_TRANSPORT, job.error().orElseThrow().context());

        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("trickle.bin")));
        Engines.assertResumedAt(200_000, server.hits("/trickle.bin").get(1).rangeStart(), downloads);
    }

    @Test
    void suspendKeepsTheBytesOfASlowBodyReceivedSoFar() throws Exception {
        byte[] content = TestData.random(2 << 20, 22);
        server.on("/slowbody.bin", throttled(content, "\"w1\"", 200_000), file(content, "\"w1\""));
        BitsJob job = job("slowbody.bin", "/slowbody.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRING);
        Hit first = server.awaitHits("/slowbody.bin", 1, TIMEOUT).get(0);
        // Let some of the body arrive (far less than the transport's 1 MiB buffer), then stop.
        Await.until(TIMEOUT, "half a second of body", () -> System.nanoTime() - first.nanoTime() > 500_000_000L);
        job.suspend();

        Await.until(TIMEOUT, () -> "the stopped transfer to record its bytes: " + Await.describe(job),
                () -> job.progress().bytesTransferred() > 0);
        long held = job.progress().bytesTransferred();
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("slowbody.bin")));
        Hit second = server.hits("/slowbody.bin").get(1);
        // resumed right after the bytes received before Suspend
        Engines.assertResumedAt(held, second.rangeStart(), downloads);
    }

    @Test
    void restartsFromZeroWhenTheFileChangedBetweenAttempts() throws Exception {
        byte[] v1 = TestData.random(2 << 20, 12);
        byte[] v2 = TestData.random(1_500_000, 13);
        server.on("/changed.bin", dropMidBody(v1, "\"v1\""), file(v2, "\"v2\""));
        BitsJob job = job("changed.bin", "/changed.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        assertTrue(job.progress().bytesTransferred() > 0);

        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        assertEquals(v2.length, job.progress().bytesTotal());
        job.complete();
        assertArrayEquals(v2, Files.readAllBytes(downloads.resolve("changed.bin")), "the new version, whole and alone");

        Hit retry = server.hits("/changed.bin").get(1);
        assertTrue(retry.rangeStart() > 0);
        assertEquals("\"v1\"", retry.ifRange());
        assertEquals(200, retry.status(), "If-Range did not match, so the server sent the whole new file");
    }

    @Test
    void restartsFromZeroWhenA206ComesFromAChangedFile() throws Exception {
        // A server that honours Range but not If-Range: its 206 carries the new ETag. Appending it would splice
        // two versions together.
        byte[] v1 = TestData.random(2 << 20, 14);
        byte[] v2 = TestData.random(2 << 20, 15);
        server.on("/spliced.bin", dropMidBody(v1, "\"v1\""), fileIgnoringIfRange(v2, "\"v2\""), file(v2, "\"v2\""));
        BitsJob job = job("spliced.bin", "/spliced.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);

        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(v2, Files.readAllBytes(downloads.resolve("spliced.bin")), "never a mix of v1 and v2");
    }

    @Test
    void restartsFromZeroWhenTheServerIgnoresRange() throws Exception {
        byte[] content = TestData.random(2 << 20, 16);
        server.on("/norange.bin", dropMidBody(content, "\"n1\""), ignoringRange(content, "\"n1\""));
        BitsJob job = job("norange.bin", "/norange.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);

        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("norange.bin")));
        Hit retry = server.hits("/norange.bin").get(1);
        assertTrue(retry.rangeStart() > 0, "the engine asked for the rest: " + retry);
        assertEquals(200, retry.status(), "and got the whole file");
    }

    @Test
    void busyServerIsRetriedNotBeforeItsRetryAfter() throws Exception {
        byte[] content = TestData.random(256 * 1024, 17);
        server.on("/busy.bin", status(503, html("Service Unavailable"), "Retry-After: 7"), file(content, "\"b1\""));
        BitsJob job = job("busy.bin", "/busy.bin");
        job.resume();

        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(HResult.ofHttpStatus(503), error.hresult());
        assertEquals("BG_E_HTTP_ERROR_503", error.errorName());
        assertEquals(ErrorContext.REMOTE_FILE, error.context());

        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("busy.bin")), "no trace of the 503 page");
        List<Hit> hits = server.hits("/busy.bin");
        double gap = (hits.get(1).nanoTime() - hits.get(0).nanoTime()) / 1e9;
        assertTrue(gap >= 6.9 && gap < 12, "retried " + gap + " s after the 503; Retry-After asked for 7 s");
    }

    @Test
    void notFoundIsAnErrorOnTheFailingFileAndItsBodyIsNeverWritten() throws Exception {
        byte[] first = TestData.random(100_000, 18);
        server.on("/present.bin", file(first, "\"p1\""));
        server.on("/missing.bin", status(404, html("Not Found")));
        BitsJob job = job("present.bin", "/present.bin");
        String missingUrl = server.url("/missing.bin").toString();
        job.addFile(missingUrl, downloads.resolve("missing.bin").toString());
        job.resume();

        Await.state(job, TIMEOUT, JobState.ERROR);
        JobError error = job.error().orElseThrow();
        assertEquals(0x80190194, error.hresult());
        assertEquals("BG_E_HTTP_ERROR_404", error.errorName());
        assertEquals(ErrorContext.REMOTE_FILE, error.context());
        assertNotNull(error.file(), "the error names its file");
        assertEquals(missingUrl, error.file().remoteName());
        assertEquals(downloads.resolve("missing.bin").toString(), error.file().localName());
        assertEquals(1, job.errorCount());
        assertEquals(1, job.progress().filesTransferred());
        assertNoFileContains(downloads, MARKER);

        assertEquals(HResult.BG_S_PARTIAL_COMPLETE, job.complete());
        assertArrayEquals(first, Files.readAllBytes(downloads.resolve("present.bin")));
        assertFalse(Files.exists(downloads.resolve("missing.bin")));
        assertNoFileContains(downloads, MARKER);
    }

    @Test
    void errorAfterPartialDownloadLeavesTheHeldBytesUntouched() throws Exception {
        byte[] content = TestData.random(2 << 20, 19);
        server.on("/gone.bin", dropMidBody(content, "\"g1\""), status(404, html("Gone Now")));
        BitsJob job = job("gone.bin", "/gone.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
        long held = job.progress().bytesTransferred();
        assertTrue(held > 0);

        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        assertEquals("BG_E_HTTP_ERROR_404", job.error().orElseThrow().errorName());
        Path temp = Path.of(job.files().get(0).temporaryName());
        byte[] kept = Files.readAllBytes(temp);
        Engines.assertResumedAt(held, kept.length, downloads);
        assertArrayEquals(Arrays.copyOf(content, kept.length), kept, "the temporary file holds only good bytes");
        assertNoFileContains(downloads, MARKER);
    }

    @Test
    void unsatisfiableRangeOnResumeRestartsFromZeroWithoutWritingTheErrorBody() throws Exception {
        byte[] content = TestData.random(2 << 20, 20);
        server.on("/416.bin", dropMidBody(content, "\"r1\""),
                status(416, html("Range Not Satisfiable"), "Content-Range: bytes */999"), file(content, "\"r1\""));
        BitsJob job = job("416.bin", "/416.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);

        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("416.bin")));
        List<Hit> hits = server.hits("/416.bin");
        assertEquals(3, hits.size(), hits.toString());
        assertEquals(416, hits.get(1).status());
        assertNull(hits.get(2).range(), "after the 416 the file is fetched from byte 0");
    }

    @Test
    void unsatisfiableRangeOnAFreshRequestIsAnErrorAndWritesNothing() throws Exception {
        server.on("/always416.bin", status(416, html("Range Not Satisfiable")));
        BitsJob job = job("always416.bin", "/always416.bin");
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        assertEquals("BG_E_HTTP_ERROR_416", job.error().orElseThrow().errorName());
        assertEquals(ErrorContext.REMOTE_FILE, job.error().orElseThrow().context());
        Path temp = Path.of(job.files().get(0).temporaryName());
        assertTrue(!Files.exists(temp) || Files.size(temp) == 0, "nothing written to " + temp);
        assertNoFileContains(downloads, MARKER);
    }

    @Test
    void refusedConnectionWithNoProgressTimeoutZeroIsAnErrorAtOnce() {
        BitsJob job = engine.createJob("refused", JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setNoProgressTimeout(0);
        job.addFile("http://127.0.0.1:" + Ports.free() + "/x.bin", downloads.resolve("x.bin").toString());
        long start = System.nanoTime();
        job.resume();
        Await.state(job, Duration.ofSeconds(5), JobState.ERROR);
        assertTrue(System.nanoTime() - start < 3_000_000_000L, "no retry delay before the error");
        JobError error = job.error().orElseThrow();
        assertEquals(ErrorContext.GENERAL_TRANSPORT, error.context());
        assertEquals(HResult.BG_E_CONNECT_FAILURE, error.hresult(), error.errorName());
        assertEquals(1, job.errorCount());
    }

    @Test
    void transientErrorsKeepCountingErrors() {
        BitsJob job = engine.createJob("counting", JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setMinimumRetryDelay(5);
        job.addFile("http://127.0.0.1:" + Ports.free() + "/x.bin", downloads.resolve("x.bin").toString());
        job.resume();
        for (int expected = 1; expected <= 3; expected++) {
            int n = expected;
            Await.until(TIMEOUT, () -> "error count " + n + ": " + Await.describe(job),
                    () -> job.errorCount() == n && job.state() == JobState.TRANSIENT_ERROR);
            assertEquals(ErrorContext.GENERAL_TRANSPORT, job.error().orElseThrow().context());
            job.resume(); // retry now instead of after the delay
        }
    }


    /** No file under {@code dir} (hidden temporary files included) contains {@code marker}. */
    private static void assertNoFileContains(Path dir, String marker) throws IOException {
        byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(new String(needle, StandardCharsets.ISO_8859_1)),
                        p + " contains an HTTP error body");
            }
        }
    }
}
