package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local files as sources, by absolute path and by file:// URL, including resumption. A local copy is too fast
 * to suspend half-way, so the resume tests rewind a finished job to a checkpoint through the store, as a crash
 * half-way would have left it, and mark the kept bytes so the result shows which bytes were copied again.
 */
class FileSourceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** Deliberately not block-aligned: the engine resumes at any offset. */
    private static final int CHECKPOINT = (1 << 20) + 1234;

    @TempDir
    Path tmp;
    private Path stateDir;
    private Path downloads;
    private Path source;
    private byte[] content;

    @BeforeEach
    void files() throws IOException {
        stateDir = tmp.resolve("state");
        downloads = Files.createDirectories(tmp.resolve("downloads"));
        content = TestData.random(3 << 20, 40);
        source = Files.write(Files.createDirectories(tmp.resolve("source")).resolve("local.bin"), content);
    }

    @Test
    void downloadsFromAnAbsolutePath() throws Exception {
        assertDownloads(source.toString());
    }

    @Test
    void downloadsFromAFileUrl() throws Exception {
        String url = source.toUri().toString();
        assertTrue(url.startsWith("file:/"), url);
        assertDownloads(url);
    }

    private void assertDownloads(String remoteName) throws Exception {
        Path local = downloads.resolve("copy.bin");
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.createJob("local", JobType.DOWNLOAD);
            job.addFile(remoteName, local.toString());
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            assertTrue(Files.notExists(local), "hidden until Complete");
            job.complete();
        }
        assertEquals(TestData.sha256(content), TestData.sha256(local));
    }

    @Test
    void missingSourceFileIsAnErrorOnTheRemoteFile() {
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.createJob("missing", JobType.DOWNLOAD);
            job.addFile(tmp.resolve("source/absent.bin").toString(), downloads.resolve("absent.bin").toString());
            job.resume();
            Await.state(job, TIMEOUT, JobState.ERROR);
            JobError error = job.error().orElseThrow();
            assertEquals(HResult.ERROR_FILE_NOT_FOUND, error.hresult(), error.errorName());
            assertEquals(ErrorContext.REMOTE_FILE, error.context());
            assertEquals(downloads.resolve("absent.bin").toString(), error.file().localName());
        }
    }

    @Test
    void resumesALocalCopyFromItsCheckpoint() throws Exception {
        UUID id = transferThenRewindToCheckpoint();
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.getJob(id);
            assertEquals(CHECKPOINT, job.progress().bytesTransferred());
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            job.complete();
        }
        byte[] result = Files.readAllBytes(downloads.resolve("copy.bin"));
        assertEquals(content.length, result.length);
        assertArrayEquals(marker(), Arrays.copyOf(result, CHECKPOINT), "the bytes below the checkpoint were kept");
        assertArrayEquals(Arrays.copyOfRange(content, CHECKPOINT, content.length),
                Arrays.copyOfRange(result, CHECKPOINT, result.length), "the rest was copied from the checkpoint on");
    }

    @Test
    void restartsALocalCopyWhenTheSourceChanged() throws Exception {
        UUID id = transferThenRewindToCheckpoint();
        Files.setLastModifiedTime(source, FileTime.fromMillis(Files.getLastModifiedTime(source).toMillis() + 10_000));
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.getJob(id);
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            job.complete();
        }
        assertArrayEquals(content, Files.readAllBytes(downloads.resolve("copy.bin")), "copied again from byte 0");
    }

    /**
     * Transfers the source (leaving the job Transferred), then rewrites the store and the temporary file to the
     * state of a copy interrupted at {@link #CHECKPOINT}, with {@link #marker()} as the bytes held.
     */
    private UUID transferThenRewindToCheckpoint() throws IOException {
        UUID id;
        Path temp;
        try (PortableEngine engine = Engines.open(stateDir)) {
            BitsJob job = engine.createJob("local", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(source.toString(), downloads.resolve("copy.bin").toString());
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            id = job.id();
            temp = Path.of(job.files().get(0).temporaryName());
        }
        try (JobStore store = new JobStore(stateDir.resolve("jobs.db"))) {
            JobRecord rec = store.loadAll().get(0);
            FileRecord f = rec.files.get(0);
            f.completed = false;
            f.checkpoint = CHECKPOINT;
            store.saveCheckpoint(rec.id, f);
        }
        Files.write(temp, marker(), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        return id;
    }

    private static byte[] marker() {
        byte[] b = new byte[CHECKPOINT];
        Arrays.fill(b, (byte) 'M');
        return b;
    }
}
