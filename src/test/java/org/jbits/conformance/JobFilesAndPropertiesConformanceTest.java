package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.jbits.BitsFileRange;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.NotifyCmdLine;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The job and file properties of BITS 2.0-10.x (reference §1.4-1.5): the notify command line
 * (IBackgroundCopyJob2), file ranges and ReplaceRemotePrefix (IBackgroundCopyJob3), and IBackgroundCopyJob5's
 * properties. Each case needs the interface and method it calls; a backend whose method is a stub (Wine's qmgr
 * answers E_NOTIMPL) skips it with its probe's reason.
 */
class JobFilesAndPropertiesConformanceTest extends ConformanceTestBase {
    private static String program() {
        return System.getProperty("os.name", "").startsWith("Windows") ? "C:\\Windows\\System32\\cmd.exe" : "/bin/true";
    }

    @Test
    @DisplayName("notify-cmdline-round-trip-and-removal")
    void notifyCmdLineRoundTrip() {
        requires(Capability.NOTIFY_CMDLINE);
        BitsJob job = download("notify");
        assertNull(job.notifyCmdLine(), "a new job has no notify command line");
        String params = program() + " jbits-notify";
        job.setNotifyCmdLine(program(), params);
        assertEquals(new NotifyCmdLine(program(), params), job.notifyCmdLine());
        job.setNotifyCmdLine(null, null);
        assertNull(job.notifyCmdLine(), "SetNotifyCmdLine(NULL, NULL) removes it");
    }

    @Test
    @DisplayName("file-ranges-download-only-the-range")
    @WineDeviation("AddFileWithRanges is a FIXME stub that answers S_OK and adds nothing (dlls/qmgr/job.c; read in"
            + " Wine's source, not yet seen in a Wine run)")
    void aRangeIsAllThatIsDownloaded() throws Exception {
        requires(Capability.JOB3_FILES);
        BitsJob job = download("ranges");
        String url = server.fileUrl("ranged.bin", SMALL);
        job.addFileWithRanges(url, local("ranged.bin"), List.of(new BitsFileRange(1000, 5000)));
        assertEquals(List.of(new BitsFileRange(1000, 5000)), job.fileRanges(0), "GetFileRanges");
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(HResult.hex(HResult.S_OK), HResult.hex(job.complete()));
        assertArrayEquals(Arrays.copyOfRange(ConformanceServer.content("ranged.bin", SMALL), 1000, 6000),
                Files.readAllBytes(dir.resolve("ranged.bin")));
    }

    @Test
    @DisplayName("on-demand-fetches-the-requested-ranges-then-suspends-then-the-rest")
    void onDemandFetchesWhatIsRequested() throws Exception {
        requires(Capability.ON_DEMAND);
        BitsJob plain = download("not-on-demand");
        plain.addFile(server.fileUrl("plain.bin", SMALL), local("plain.bin"));
        assertFalse(plain.onDemand(), "on-demand mode is off by default");
        assertBitsError(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, () -> plain.requestFileRanges(0,
                List.of(new BitsFileRange(0, 10))), "RequestFileRanges on a job that is not on-demand");

        BitsJob job = download("on-demand");
        job.setOnDemand(true);
        assertTrue(job.onDemand());
        job.addFile(server.fileUrl("demand.bin", SMALL), local("demand.bin"));
        // Overlapping ranges are allowed and merged (RequestFileRanges' documentation).
        job.requestFileRanges(0, List.of(new BitsFileRange(1000, 500), new BitsFileRange(1200, 800)));
        job.resume();
        awaitState(job, JobState.SUSPENDED);
        List<BitsFileRange> filled = job.filledFileRanges(0);
        assertTrue(filled.stream().anyMatch(r -> r.initialOffset() <= 1000 && r.initialOffset() + r.length() >= 2000),
                "GetFilledFileRanges covers the requested 1000-1999: " + filled);
        assertFalse(job.files().get(0).progress().completed(), "only the requested bytes were fetched");
        job.requestFileRanges(0, List.of(new BitsFileRange(0, BitsFileRange.LENGTH_TO_EOF)));
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(List.of(new BitsFileRange(0, SMALL)), job.filledFileRanges(0));
        job.complete();
        assertArrayEquals(ConformanceServer.content("demand.bin", SMALL), Files.readAllBytes(dir.resolve("demand.bin")));
    }

    @Test
    @DisplayName("overlapping-ranges-fail-BG_E_OVERLAPPING_RANGES-and-zero-length-BG_E_INVALID_RANGE")
    @WineDeviation("AddFileWithRanges is a FIXME stub that answers S_OK and adds nothing (dlls/qmgr/job.c; read in"
            + " Wine's source, not yet seen in a Wine run)")
    void badRangesAreRefused() {
        requires(Capability.JOB3_FILES);
        BitsJob job = download("bad-ranges");
        String url = server.fileUrl("bad.bin", SMALL);
        assertBitsError(HResult.BG_E_OVERLAPPING_RANGES, () -> job.addFileWithRanges(url, local("bad.bin"),
                List.of(new BitsFileRange(0, 100), new BitsFileRange(50, 100))), "overlapping ranges");
        assertBitsError(HResult.BG_E_INVALID_RANGE, () -> job.addFileWithRanges(url, local("bad.bin"),
                List.of(new BitsFileRange(0, 0))), "a range of no bytes");
        assertEquals(0, job.files().size(), "no file was added");
    }

    @Test
    @DisplayName("replace-remote-prefix-fixes-a-moved-server")
    @WineDeviation("ReplaceRemotePrefix is a FIXME stub that answers S_OK and changes nothing (dlls/qmgr/job.c; read"
            + " in Wine's source, not yet seen in a Wine run)")
    void replaceRemotePrefix() throws Exception {
        requires(Capability.JOB3_FILES);
        BitsJob job = download("moved");
        String good = server.fileUrl("moved.bin", SMALL);
        String bad = "http://127.0.0.1:9/" + good.substring(good.indexOf('/', "http://".length()) + 1);
        job.addFile(bad, local("moved.bin"));
        String oldPrefix = "http://127.0.0.1:9/";
        String newPrefix = good.substring(0, good.indexOf('/', "http://".length()) + 1);
        job.replaceRemotePrefix(oldPrefix, newPrefix);
        assertEquals(good, job.files().get(0).remoteName(), "the new remote name");
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        job.complete();
        assertArrayEquals(ConformanceServer.content("moved.bin", SMALL), Files.readAllBytes(dir.resolve("moved.bin")));
    }

    @Test
    @DisplayName("job5-properties-defaults-and-round-trip")
    void job5Properties() {
        requires(Capability.JOB_PROPERTIES);
        BitsJob job = download("props5");
        assertFalse(job.dynamicContent(), "dynamic content is off by default");
        assertFalse(job.highPerformance(), "high performance is off by default");
        assertEquals(0, job.maximumDownloadSize(), "no maximum download size by default");
        job.setMaximumDownloadSize(1_000_000);
        assertEquals(1_000_000, job.maximumDownloadSize());
        job.setDynamicContent(true);
        assertEquals(true, job.dynamicContent());
        assertBitsError(HResult.BG_E_UNSUPPORTED_JOB_CONFIGURATION, () -> job.addFileWithRanges(
                server.fileUrl("dyn.bin", SMALL), local("dyn.bin"), List.of(new BitsFileRange(0, 10))),
                "ranges on a dynamic-content job");
    }
}
