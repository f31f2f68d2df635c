package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.BitsFileRange;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.FaultServer;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The file and job properties of BITS 2.0-10.x through the engine against a real nginx (and a fault-injecting
 * server where nginx is too well behaved): file ranges, SetRemoteName and ReplaceRemotePrefix with a resume on the
 * new server, a file's response headers, dynamic content, the maximum download size and high performance.
 */
class FilePropertiesTest extends EngineWithFaultsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final byte[] CONTENT = TestData.random(3 << 20, 77);
    private static NginxServer nginx;

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.builder().limitRate("1m").start();
        nginx.put("data.bin", CONTENT);
        nginx.put("mirror/data.bin", CONTENT);
        Path other = nginx.put("other/data.bin", TestData.random(3 << 20, 78));
        try {
            // Another version: nginx's ETag is its mtime and size, so the size alone would not tell them apart.
            Files.setLastModifiedTime(other, java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(Duration.ofDays(1))));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopNginx() {
        nginx.close();
    }

    private BitsJob job(String name) {
        BitsJob j = engine.createJob(name, JobType.DOWNLOAD);
        j.setPriority(JobPriority.FOREGROUND);
        j.setMinimumRetryDelay(5);
        return j;
    }

    private static byte[] slice(long from, long length) {
        return Arrays.copyOfRange(CONTENT, (int) from, (int) (from + length));
    }

    @Test
    void rangesAreWrittenOneAfterAnotherInTheOrderGiven() throws Exception {
        BitsJob j = job("ranges");
        Path dest = tmp.resolve("ranges.bin");
        List<BitsFileRange> ranges = List.of(new BitsFileRange(100, 100), new BitsFileRange(900, 100),
                new BitsFileRange(400, 100), new BitsFileRange(CONTENT.length - 50, BitsFileRange.LENGTH_TO_EOF));
        j.addFileWithRanges(nginx.url("/data.bin").toString(), dest.toString(), ranges);
        assertEquals(ranges, j.fileRanges(0));
        j.resume();
        Await.state(j, TIMEOUT, JobState.TRANSFERRED);
        assertEquals(350, j.progress().bytesTotal(), "the ranges' bytes, the one to the end resolved by the file's size");
        j.complete();
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(slice(100, 100));
        want.write(slice(900, 100));
        want.write(slice(400, 100));
        want.write(slice(CONTENT.length - 50, 50));
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(dest));
        List<String> asked = nginx.requestsFor("/data.bin").stream().map(NginxServer.AccessLogEntry::range).toList();
        assertTrue(asked.containsAll(List.of("bytes=100-199", "bytes=900-999", "bytes=400-499",
                "bytes=" + (CONTENT.length - 50) + "-")), asked.toString());
    }

    @Test
    void aRangedFileResumesInsideTheRangeItStoppedIn() throws Exception {
        BitsJob j = job("resume-ranges");
        Path dest = tmp.resolve("resume.bin");
        List<BitsFileRange> ranges = List.of(new BitsFileRange(0, 1 << 20), new BitsFileRange(2 << 20, 1 << 20));
        j.addFileWithRanges(nginx.slowUrl("data.bin").toString(), dest.toString(), ranges);
        j.resume();
        Await.progressBeyond(j, (1 << 20) + 200_000, TIMEOUT);
        j.suspend();
        long held = j.progress().bytesTransferred();
        assertTrue(held > 1 << 20 && held < 2 << 20, "stopped inside the second range: " + held);
        j.resume();
        Await.state(j, TIMEOUT, JobState.TRANSFERRED);
        j.complete();
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(slice(0, 1 << 20));
        want.write(slice(2 << 20, 1 << 20));
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(dest));
        long resumedAt = (2 << 20) + held - (1 << 20);
        assertTrue(nginx.requestsFor("/slow/data.bin").stream().anyMatch(e -> e.rangeStart() > 2 << 20
                        && e.rangeStart() <= resumedAt && e.ifRange() != null),
                "resumed inside the second range with If-Range: " + nginx.requestsFor("/slow/data.bin"));
    }

    @Test
    void aRangePastTheEndFailsWithInvalidRangeAndAServerWithoutRangesWithInsufficientSupport() {
        BitsJob j = job("past-end");
        j.addFileWithRanges(nginx.url("/data.bin").toString(), tmp.resolve("past.bin").toString(),
                List.of(new BitsFileRange(CONTENT.length + 10, 5)));
        j.resume();
        Await.state(j, TIMEOUT, JobState.ERROR);
        assertEquals(HResult.BG_E_INVALID_RANGE, j.error().orElseThrow().hresult());
        assertEquals(ErrorContext.REMOTE_FILE, j.error().orElseThrow().context());

        BitsJob k = job("straddles-end");
        k.addFileWithRanges(nginx.url("/data.bin").toString(), tmp.resolve("straddle.bin").toString(),
                List.of(new BitsFileRange(CONTENT.length - 10, 20)));
        k.resume();
        Await.state(k, TIMEOUT, JobState.ERROR);
        assertEquals(HResult.BG_E_INVALID_RANGE, k.error().orElseThrow().hresult());

        faults = FaultServer.start().on("/whole.bin", FaultServer.ignoringRange(CONTENT, "\"w\""));
        BitsJob w = job("no-ranges");
        w.addFileWithRanges(faults.url("/whole.bin").toString(), tmp.resolve("whole.bin").toString(),
                List.of(new BitsFileRange(10, 10)));
        w.resume();
        Await.state(w, TIMEOUT, JobState.ERROR);
        assertEquals(HResult.BG_E_INSUFFICIENT_RANGE_SUPPORT, w.error().orElseThrow().hresult());
        assertFalse(Files.exists(tmp.resolve("whole.bin")));
    }

    @Test
    void addFileWithRangesRefusesWhatBitsRefuses() {
        BitsJob j = job("bad-ranges");
        String url = nginx.url("/data.bin").toString();
        String local = tmp.resolve("bad.bin").toString();
        record Bad(List<BitsFileRange> ranges, int hr) {
        }
        for (Bad b : List.of(new Bad(List.of(), HResult.E_INVALIDARG),
                new Bad(List.of(new BitsFileRange(-1, 10)), HResult.BG_E_INVALID_RANGE),
                new Bad(List.of(new BitsFileRange(5, 0)), HResult.BG_E_INVALID_RANGE),
                new Bad(List.of(new BitsFileRange(0, 10), new BitsFileRange(5, 10)), HResult.BG_E_OVERLAPPING_RANGES),
                new Bad(List.of(new BitsFileRange(100, 5), new BitsFileRange(100, 1)), HResult.BG_E_OVERLAPPING_RANGES),
                new Bad(List.of(new BitsFileRange(50, BitsFileRange.LENGTH_TO_EOF), new BitsFileRange(900, 1)),
                        HResult.BG_E_OVERLAPPING_RANGES))) {
            BitsException e = assertThrows(BitsException.class, () -> j.addFileWithRanges(url, local, b.ranges()));
            assertEquals(b.hr(), e.hresult(), b + ": " + e.getMessage());
        }
        BitsException smb = assertThrows(BitsException.class, () -> j.addFileWithRanges(
                tmp.resolve("x").toString(), local, List.of(new BitsFileRange(0, 1))));
        assertEquals(HResult.E_INVALIDARG, smb.hresult(), "ranges need HTTP");
        assertEquals(0, j.files().size());
        BitsJob upload = engine.createJob("up", JobType.UPLOAD);
        assertThrows(BitsException.class, () -> upload.addFileWithRanges(url, local, List.of(new BitsFileRange(0, 1))));
    }

    @Test
    void aNewRemoteNameOnAServerWithTheSameFileContinuesWhereItStopped() throws Exception {
        BitsJob j = job("moved");
        Path dest = tmp.resolve("moved.bin");
        j.addFile(nginx.slowUrl("data.bin").toString(), dest.toString());
        j.resume();
        Await.progressBeyond(j, 500_000, TIMEOUT);
        j.suspend();
        long held = j.progress().bytesTransferred();
        // nginx's ETag is the file's size and mtime: give the mirror's copy the same mtime, as a mirror has.
        Files.setLastModifiedTime(nginx.docroot().resolve("mirror/data.bin"),
                Files.getLastModifiedTime(nginx.docroot().resolve("data.bin")));
        assertEquals(HResult.S_OK, j.replaceRemotePrefix(nginx.url("/slow/").toString(), nginx.url("/mirror/").toString()));
        assertEquals(nginx.url("/mirror/data.bin").toString(), j.files().get(0).remoteName());
        assertEquals(HResult.S_FALSE, j.replaceRemotePrefix("http://no-such-prefix/", "http://x/"));
        j.resume();
        Await.state(j, TIMEOUT, JobState.TRANSFERRED);
        j.complete();
        assertArrayEquals(CONTENT, Files.readAllBytes(dest));
        NginxServer.AccessLogEntry resumed = nginx.requestsFor("/mirror/data.bin").get(0);
        assertTrue(resumed.rangeStart() > 0 && resumed.rangeStart() <= held, "resumed with Range on the new server: "
                + resumed + " (held " + held + ")");
        assertEquals(206, resumed.status());
    }

    @Test
    void aNewRemoteNameWithAnotherVersionStartsOverAndATransferredFileIsNotFetchedAgain() throws Exception {
        BitsJob j = job("changed");
        Path dest = tmp.resolve("changed.bin");
        Path done = tmp.resolve("done.bin");
        j.addFile(nginx.url("/data.bin").toString(), done.toString());
        j.addFile(nginx.slowUrl("data.bin").toString(), dest.toString());
        j.resume();
        Await.whileActive(j, "the second file underway", TIMEOUT, x -> x.files().get(0).progress().completed()
                && x.files().get(1).progress().bytesTransferred() > 300_000);
        j.suspend();
        j.setRemoteName(1, nginx.url("/other/data.bin").toString());
        j.setRemoteName(0, nginx.url("/other/data.bin").toString());
        assertTrue(j.files().get(0).progress().completed(), "a transferred file keeps its bytes");
        BitsException none = assertThrows(BitsException.class, () -> j.setRemoteName(2, nginx.url("/x").toString()));
        assertEquals(HResult.E_INVALIDARG, none.hresult());
        j.resume();
        Await.state(j, TIMEOUT, JobState.TRANSFERRED);
        j.complete();
        assertArrayEquals(CONTENT, Files.readAllBytes(done));
        assertArrayEquals(Files.readAllBytes(nginx.docroot().resolve("other/data.bin")), Files.readAllBytes(dest),
                "the other version, whole, not a mix");
        assertEquals(1, nginx.requestsFor("/other/data.bin").size(), "only the unfinished file went to the new name");
    }

    @Test
    void theLastResponsesHeadersAreKeptForTheFile() {
        BitsJob j = job("headers");
        j.addFile(nginx.url("/data.bin").toString(), tmp.resolve("h.bin").toString());
        assertNull(j.fileResponseHeaders(0), "none before a response");
        j.resume();
        Await.state(j, TIMEOUT, JobState.TRANSFERRED);
        String h = j.fileResponseHeaders(0);
        assertTrue(h.startsWith("HTTP/1.1 200 OK\r\n"), h);
        assertTrue(h.contains("\r\nContent-Length: " + CONTENT.length + "\r\n"), h);
        assertTrue(h.contains("ETag: "), h);
        j.complete();
    }

    @Test
    void dynamicContentNeverAsksForARangeAndRestartsFromTheStart() throws Exception {
        int logged = nginx.accessLog().size();
        BitsJob j = job("dynamic");
        j.setDynamicContent(true);
        assertTrue(j.dynamicContent());
        Path dest = tmp.resolve("dyn.bin");
        j.addFile(nginx.slowUrl("data.bin").toString(), dest.toString());
        j.resume();
        BitsException late = assertThrows(BitsException.class, () -> j.setDynamicContent(false));
        assertEquals(HResult.BG_E_READ_ONLY_PROPERTY_AFTER_RESUME, late.hresult());
        Await.progressBeyond(j, 300_000, TIMEOUT);
        j.suspend();
        j.resume();
        Await.state(j, TIMEOUT, JobState.TRANSFERRED);
        j.complete();
        assertArrayEquals(CONTENT, Files.readAllBytes(dest));
        List<NginxServer.AccessLogEntry> log = nginx.accessLog().subList(logged, nginx.accessLog().size());
        assertTrue(log.size() >= 2 && log.stream().allMatch(e -> e.range() == null), "no Range request: " + log);

        BitsJob ranged = job("dynamic-ranges");
        ranged.addFileWithRanges(nginx.url("/data.bin").toString(), tmp.resolve("dr.bin").toString(),
                List.of(new BitsFileRange(0, 10)));
        assertEquals(HResult.BG_E_UNSUPPORTED_JOB_CONFIGURATION,
                assertThrows(BitsException.class, () -> ranged.setDynamicContent(true)).hresult());
        BitsJob upload = engine.createJob("up", JobType.UPLOAD);
        assertEquals(HResult.BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY,
                assertThrows(BitsException.class, () -> upload.setDynamicContent(true)).hresult());
    }

    @Test
    void theMaximumDownloadSizeStopsAJobBeforeItWritesWhatItMayNotHave() throws Exception {
        BitsJob j = job("capped");
        assertEquals(0, j.maximumDownloadSize(), "no limit by default");
        j.setMaximumDownloadSize(1 << 20);
        Path dest = tmp.resolve("capped.bin");
        j.addFile(nginx.url("/data.bin").toString(), dest.toString());
        j.resume();
        Await.state(j, TIMEOUT, JobState.ERROR);
        assertEquals(HResult.BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED, j.error().orElseThrow().hresult());
        assertEquals(0, j.progress().bytesTransferred(), "the announced size was refused before a byte was written");
        assertEquals(HResult.BG_E_READ_ONLY_PROPERTY_AFTER_RESUME,
                assertThrows(BitsException.class, () -> j.setMaximumDownloadSize(0)).hresult());
        assertEquals(HResult.BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE,
                assertThrows(BitsException.class, () -> job("neg").setMaximumDownloadSize(-1)).hresult());

        // A body without a length (chunked) is stopped as it passes the limit.
        byte[] big = TestData.random(2 << 20, 5);
        faults = FaultServer.start().on("/chunked.bin", request -> new okhttp3.mockwebserver.MockResponse()
                .setResponseCode(200).setChunkedBody(new okio.Buffer().write(big), 64 * 1024));
        BitsJob c = job("chunked");
        c.setMaximumDownloadSize(500_000);
        c.addFile(faults.url("/chunked.bin").toString(), tmp.resolve("chunked.bin").toString());
        c.resume();
        Await.state(c, TIMEOUT, JobState.ERROR);
        assertEquals(HResult.BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED, c.error().orElseThrow().hresult());
        assertFalse(Files.exists(tmp.resolve("chunked.bin")));
    }

    @Test
    void highPerformanceIsSetBeforeTheFirstFileAndTransfers() throws Exception {
        BitsJob j = job("fast");
        j.setHighPerformance(true);
        j.setMinimumNotificationInterval(50);
        assertEquals(50, j.minimumNotificationInterval());
        j.addFile(nginx.url("/data.bin").toString(), tmp.resolve("fast.bin").toString());
        assertEquals(HResult.BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE,
                assertThrows(BitsException.class, () -> j.setHighPerformance(false)).hresult());
        j.resume();
        Await.state(j, TIMEOUT, JobState.TRANSFERRED);
        j.complete();
        assertArrayEquals(CONTENT, Files.readAllBytes(tmp.resolve("fast.bin")));
        assertEquals(500, job("default").minimumNotificationInterval(), "BITS' default");
        BitsJob acl = job("acl");
        acl.setFileAclFlags(0xF);
        assertEquals(0xF, acl.fileAclFlags());
        assertEquals(HResult.E_INVALIDARG, assertThrows(BitsException.class, () -> acl.setFileAclFlags(0x10)).hresult());
    }

    @Test
    void thePropertiesSurviveARestart() {
        BitsJob j = job("kept");
        j.setDynamicContent(true);
        j.setMaximumDownloadSize(12345);
        j.setMinimumNotificationInterval(800);
        j.setFileAclFlags(0x5);
        j.setNotifyCmdLine("/bin/echo", "/bin/echo %jobid%");
        BitsJob r = job("kept-ranges");
        r.addFileWithRanges(nginx.url("/data.bin").toString(), tmp.resolve("k.bin").toString(),
                List.of(new BitsFileRange(7, BitsFileRange.LENGTH_TO_EOF)));
        engine.close();
        engine = Engines.open(tmp.resolve("state"));
        BitsJob k = engine.getJob(j.id());
        assertTrue(k.dynamicContent());
        assertEquals(12345, k.maximumDownloadSize());
        assertEquals(800, k.minimumNotificationInterval());
        assertEquals(0x5, k.fileAclFlags());
        assertEquals(new org.jbits.NotifyCmdLine("/bin/echo", "/bin/echo %jobid%"), k.notifyCmdLine());
        assertEquals(List.of(new BitsFileRange(7, BitsFileRange.LENGTH_TO_EOF)), engine.getJob(r.id()).fileRanges(0));
    }
}
