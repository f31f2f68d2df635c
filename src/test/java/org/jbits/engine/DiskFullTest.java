package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: the destination or the state directory on a small tmpfs (which answers ENOSPC when full),
 * mounted by the test as root, as CI runs. A full destination mid-download is the job's error with
 * ERROR_DISK_FULL in the LocalFile context and nothing under the file's name; freed space and a resume finish it
 * from where it stopped. A full destination at Complete still completes (the rename allocates nothing). A full
 * state directory at Complete refuses Complete with ERROR_DISK_FULL and keeps the job Transferred with its bytes,
 * so Complete succeeds once there is room, also after a restart.
 */
class DiskFullTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static NginxServer nginx;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.builder().start();
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void aDestinationThatFillsUpMidDownloadIsTheJobsDiskFullErrorAndResumesOnceThereIsRoom() throws Exception {
        byte[] content = TestData.random(16 << 20, 61);
        nginx.put("sixteen.bin", content);
        try (SmallFs fs = SmallFs.mount(tmp.resolve("dest"), "10m");
                PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            Path local = fs.path().resolve("sixteen.bin");
            BitsJob job = engine.createJob("full", JobType.DOWNLOAD);
            job.addFile(nginx.url("sixteen.bin").toString(), local.toString());
            job.resume();
            assertEquals(JobState.ERROR, Await.state(job, TIMEOUT, JobState.ERROR, JobState.TRANSFERRED), Await.describe(job));
            JobError error = job.error().orElseThrow();
            assertEquals(HResult.ERROR_DISK_FULL, error.hresult(), error.description());
            assertEquals(ErrorContext.LOCAL_FILE, error.context(), error.description());
            assertFalse(Files.exists(local), "nothing under the file's name after a failed write");
            // What the job reports is what it holds: the bytes checkpointed before the disk filled (none when the
            // disk filled before the first checkpoint), never the bytes received but not written.
            long held = job.progress().bytesTransferred();
            assertTrue(held < 10 << 20, "bytes held before the disk filled: " + held + "; " + Await.describe(job)
                    + "; files " + listing(fs.path()));

            fs.resize("40m");
            job.resume();
            assertEquals(JobState.TRANSFERRED, Await.state(job, TIMEOUT, JobState.ERROR, JobState.TRANSFERRED), Await.describe(job));
            job.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(local));
            List<NginxServer.AccessLogEntry> requests = nginx.requestsFor("sixteen.bin");
            assertTrue(requests.size() >= 2, "a second request after the resume: " + requests);
            long resumedAt = Math.max(0, requests.get(requests.size() - 1).rangeStart());
            Engines.assertResumedAt(held, resumedAt, fs.path());
        }
    }

    @Test
    void aDestinationThatIsFullAtCompleteStillCompletes() throws Exception {
        byte[] content = TestData.random(2 << 20, 62);
        nginx.put("two.bin", content);
        try (SmallFs fs = SmallFs.mount(tmp.resolve("dest"), "8m");
                PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            Path local = fs.path().resolve("two.bin");
            BitsJob job = engine.createJob("full at complete", JobType.DOWNLOAD);
            job.addFile(nginx.url("two.bin").toString(), local.toString());
            job.resume();
            assertEquals(JobState.TRANSFERRED, Await.state(job, TIMEOUT, JobState.ERROR, JobState.TRANSFERRED), Await.describe(job));
            fs.fill();
            job.complete();
            assertEquals(JobState.ACKNOWLEDGED, job.state());
            assertEquals(TestData.sha256(content), TestData.sha256(local));
            try (var names = Files.list(fs.path())) {
                assertEquals(List.of("filler", "two.bin"), names.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    @Test
    void aStateDirectoryThatIsFullAtCompleteRefusesCompleteAndKeepsTheJob() throws Exception {
        byte[] content = TestData.random(1 << 20, 63);
        nginx.put("one.bin", content);
        Path downloads = Files.createDirectories(tmp.resolve("downloads"));
        Path local = downloads.resolve("one.bin");
        try (SmallFs fs = SmallFs.mount(tmp.resolve("state"), "8m")) {
            java.util.UUID id;
            try (PortableEngine engine = Engines.open(fs.path())) {
                BitsJob job = engine.createJob("state full", JobType.DOWNLOAD);
                id = job.id();
                job.addFile(nginx.url("one.bin").toString(), local.toString());
                job.resume();
                assertEquals(JobState.TRANSFERRED, Await.state(job, TIMEOUT, JobState.ERROR, JobState.TRANSFERRED), Await.describe(job));
                fs.fill();
                org.jbits.BitsException e = org.junit.jupiter.api.Assertions.assertThrows(org.jbits.BitsException.class, job::complete);
                assertEquals(HResult.ERROR_DISK_FULL, e.hresult(), e.getMessage());
                assertEquals(JobState.TRANSFERRED, job.state(), "the job stays Transferred when its Complete could not be recorded");
                assertFalse(Files.exists(local), "nothing renamed into place that the store does not know of");
                fs.unfill();
                job.complete();
                assertEquals(JobState.ACKNOWLEDGED, job.state());
                assertEquals(TestData.sha256(content), TestData.sha256(local));
            }
            // The refused Complete left a store that opens and knows the job's end.
            try (PortableEngine engine = Engines.open(fs.path())) {
                assertTrue(engine.jobs().stream().noneMatch(j -> j.id().equals(id)), "an acknowledged job is gone");
            }
        }
    }

    private static String listing(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName() + "=" + p.toFile().length()).toList().toString();
        }
    }

    /** A tmpfs of a given size: a real file system that answers ENOSPC when full. */
    record SmallFs(Path path) implements AutoCloseable {
        static SmallFs mount(Path at, String size) throws IOException, InterruptedException {
            assertTrue(ROOT, "this test mounts a small tmpfs and must run as root, as CI does");
            Files.createDirectories(at);
            run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", at.toString());
            return new SmallFs(at);
        }

        void resize(String size) throws IOException, InterruptedException {
            run("mount", "-o", "remount,size=" + size, path.toString());
        }

        /** Writes a filler file until the file system answers ENOSPC. */
        void fill() throws IOException {
            byte[] block = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(path.resolve("filler"))) {
                while (true) {
                    out.write(block);
                }
            } catch (IOException full) {
                assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
            }
        }

        void unfill() throws IOException {
            Files.delete(path.resolve("filler"));
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                run("umount", path.toString());
            } catch (AssertionError busy) {
                run("umount", "--lazy", path.toString());
                throw busy;
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }
}
