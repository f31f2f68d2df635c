package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jbits.BitsFile;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobListener;
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.jbits.NotifyFlag;
import org.jbits.testing.Await;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Errors, retries and notifications: reference §1.6, §1.8, §1.9, §7 items 7 and 8. */
class JobErrorConformanceTest extends ConformanceTestBase {
    /** The 5-second minimum retry delay, less half a second for polling and timer slack. */
    private static final Duration RETRY_FLOOR = Duration.ofMillis(4_500);
    private static final int DROPPED_SIZE = 400_000;

    @Test
    @DisplayName("http-404-single-file-error-code-context-and-file")
    void http404OfTheOnlyFile() {
        BitsJob job = download("404-one");
        String missing = server.missingUrl("gone.bin");
        job.addFile(missing, local("gone.bin"));
        job.resume();
        awaitState(job, JobState.ERROR);
        JobError e = job.error().orElseThrow(() -> new AssertionError("a job in Error has an error: " + Await.describe(job)));
        assertEquals("0x80190194", HResult.hex(e.hresult()), "BG_E_HTTP_ERROR_404's value");
        assertEquals("BG_E_HTTP_ERROR_404", e.errorName(), "the error's name");
        assertEquals(ErrorContext.REMOTE_FILE, e.context(), "the error context");
        assertNotNull(e.file(), "the error names the failing file");
        assertEquals(missing, e.file().remoteName(), "the error's file (remote name)");
        assertEquals(local("gone.bin"), e.file().localName(), "the error's file (local name)");
        assertEquals(0, job.progress().filesTransferred(), "no file transferred");
    }

    @Test
    @DisplayName("http-404-fails-BG_E_HTTP_ERROR_404-in-remote-file-context")
    @WineDeviation("Wine transfers and enumerates a job's files in reverse order of AddFile (list_add_head; native/README.md, oracle): the 404 runs first, so the file added before it has not transferred")
    void http404IsAFatalRemoteFileError() {
        BitsJob job = download("404");
        job.addFile(server.fileUrl("present.bin", SMALL), local("present.bin"));
        String missing = server.missingUrl("absent.bin");
        job.addFile(missing, local("absent.bin"));
        job.resume();
        awaitState(job, JobState.ERROR);
        JobError e = job.error().orElseThrow(() -> new AssertionError("a job in Error has an error: " + Await.describe(job)));
        assertEquals(code(HResult.ofHttpStatus(404)), code(e.hresult()), "the error code");
        assertEquals("0x80190194", HResult.hex(e.hresult()), "BG_E_HTTP_ERROR_404's value");
        assertEquals("BG_E_HTTP_ERROR_404", e.errorName(), "the error's name");
        assertEquals(ErrorContext.REMOTE_FILE, e.context(), "the error context");
        assertNotNull(e.file(), "the error names the failing file");
        assertEquals(missing, e.file().remoteName(), "the error's file is the missing one (remote name)");
        assertEquals(local("absent.bin"), e.file().localName(), "the error's file is the missing one (local name)");
        assertTrue(job.files().get(0).progress().completed(), "the file before it transferred");
    }

    @Test
    @DisplayName("dropped-connection-transient-error-then-retried-after-minimum-retry-delay")
    @WineDeviation("failures go straight to ERROR: Wine has no TRANSIENT_ERROR and no retry (reference §6.3; connection "
            + "refused gives ERROR, §8)")
    void droppedConnectionIsRetried() throws Exception {
        BitsJob job = download("dropped");
        job.setMinimumRetryDelay(5);
        assertEquals(5, job.minimumRetryDelay(), "minimum retry delay");
        job.addFile(server.droppingUrl("dropped.bin", DROPPED_SIZE, 1), local("dropped.bin"));
        job.resume();
        awaitState(job, JobState.TRANSIENT_ERROR);
        long transientSeen = System.nanoTime();
        assertTrue(job.error().isPresent(), "a job in TransientError has an error: " + Await.describe(job));
        awaitState(job, JobState.TRANSFERRED);
        // Measured from when TransientError was seen (at most one poll late), not from the dropped request: a
        // backend may reconnect on its own before it reports the error.
        ConformanceServer.Request retry = server.requests("dropped.bin").stream()
                .filter(r -> r.method().equals("GET") && r.nanoTime() > transientSeen).findFirst()
                .orElseThrow(() -> new AssertionError("no GET after the transient error: " + server.requests("dropped.bin")));
        long gapMillis = (retry.nanoTime() - transientSeen) / 1_000_000;
        assertTrue(gapMillis >= RETRY_FLOOR.toMillis(), "the retry came " + gapMillis
                + " ms after the transient error was seen; the minimum retry delay is 5 s");
        assertEquals(HResult.hex(HResult.S_OK), HResult.hex(job.complete()), "Complete");
        assertArrayEquals(ConformanceServer.content("dropped.bin", DROPPED_SIZE), Files.readAllBytes(dir.resolve("dropped.bin")),
                "the retried file is whole and correct");
    }

    @Test
    @DisplayName("no-progress-timeout-0-makes-dropped-connection-fatal")
    @WineDeviation("a response cut short is taken as the whole file: the job goes to TRANSFERRED with the bytes received (observed under Wine 8; reference §6.3: no TRANSIENT_ERROR)")
    void zeroNoProgressTimeoutMakesErrorsFatal() {
        BitsJob job = download("no-progress-0");
        job.setNoProgressTimeout(0);
        job.addFile(server.droppingUrl("fatal.bin", DROPPED_SIZE, 1), local("fatal.bin"));
        job.resume();
        JobState s = awaitState(job, JobState.ERROR, JobState.TRANSIENT_ERROR);
        assertEquals(JobState.ERROR, s, "with a no-progress timeout of 0 the drop is fatal: " + Await.describe(job));
        assertTrue(job.error().isPresent(), "the job has an error");
    }

    @Test
    @DisplayName("resume-in-transient-error-retries-at-once")
    @WineDeviation("failures go straight to ERROR: Wine has no TRANSIENT_ERROR and no retry (reference §6.3)")
    void resumeRetriesTransientErrorAtOnce() {
        BitsJob job = download("resume-transient");
        assertEquals(600, job.minimumRetryDelay(), "the default retry delay, which this case must not wait for");
        job.addFile(server.droppingUrl("resumed.bin", DROPPED_SIZE, 1), local("resumed.bin"));
        job.resume();
        awaitState(job, JobState.TRANSIENT_ERROR);
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(new JobProgress(DROPPED_SIZE, DROPPED_SIZE, 1, 1), job.progress(), "progress after the retry");
    }

    @Test
    @DisplayName("dropped-connection-keeps-received-bytes-and-resumes-with-range")
    @WineDeviation("failures go straight to ERROR and Wine's transfer has no Range/resume (reference §6.3)")
    void droppedConnectionKeepsBytes() throws Exception {
        BitsJob job = download("keep-bytes");
        job.addFile(server.droppingUrl("kept-bytes.bin", DROPPED_SIZE, 1), local("kept-bytes.bin"));
        job.resume();
        awaitState(job, JobState.TRANSIENT_ERROR);
        long held = job.progress().bytesTransferred();
        assertTrue(held > 0 && held < DROPPED_SIZE, "the bytes received before the drop count as transferred: "
                + Await.describe(job) + " (the server sent " + DROPPED_SIZE / 2 + " of " + DROPPED_SIZE + ")");
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        List<ConformanceServer.Request> gets = server.requests("kept-bytes.bin").stream()
                .filter(r -> r.method().equals("GET")).toList();
        String range = gets.get(gets.size() - 1).range();
        assertTrue(range != null && range.matches("bytes=[1-9]\\d*-\\d*"),
                "the retry asks for the rest of the file only, asked: Range " + range + " in " + gets);
        assertEquals(HResult.hex(HResult.S_OK), HResult.hex(job.complete()), "Complete");
        assertArrayEquals(ConformanceServer.content("kept-bytes.bin", DROPPED_SIZE),
                Files.readAllBytes(dir.resolve("kept-bytes.bin")), "the resumed file is whole and correct");
    }

    @Test
    @DisplayName("no-progress-timeout-expiry-turns-transient-error-into-error")
    @WineDeviation("failures go straight to ERROR: Wine has no TRANSIENT_ERROR and no retry (reference §6.3)")
    void noProgressTimeoutExpires() {
        BitsJob job = download("no-progress-expiry");
        job.setMinimumRetryDelay(5);
        job.setNoProgressTimeout(5);
        job.addFile(server.hangupUrl("never.bin"), local("never.bin"));
        job.resume();
        awaitState(job, JobState.TRANSIENT_ERROR);
        long transientAt = System.nanoTime();
        Await.until(WAIT, "the no-progress timeout to turn the transient error into Error",
                () -> Await.describe(job), d -> job.state() == JobState.ERROR);
        long millis = (System.nanoTime() - transientAt) / 1_000_000;
        assertTrue(millis >= RETRY_FLOOR.toMillis() - Await.POLL.toMillis(),
                "Error came " + millis + " ms after TransientError; the no-progress timeout is 5 s");
        assertTrue(job.error().isPresent(), "the job in Error keeps its error");
    }

    @Test
    @DisplayName("error-count-counts-errors")
    void errorCountGrows() {
        requires(Capability.ERROR_COUNT);
        BitsJob job = download("error-count");
        assertEquals(0, job.errorCount(), "a new job has no errors");
        job.addFile(server.missingUrl("count.bin"), local("count.bin"));
        job.resume();
        awaitState(job, JobState.ERROR);
        int first = job.errorCount();
        assertTrue(first >= 1, "one error counted, saw " + first);
        job.resume();
        Await.until(WAIT, "the error count to grow after a second failing attempt", job::errorCount, n -> n > first);
        awaitState(job, JobState.ERROR);
    }

    @Test
    @DisplayName("listener-jobTransferred-called")
    void listenerHearsTransferred() {
        List<String> events = new CopyOnWriteArrayList<>();
        BitsJob job = download("listen-transferred");
        bits.addListener(new JobListener() {
            @Override
            public void jobTransferred(BitsJob j) {
                events.add(j.id() + " transferred in " + j.state());
            }
        });
        job.addFile(server.fileUrl("listen.bin", SMALL), local("listen.bin"));
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        Await.until(WAIT, "JobTransferred for the job", () -> List.copyOf(events), e -> !e.isEmpty());
        assertEquals(List.of(job.id() + " transferred in " + JobState.TRANSFERRED), events, "one JobTransferred, in state Transferred");
    }

    @Test
    @DisplayName("listener-fileTransferred-called-per-file")
    @WineDeviation("Wine never calls FileTransferred; only JobTransferred is invoked (reference §6.3; oracle)")
    void listenerHearsEachFile() {
        List<String> files = new CopyOnWriteArrayList<>();
        BitsJob job = download("listen-files");
        job.setNotifyFlags(EnumSet.of(NotifyFlag.FILE_TRANSFERRED, NotifyFlag.JOB_TRANSFERRED));
        bits.addListener(new JobListener() {
            @Override
            public void fileTransferred(BitsJob j, BitsFile file) {
                if (j.id().equals(job.id())) {
                    files.add(file.localName() + (file.progress().completed() ? "" : " (not complete)"));
                }
            }
        });
        job.addFile(server.fileUrl("first.bin", SMALL), local("first.bin"));
        job.addFile(server.fileUrl("second.bin", SMALL), local("second.bin"));
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        Await.until(WAIT, "FileTransferred for both files", () -> List.copyOf(files), f -> f.size() >= 2);
        assertEquals(List.of(local("first.bin"), local("second.bin")), files, "one FileTransferred per file, in order");
    }

    @Test
    @DisplayName("listener-jobError-called-on-404-when-error-flag-set")
    @WineDeviation("Wine never calls JobError; only JobTransferred is invoked (reference §6.3)")
    void listenerHearsError() {
        List<JobError> errors = new CopyOnWriteArrayList<>();
        List<String> jobs = new CopyOnWriteArrayList<>();
        BitsJob job = download("listen-error");
        job.setNotifyFlags(EnumSet.of(NotifyFlag.JOB_ERROR));
        bits.addListener(new JobListener() {
            @Override
            public void jobError(BitsJob j, JobError error) {
                jobs.add(j.id().toString());
                errors.add(error);
            }
        });
        job.addFile(server.missingUrl("listen-404.bin"), local("listen-404.bin"));
        job.resume();
        awaitState(job, JobState.ERROR);
        Await.until(WAIT, "JobError for the job", () -> List.copyOf(errors), e -> !e.isEmpty());
        assertEquals(List.of(job.id().toString()), jobs, "JobError names the job");
        JobError e = errors.get(0);
        assertNotNull(e, "JobError carries the error");
        assertEquals(code(HResult.ofHttpStatus(404)), code(e.hresult()), "the error JobError carries");
        assertEquals(ErrorContext.REMOTE_FILE, e.context(), "its context");
        assertEquals(Optional.of(server.missingUrl("listen-404.bin")), Optional.ofNullable(e.file()).map(BitsFile::remoteName),
                "its file");
    }

    @Test
    @DisplayName("listener-modification-sees-state-transitions-in-order")
    @WineDeviation("Wine never calls JobModification; only JobTransferred is invoked (reference §6.3)")
    void listenerSeesTransitions() {
        List<JobState> states = new CopyOnWriteArrayList<>();
        BitsJob job = download("listen-states");
        job.setNotifyFlags(EnumSet.of(NotifyFlag.JOB_TRANSFERRED, NotifyFlag.JOB_ERROR, NotifyFlag.JOB_MODIFICATION));
        bits.addListener(new JobListener() {
            @Override
            public void jobModification(BitsJob j) {
                if (j.id().equals(job.id())) {
                    states.add(j.state());
                }
            }
        });
        job.addFile(server.fileUrl("states.bin", SMALL), local("states.bin"));
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        Await.until(WAIT, "a JobModification that sees Transferred", () -> List.copyOf(states),
                s -> s.contains(JobState.TRANSFERRED));
        // Each callback reads the state when it runs, so it sees a monotone sample of the real sequence; AddFile's
        // modification may still see Suspended.
        List<JobState> order = List.of(JobState.SUSPENDED, JobState.QUEUED, JobState.CONNECTING, JobState.TRANSFERRING,
                JobState.TRANSFERRED);
        List<JobState> seen = List.copyOf(states);
        for (int i = 0; i < seen.size(); i++) {
            assertTrue(order.contains(seen.get(i)), "only the states of a clean transfer: " + seen);
            if (i > 0) {
                assertTrue(order.indexOf(seen.get(i)) >= order.indexOf(seen.get(i - 1)), "states never go back: " + seen);
            }
        }
    }
}
