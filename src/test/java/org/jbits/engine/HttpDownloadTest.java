package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.FaultServer;
import org.jbits.testing.NginxServer;
import org.jbits.testing.NginxServer.AccessLogEntry;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads from a real nginx through the portable engine: content, visibility until Complete, and resumption
 * (after Suspend, after the engine stops, after a crash left unverified bytes), proven from nginx's access log.
 */
class HttpDownloadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static NginxServer nginx;

    @TempDir
    Path tmp;
    private Path stateDir;
    private Path downloads;

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.builder().limitRate("1m").start();
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @BeforeEach
    void dirs() throws IOException {
        stateDir = tmp.resolve("state");
        downloads = Files.createDirectories(tmp.resolve("downloads"));
    }

    @Test
    void downloadsFileThatStaysHiddenUntilCompleteAndThenAppearsWhole() throws Exception {
        byte[] content = TestData.random(3 << 20, 1);
        nginx.put("hidden.bin", content);
        Path local = downloads.resolve("hidden.bin");
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.createJob("hidden", JobType.DOWNLOAD);
            job.addFile(nginx.slowUrl("hidden.bin").toString(), local.toString());
            job.resume();

            Await.progressBeyond(job, 0, TIMEOUT);
            Path temp = Path.of(job.files().get(0).temporaryName());
            assertFalse(Files.exists(local), "the local name must not exist while transferring");
            assertTrue(Files.exists(temp), "the bytes go to the temporary file " + temp);
            assertEquals(local.getParent(), temp.getParent(), "the temporary file sits next to the destination");

            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            assertFalse(Files.exists(local), "a Transferred job's file stays hidden until Complete");
            JobProgress p = job.progress();
            assertEquals(new JobProgress(content.length, content.length, 1, 1), p);

            // Whoever looks at the local name during Complete sees nothing or the whole file, never a part.
            List<Long> partialSizes = new CopyOnWriteArrayList<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    try {
                        long size = Files.size(local);
                        if (size != content.length) {
                            partialSizes.add(size);
                        }
                    } catch (IOException absent) {
                        // not there yet
                    }
                }
            });
            watcher.start();
            int hr = job.complete();
            watching.set(false);
            watcher.join(5_000);

            assertEquals(HResult.S_OK, hr);
            assertTrue(Files.exists(local), "Complete put the file in place");
            assertEquals(List.of(), partialSizes, "sizes seen at the local name during Complete");
            assertEquals(TestData.sha256(content), TestData.sha256(local));
            assertFalse(Files.exists(temp), "the temporary file is renamed, not copied");
            assertEquals(JobState.ACKNOWLEDGED, job.state());
        }
    }

    @Test
    void resumesWithRangeAfterSuspend() throws Exception {
        byte[] content = TestData.random(4 << 20, 2);
        nginx.put("suspend.bin", content);
        Path local = downloads.resolve("suspend.bin");
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.createJob("suspend", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(nginx.slowUrl("suspend.bin").toString(), local.toString());
            job.resume();
            Await.progressBeyond(job, 0, TIMEOUT);

            job.suspend();
            assertEquals(JobState.SUSPENDED, job.state());
            long held = job.progress().bytesTransferred();
            assertTrue(held > 0 && held < content.length, "suspended mid-file at " + held);

            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            job.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(local));

            List<AccessLogEntry> requests = nginx.awaitRequests(e -> e.path().equals("/slow/suspend.bin"), 2, TIMEOUT);
            assertEquals(2, requests.size(), "one request per attempt: " + requests);
            AccessLogEntry first = requests.stream().filter(e -> e.range() == null).findFirst().orElseThrow();
            AccessLogEntry second = requests.stream().filter(e -> e.range() != null).findFirst().orElseThrow();
            assertEquals(200, first.status());
            assertTrue(first.bodyBytesSent() < content.length, "the first request was cut short: " + first);
            long n = second.rangeStart();
            Engines.assertResumedAt(held, n, downloads);
            assertTrue(n < content.length, "resumed before the end: " + second);
            assertEquals("bytes=" + n + "-", second.range());
            assertNotNull(second.ifRange(), "a resume must carry If-Range");
            assertTrue(second.ifRange().startsWith("\""), "If-Range carries nginx's strong ETag: " + second.ifRange());
            assertEquals(206, second.status());
            assertEquals(content.length - n, second.bodyBytesSent(), "only the rest was sent again");
        }
    }

    @Test
    void cancelMidTransferDeletesTheTemporaryFileAndForgetsTheJob() throws Exception {
        nginx.put("cancel.bin", TestData.random(3 << 20, 6));
        Path local = downloads.resolve("cancel.bin");
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.createJob("cancel", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(nginx.slowUrl("cancel.bin").toString(), local.toString());
            job.resume();
            Await.progressBeyond(job, 0, TIMEOUT);
            Path temp = Path.of(job.files().get(0).temporaryName());
            assertTrue(Files.exists(temp));

            job.cancel();
            assertEquals(JobState.CANCELLED, job.state());
            assertFalse(Files.exists(temp), "Cancel deletes the temporary file");
            assertFalse(Files.exists(local));
            assertTrue(engine.jobs().isEmpty(), "a cancelled job is no longer listed");
            org.jbits.BitsException e = org.junit.jupiter.api.Assertions.assertThrows(org.jbits.BitsException.class,
                    () -> engine.getJob(job.id()));
            assertEquals(HResult.BG_E_NOT_FOUND, e.hresult());
        }
        try (PortableEngine engine = Engines.open(stateDir)) {
            assertTrue(engine.jobs().isEmpty(), "nor after a restart");
        }
        try (var files = Files.list(downloads)) {
            assertEquals(List.of(), files.toList(), "nothing left in the download directory");
        }
    }

    @Test
    void resumesFromCheckpointAfterEngineIsClosedAndReopened() throws Exception {
        byte[] content = TestData.random(4 << 20, 3);
        nginx.put("restart.bin", content);
        Path local = downloads.resolve("restart.bin");
        java.util.UUID id;
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.createJob("restart", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(nginx.slowUrl("restart.bin").toString(), local.toString());
            job.resume();
            Await.progressBeyond(job, 0, TIMEOUT);
            id = job.id();
        }
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.getJob(id);
            long checkpoint = job.files().get(0).progress().bytesTransferred();
            assertTrue(checkpoint > 0, "the checkpoint survived the restart: " + Await.describe(job));

            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            job.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(local));

            AccessLogEntry resumed = nginx.awaitRequests(
                    e -> e.path().equals("/slow/restart.bin") && e.range() != null, 1, TIMEOUT).get(0);
            // the reopened engine continues at its checkpoint
            Engines.assertResumedAt(checkpoint, resumed.rangeStart(), downloads);
            assertNotNull(resumed.ifRange());
            assertEquals(206, resumed.status());
        }
    }

    @Test
    void cutsUnverifiedBytesAfterCrashSoContentStillMatches() throws Exception {
        byte[] content = TestData.random(4 << 20, 4);
        nginx.put("crash.bin", content);
        Path local = downloads.resolve("crash.bin");
        java.util.UUID id;
        Path temp;
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.createJob("crash", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(nginx.slowUrl("crash.bin").toString(), local.toString());
            job.resume();
            Await.progressBeyond(job, 0, TIMEOUT);
            id = job.id();
            temp = Path.of(job.files().get(0).temporaryName());
        }
        // What a kill leaves behind: bytes in the file that no checkpoint vouches for.
        long before = Files.size(temp);
        Files.write(temp, TestData.random(100_000, 99), StandardOpenOption.APPEND);

        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.getJob(id);
            long checkpoint = job.files().get(0).progress().bytesTransferred();
            assertEquals(before, checkpoint, "the store's checkpoint is what the clean shutdown wrote");
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            job.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(local));
            AccessLogEntry resumed = nginx.awaitRequests(
                    e -> e.path().equals("/slow/crash.bin") && e.range() != null, 1, TIMEOUT).get(0);
            // resumed at the checkpoint, not after the garbage
            Engines.assertResumedAt(checkpoint, resumed.rangeStart(), downloads);
        }
    }

    @Test
    void finishesWithoutRefetchingWhenTheCheckpointIsAlreadyAtTheEnd() throws Exception {
        // A crash between the last checkpoint and the end of the file: every byte is held, the file is not done.
        byte[] content = TestData.random(1 << 20, 7);
        nginx.put("atend.bin", content);
        Path local = downloads.resolve("atend.bin");
        java.util.UUID id;
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.createJob("atend", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(nginx.url("atend.bin").toString(), local.toString());
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            id = job.id();
        }
        try (JobStore store = new JobStore(stateDir.resolve("jobs.db"))) {
            JobRecord rec = store.loadAll().get(0);
            rec.files.get(0).completed = false;
            store.saveCheckpoint(rec.id, rec.files.get(0));
        }
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.getJob(id);
            assertEquals(0, job.progress().filesTransferred());
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            job.complete();
        }
        assertArrayEquals(content, Files.readAllBytes(local));
        AccessLogEntry last = nginx.awaitRequests(e -> e.path().equals("/atend.bin") && e.range() != null, 1, TIMEOUT).get(0);
        assertEquals(content.length, last.rangeStart(), "asked only for what follows the held bytes");
        assertEquals(416, last.status(), "nginx: nothing follows");
    }

    @Test
    void followsRedirectToNginxAndResumesThroughIt() throws Exception {
        byte[] content = TestData.random(3 << 20, 5);
        nginx.put("moved.bin", content);
        Path local = downloads.resolve("moved.bin");
        try (FaultServer redirector = FaultServer.start();
             PortableEngine engine = Engines.open(stateDir)) {
            redirector.on("/old/moved.bin", FaultServer.redirect(302, nginx.slowUrl("moved.bin")));
            BitsJob job = engine.createJob("redirect", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(redirector.url("/old/moved.bin").toString(), local.toString());
            job.resume();
            Await.progressBeyond(job, 0, TIMEOUT);
            job.suspend();
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            assertEquals(redirector.url("/old/moved.bin").toString(), job.files().get(0).remoteName(),
                    "a silent redirect leaves the remote name alone");
            job.complete();

            assertArrayEquals(content, Files.readAllBytes(local));
            assertEquals(2, redirector.hits("/old/moved.bin").size(), "each attempt starts at the old URL");
            AccessLogEntry resumed = nginx.awaitRequests(
                    e -> e.path().equals("/slow/moved.bin") && e.range() != null, 1, TIMEOUT).get(0);
            assertTrue(resumed.rangeStart() > 0, "the Range survived the redirect: " + resumed);
            assertNotNull(resumed.ifRange(), "so did If-Range");
            assertEquals(206, resumed.status());
        }
    }
}
