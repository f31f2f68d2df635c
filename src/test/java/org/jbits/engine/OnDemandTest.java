package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jbits.BitsException;
import org.jbits.BitsFile;
import org.jbits.BitsFileRange;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobListener;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.FaultServer;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On-demand mode (BITS_JOB_PROPERTY_ON_DEMAND_MODE, IBackgroundCopyFile6) through the engine against a real nginx:
 * only the requested ranges are fetched (HTTP Range requests nginx logs), each at its offset of the temporary file,
 * the job Suspended when they are there and Transferred once every byte is; BITS' refusals; a server without range
 * support; the filled ranges across an engine restart.
 */
class OnDemandTest extends EngineWithFaultsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final byte[] CONTENT = TestData.random(5 << 20, 91);
    private static NginxServer nginx;

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.start();
        nginx.put("od.bin", CONTENT);
    }

    @AfterAll
    static void stopNginx() {
        nginx.close();
    }

    private BitsJob onDemandJob(String name) {
        BitsJob job = engine.createJob(name, JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setOnDemand(true);
        // A file of its own per job: nginx's access log then counts the bytes of this job alone.
        nginx.put(name + ".src", CONTENT);
        job.addFile(nginx.url("/" + name + ".src").toString(), tmp.resolve(name + ".bin").toString());
        return job;
    }

    private static byte[] slice(long from, long length) {
        return Arrays.copyOfRange(CONTENT, (int) from, (int) (from + length));
    }

    private static byte[] read(Path file, long from, int length) throws Exception {
        try (FileChannel ch = FileChannel.open(file)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
                // reads on
            }
            return b.array();
        }
    }

    @Test
    void onlyTheRequestedRangesAreFetchedAtTheirOffsetsAndTheJobIsSuspendedThen() throws Exception {
        BitsJob job = onDemandJob("parts");
        assertTrue(job.onDemand());
        job.requestFileRanges(0, List.of(new BitsFileRange(3_000_000, 100_000), new BitsFileRange(10, 90),
                new BitsFileRange(50, 100)));
        job.resume();
        Await.state(job, TIMEOUT, JobState.SUSPENDED);
        assertEquals(List.of(new BitsFileRange(10, 140), new BitsFileRange(3_000_000, 100_000)), job.filledFileRanges(0),
                "merged and ordered by offset");
        assertEquals(CONTENT.length, job.files().get(0).progress().bytesTotal());
        assertEquals(140 + 100_000, job.files().get(0).progress().bytesTransferred());
        assertFalse(job.files().get(0).progress().completed());
        Path temp = Path.of(job.files().get(0).temporaryName());
        assertArrayEquals(slice(10, 140), read(temp, 10, 140), "the temporary file is readable meanwhile");
        assertArrayEquals(slice(3_000_000, 100_000), read(temp, 3_000_000, 100_000));
        long fetched = nginx.requestsFor("/" + job.displayName() + ".src").stream().mapToLong(NginxServer.AccessLogEntry::bodyBytesSent).sum();
        assertEquals(140 + 100_000, fetched, "nothing but the requested bytes came from the server");
        assertTrue(nginx.requestsFor("/" + job.displayName() + ".src").stream().allMatch(e -> e.status() == 206 && e.range() != null),
                nginx.requestsFor("/" + job.displayName() + ".src")::toString);
    }

    @Test
    void fileRangesTransferredTellsEachRequestedRangeOnceItIsFilled() throws Exception {
        List<BitsFileRange> told = new CopyOnWriteArrayList<>();
        List<String> quiet = new CopyOnWriteArrayList<>();
        BitsJob job = onDemandJob("told");
        BitsJob unflagged = onDemandJob("untold");
        job.setNotifyFlags(EnumSet.of(NotifyFlag.FILE_RANGES_TRANSFERRED));
        engine.addListener(new JobListener() {
            @Override
            public void fileRangesTransferred(BitsJob j, BitsFile file, List<BitsFileRange> ranges) {
                if (j.id().equals(job.id())) {
                    // Told after the store has them: GetFilledFileRanges already reports each.
                    for (BitsFileRange r : ranges) {
                        assertTrue(j.filledFileRanges(0).stream().anyMatch(f -> f.initialOffset() <= r.initialOffset()
                                && f.initialOffset() + f.length() >= r.initialOffset() + r.length()), r::toString);
                    }
                    told.addAll(ranges);
                } else {
                    quiet.add(j.displayName());
                }
            }
        });
        job.requestFileRanges(0, List.of(new BitsFileRange(1_000_000, 3_000_000), new BitsFileRange(10, 90)));
        unflagged.requestFileRanges(0, List.of(new BitsFileRange(0, 1000)));
        job.resume();
        unflagged.resume();
        Await.state(job, TIMEOUT, JobState.SUSPENDED);
        Await.state(unflagged, TIMEOUT, JobState.SUSPENDED);
        Await.until(TIMEOUT, "FileRangesTransferred for both ranges", () -> List.copyOf(told), t -> t.size() >= 2);
        assertEquals(java.util.Set.of(new BitsFileRange(10, 90), new BitsFileRange(1_000_000, 3_000_000)),
                java.util.Set.copyOf(told), told::toString);
        assertEquals(2, told.size(), "each range told once, though the big one took several checkpoints: " + told);
        assertEquals(List.of(), quiet, "a job without the flag is not told");
    }

    @Test
    void theDownloadPositionFetchesFromThereToTheEndThenTheRestMakesItTransferred() throws Exception {
        BitsJob job = onDemandJob("seek");
        job.updateDownloadPosition(0, 4 << 20);
        job.resume();
        Await.state(job, TIMEOUT, JobState.SUSPENDED);
        assertEquals(List.of(new BitsFileRange(4 << 20, CONTENT.length - (4 << 20))), job.filledFileRanges(0));
        job.requestFileRanges(0, List.of(new BitsFileRange(0, BitsFileRange.LENGTH_TO_EOF)));
        job.resume();
        Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        assertEquals(List.of(new BitsFileRange(0, CONTENT.length)), job.filledFileRanges(0));
        long fetched = nginx.requestsFor("/" + job.displayName() + ".src").stream().mapToLong(NginxServer.AccessLogEntry::bodyBytesSent).sum();
        assertEquals(CONTENT.length, fetched, "no byte fetched twice");
        job.complete();
        assertArrayEquals(CONTENT, Files.readAllBytes(tmp.resolve("seek.bin")));
    }

    @Test
    void aRangePastTheEndIsRefusedOnceTheSizeIsKnownAndFailsTheJobBefore() {
        BitsJob job = onDemandJob("past");
        job.requestFileRanges(0, List.of(new BitsFileRange(CONTENT.length + 5, 10), new BitsFileRange(0, 10)));
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        assertEquals(HResult.BG_E_INVALID_RANGE, job.error().orElseThrow().hresult(), Await.describe(job));
        assertEquals(ErrorContext.REMOTE_FILE, job.error().orElseThrow().context());

        BitsJob known = onDemandJob("known");
        known.requestFileRanges(0, List.of(new BitsFileRange(0, 10)));
        known.resume();
        Await.state(known, TIMEOUT, JobState.SUSPENDED);
        BitsException e = assertThrows(BitsException.class,
                () -> known.requestFileRanges(0, List.of(new BitsFileRange(CONTENT.length - 5, 10))));
        assertEquals(HResult.BG_E_INVALID_RANGE, e.hresult());
        e = assertThrows(BitsException.class, () -> known.requestFileRanges(0, List.of(new BitsFileRange(-1, 10))));
        assertEquals(HResult.BG_E_INVALID_RANGE, e.hresult());
        e = assertThrows(BitsException.class, () -> known.requestFileRanges(0, List.of(new BitsFileRange(0, 0))));
        assertEquals(HResult.BG_E_INVALID_RANGE, e.hresult());
        e = assertThrows(BitsException.class, () -> known.requestFileRanges(1, List.of(new BitsFileRange(0, 1))));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
    }

    @Test
    void bitsRulesForOnDemandJobs() {
        BitsJob plain = engine.createJob("plain", JobType.DOWNLOAD);
        plain.addFile(nginx.url("/od.bin").toString(), tmp.resolve("p.bin").toString());
        for (BitsException e : List.of(
                assertThrows(BitsException.class, () -> plain.requestFileRanges(0, List.of(new BitsFileRange(0, 1)))),
                assertThrows(BitsException.class, () -> plain.updateDownloadPosition(0, 0)),
                assertThrows(BitsException.class, () -> plain.filledFileRanges(0)))) {
            assertEquals(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, e.hresult(), e.getMessage());
        }
        BitsJob upload = engine.createJob("up", JobType.UPLOAD);
        assertEquals(HResult.BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY,
                assertThrows(BitsException.class, () -> upload.setOnDemand(true)).hresult());
        BitsJob dynamic = engine.createJob("dyn", JobType.DOWNLOAD);
        dynamic.setDynamicContent(true);
        assertEquals(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED,
                assertThrows(BitsException.class, () -> dynamic.setOnDemand(true)).hresult());
        BitsJob od = engine.createJob("od", JobType.DOWNLOAD);
        od.setOnDemand(true);
        assertEquals(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED,
                assertThrows(BitsException.class, () -> od.setDynamicContent(true)).hresult());
        assertEquals(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, assertThrows(BitsException.class,
                () -> od.addFileWithRanges(nginx.url("/od.bin").toString(), tmp.resolve("r.bin").toString(),
                        List.of(new BitsFileRange(0, 5)))).hresult());
        assertEquals(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, assertThrows(BitsException.class,
                () -> od.addFile(tmp.resolve("src.bin").toUri().toString(), tmp.resolve("f.bin").toString())).hresult());
        assertEquals(0, od.files().size(), "nothing added");
        od.addFile(nginx.url("/od.bin").toString(), tmp.resolve("h.bin").toString());
        assertEquals(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, assertThrows(BitsException.class,
                () -> od.setRemoteName(0, tmp.resolve("src.bin").toUri().toString())).hresult());
        assertEquals(nginx.url("/od.bin").toString(), od.files().get(0).remoteName(), "the name is unchanged");
        BitsJob withFile = engine.createJob("local", JobType.DOWNLOAD);
        withFile.addFile(tmp.resolve("src.bin").toUri().toString(), tmp.resolve("g.bin").toString());
        assertEquals(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED,
                assertThrows(BitsException.class, () -> withFile.setOnDemand(true)).hresult());
        assertFalse(withFile.onDemand());
        BitsJob resumed = onDemandJob("resumed");
        resumed.suspend();
        resumed.setOnDemand(false);
        resumed.setOnDemand(true);
        resumed.resume();
        assertEquals(HResult.BG_E_READ_ONLY_PROPERTY_AFTER_RESUME,
                assertThrows(BitsException.class, () -> resumed.setOnDemand(false)).hresult());
    }

    @Test
    void aServerWithoutRangeSupportFailsTheJobWithRandomAccessNotSupported() {
        faults = FaultServer.start().on("/whole.bin", FaultServer.ignoringRange(CONTENT, "\"w1\""));
        BitsJob job = engine.createJob("whole", JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setOnDemand(true);
        job.addFile(faults.url("/whole.bin").toString(), tmp.resolve("whole.bin").toString());
        job.requestFileRanges(0, List.of(new BitsFileRange(100, 100)));
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        assertEquals(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, job.error().orElseThrow().hresult(), Await.describe(job));
        assertEquals(ErrorContext.REMOTE_FILE, job.error().orElseThrow().context());
        assertEquals(List.of(), job.filledFileRanges(0));
    }

    @Test
    void theFilledRangesAndRequestsSurviveARestartAndTheRestIsFetchedOnce() throws Exception {
        BitsJob job = onDemandJob("restart");
        job.requestFileRanges(0, List.of(new BitsFileRange(1 << 20, 1 << 20)));
        job.resume();
        Await.state(job, TIMEOUT, JobState.SUSPENDED);
        java.util.UUID id = job.id();
        engine.close();
        engine = Engines.open(tmp.resolve("state"));
        BitsJob again = engine.getJob(id);
        assertTrue(again.onDemand());
        assertEquals(List.of(new BitsFileRange(1 << 20, 1 << 20)), again.filledFileRanges(0));
        again.updateDownloadPosition(0, 0);
        again.resume();
        Await.state(again, TIMEOUT, JobState.TRANSFERRED);
        long fetched = nginx.requestsFor("/restart.src").stream().mapToLong(NginxServer.AccessLogEntry::bodyBytesSent).sum();
        assertEquals(CONTENT.length, fetched, "the filled range was not fetched again");
        again.complete();
        assertArrayEquals(CONTENT, Files.readAllBytes(tmp.resolve("restart.bin")));
    }
}
