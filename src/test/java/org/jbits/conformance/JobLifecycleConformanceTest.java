package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbits.BitsFile;
import org.jbits.BitsJob;
import org.jbits.FileProgress;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.jbits.JobTimes;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.TransferPolicy;
import org.jbits.testing.Await;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A download job from creation to Acknowledged or Cancelled: reference §1.2, §7 items 4, 5 and 6. */
class JobLifecycleConformanceTest extends ConformanceTestBase {

    @Test
    @DisplayName("create-add-resume-complete-downloads-the-file")
    void downloadEndToEnd() throws Exception {
        BitsJob job = download("end-to-end");
        String url = server.fileUrl("e2e.bin", SMALL);
        job.addFile(url, local("e2e.bin"));
        List<BitsFile> files = job.files();
        assertEquals(1, files.size(), "one file");
        assertEquals(url, files.get(0).remoteName(), "remote name");
        assertEquals(local("e2e.bin"), files.get(0).localName(), "local name");
        assertEquals(JobState.SUSPENDED, job.state(), "AddFile leaves the job suspended");
        job.resume();
        assertTrue(EnumSet.of(JobState.QUEUED, JobState.CONNECTING, JobState.TRANSFERRING, JobState.TRANSFERRED)
                .contains(job.state()), "after Resume the job is queued or on its way: " + job.state());
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(HResult.hex(HResult.S_OK), HResult.hex(job.complete()), "Complete of a transferred job");
        assertEquals(JobState.ACKNOWLEDGED, job.state(), "state after Complete");
        assertArrayEquals(ConformanceServer.content("e2e.bin", SMALL), Files.readAllBytes(dir.resolve("e2e.bin")),
                "the local file has the server's bytes");
        assertEquals(List.of("e2e.bin"), listDir(), "only the downloaded file is left in its directory");
    }

    @Test
    @DisplayName("file-progress-size-and-bytes-once-transferred")
    void fileProgressOnceTransferred() {
        BitsJob job = download("file-progress");
        job.addFile(server.fileUrl("fp.bin", SMALL), local("fp.bin"));
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        FileProgress p = job.files().get(0).progress();
        assertEquals(SMALL, p.bytesTotal(), "the file's BytesTotal");
        assertEquals(SMALL, p.bytesTransferred(), "the file's BytesTransferred");
        assertTrue(p.completed(), "the file's Completed");
        JobProgress jp = job.progress();
        assertEquals(SMALL, jp.bytesTransferred(), "the job's BytesTransferred");
        assertEquals(1, jp.filesTotal(), "the job's FilesTotal");
        assertEquals(1, jp.filesTransferred(), "the job's FilesTransferred");
        assertEquals(HResult.hex(HResult.S_OK), HResult.hex(job.complete()), "Complete");
    }

    @Test
    @DisplayName("cancel-of-a-transferring-file-deletes-it")
    void cancelWhileTransferring() throws Exception {
        BitsJob job = download("cancel-one");
        job.addFile(server.slowUrl("cancel-one.bin", SLOW_SIZE, SLOW_RATE), local("cancel-one.bin"));
        job.resume();
        Await.whileActive(job, "part of the file transferred", WAIT, j -> {
            FileProgress p = j.files().get(0).progress();
            return p.bytesTransferred() > 0 && !p.completed();
        });
        job.cancel();
        assertEquals(JobState.CANCELLED, job.state(), "state after Cancel");
        assertEquals(List.of(), listDir(), "Cancel leaves nothing in the destination directory");
    }

    @Test
    @DisplayName("progress-bytes-total-unknown-until-size-known")
    @WineDeviation("the job's BytesTotal stays BG_SIZE_UNKNOWN after AddFile; only the file's total is set (Wine file.c updates the job's BytesTransferred only; oracle)")
    void bytesTotalIsUnknownUntilKnown() {
        BitsJob job = download("size-unknown");
        job.addFile(server.fileUrl("size.bin", SMALL), local("size.bin"));
        assertEquals(new JobProgress(JobProgress.SIZE_UNKNOWN, 0, 1, 0), job.progress(),
                "before Resume the size is BG_SIZE_UNKNOWN");
        assertEquals(JobProgress.SIZE_UNKNOWN, job.files().get(0).progress().bytesTotal(), "the file's size too");
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(new JobProgress(SMALL, SMALL, 1, 1), job.progress(), "progress once transferred");
        var fp = job.files().get(0).progress();
        assertEquals(SMALL, fp.bytesTotal(), "file bytes total");
        assertEquals(SMALL, fp.bytesTransferred(), "file bytes transferred");
        assertTrue(fp.completed(), "the file is complete");
    }

    @Test
    @DisplayName("progress-bytes-transferred-grows-during-transfer")
    @WineDeviation("the job's BytesTotal stays BG_SIZE_UNKNOWN after AddFile; only the file's total is set (Wine file.c updates the job's BytesTransferred only; oracle)")
    void bytesTransferredGrows() {
        BitsJob job = download("growing");
        job.addFile(server.slowUrl("grow.bin", SLOW_SIZE, SLOW_RATE), local("grow.bin"));
        job.resume();
        List<Long> seen = new ArrayList<>();
        Await.until(WAIT, "two different partial byte counts while transferring", () -> {
            JobProgress p = job.progress();
            if (p.bytesTransferred() > 0 && p.bytesTransferred() < SLOW_SIZE
                    && (seen.isEmpty() || seen.get(seen.size() - 1) != p.bytesTransferred())) {
                seen.add(p.bytesTransferred());
                assertEquals(SLOW_SIZE, p.bytesTotal(), "bytes total is the real size while transferring");
            }
            return Map.of("state", job.state(), "partial counts", List.copyOf(seen));
        }, m -> seen.size() >= 2 || m.get("state") == JobState.TRANSFERRED || m.get("state") == JobState.ERROR);
        assertTrue(seen.size() >= 2, "saw at least two partial counts: " + seen + "; job: " + Await.describe(job));
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) > seen.get(i - 1), "bytes transferred only grows: " + seen);
        }
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(new JobProgress(SLOW_SIZE, SLOW_SIZE, 1, 1), job.progress(), "progress at the end");
    }

    @Test
    @DisplayName("suspend-and-resume-a-running-transfer")
    void suspendAndResumeRunningTransfer() throws Exception {
        requires(Capability.SUSPEND);
        BitsJob job = download("suspend");
        job.addFile(server.slowUrl("suspend.bin", SLOW_SIZE, SLOW_RATE), local("suspend.bin"));
        job.resume();
        Await.whileActive(job, "the transfer to be under way", WAIT,
                j -> j.state() == JobState.TRANSFERRING && j.progress().bytesTransferred() > 0);
        job.suspend();
        Await.state(job, WAIT, JobState.SUSPENDED);
        long held = job.progress().bytesTransferred();
        assertTrue(held < SLOW_SIZE, "suspended before the end (" + held + " bytes)");
        job.suspend();
        assertEquals(JobState.SUSPENDED, job.state(), "Suspend of a suspended job leaves it suspended");
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(HResult.hex(HResult.S_OK), HResult.hex(job.complete()), "Complete");
        assertArrayEquals(ConformanceServer.content("suspend.bin", SLOW_SIZE), Files.readAllBytes(dir.resolve("suspend.bin")),
                "the file is whole and correct after suspend and resume");
    }

    @Test
    @DisplayName("download-invisible-at-local-name-until-complete")
    void filesAppearOnlyOnComplete() throws Exception {
        BitsJob job = download("invisible");
        job.addFile(server.fileUrl("one.bin", SMALL), local("one.bin"));
        job.addFile(server.fileUrl("two.bin", SMALL + 1), local("two.bin"));
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        assertEquals(2, job.progress().filesTransferred(), "both files transferred");
        assertFalse(Files.exists(dir.resolve("one.bin")), "one.bin is not at its local name before Complete");
        assertFalse(Files.exists(dir.resolve("two.bin")), "two.bin is not at its local name before Complete");
        assertEquals(HResult.hex(HResult.S_OK), HResult.hex(job.complete()), "Complete");
        assertArrayEquals(ConformanceServer.content("one.bin", SMALL), Files.readAllBytes(dir.resolve("one.bin")), "one.bin");
        assertArrayEquals(ConformanceServer.content("two.bin", SMALL + 1), Files.readAllBytes(dir.resolve("two.bin")), "two.bin");
        assertEquals(List.of("one.bin", "two.bin"), listDir(), "no temporary file is left");
    }

    @Test
    @DisplayName("cancel-deletes-partial-and-transferred-files")
    @WineDeviation("Wine transfers and enumerates a job's files in reverse order of AddFile (list_add_head; native/README.md, oracle), so the slow second file runs first")
    void cancelDeletesEverything() throws Exception {
        BitsJob job = download("cancel");
        job.addFile(server.fileUrl("done.bin", SMALL), local("done.bin"));
        job.addFile(server.slowUrl("partial.bin", SLOW_SIZE, SLOW_RATE), local("partial.bin"));
        job.resume();
        Await.whileActive(job, "the first file done and the second partly transferred", WAIT, j -> {
            List<BitsFile> f = j.files();
            return f.get(0).progress().completed() && f.get(1).progress().bytesTransferred() > 0
                    && !f.get(1).progress().completed();
        });
        List<BitsFile> before = job.files();
        job.cancel();
        assertEquals(JobState.CANCELLED, job.state(), "state after Cancel");
        assertEquals(List.of(), listDir(), "Cancel leaves nothing in the destination directory");
        for (BitsFile f : before) {
            assertFalse(Files.exists(Path.of(f.localName())), "nothing at " + f.localName());
            if (f.temporaryName() != null) {
                assertFalse(Files.exists(Path.of(f.temporaryName())), "temporary file " + f.temporaryName() + " deleted");
            }
        }
    }

    @Test
    @DisplayName("complete-in-error-returns-BG_S_PARTIAL_COMPLETE-and-keeps-only-finished-files")
    @WineDeviation("Wine transfers and enumerates a job's files in reverse order of AddFile (list_add_head; native/README.md, oracle): the 404 runs first and the job errs before the good file")
    void completeOfJobInErrorKeepsFinishedFiles() throws Exception {
        BitsJob job = download("partial-complete");
        job.addFile(server.fileUrl("kept.bin", SMALL), local("kept.bin"));
        job.addFile(server.missingUrl("lost.bin"), local("lost.bin"));
        job.resume();
        awaitState(job, JobState.ERROR);
        assertTrue(job.files().get(0).progress().completed(), "the first file finished before the error");
        int hr = job.complete();
        assertEquals(code(HResult.BG_S_PARTIAL_COMPLETE), code(hr), "Complete of a job with an unfinished file");
        assertEquals(JobState.ACKNOWLEDGED, job.state(), "state after Complete");
        assertEquals(List.of("kept.bin"), listDir(), "only the finished file is kept, nothing else");
        assertArrayEquals(ConformanceServer.content("kept.bin", SMALL), Files.readAllBytes(dir.resolve("kept.bin")), "kept.bin");
    }

    @Test
    @DisplayName("completed-job-is-final-and-rejects-every-mutator-BG_E_INVALID_STATE")
    @WineDeviation("the SetPriority, SetMinimumRetryDelay and SetNoProgressTimeout stubs return S_OK whatever the state "
            + "(reference §6.2); AddFile on a final job returns S_OK, GetJob still finds it and EnumJobs still lists it "
            + "until Wine's worker next wakes (oracle, native/README.md)")
    void completedJobIsFinal() {
        BitsJob job = download("completed");
        job.addFile(server.fileUrl("final.bin", SMALL), local("final.bin"));
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        job.complete();
        assertFinal(job, JobState.ACKNOWLEDGED);
    }

    @Test
    @DisplayName("cancelled-job-is-final-and-rejects-every-mutator-BG_E_INVALID_STATE")
    @WineDeviation("the SetPriority, SetMinimumRetryDelay and SetNoProgressTimeout stubs return S_OK whatever the state "
            + "(reference §6.2); AddFile on a final job returns S_OK, GetJob still finds it and EnumJobs still lists it "
            + "until Wine's worker next wakes (oracle, native/README.md)")
    void cancelledJobIsFinal() {
        BitsJob job = download("cancelled");
        job.addFile(server.fileUrl("cancelled.bin", SMALL), local("cancelled.bin"));
        job.cancel();
        assertFinal(job, JobState.CANCELLED);
    }

    /** A final job: its state, every mutator failing with BG_E_INVALID_STATE, gone from EnumJobs and GetJob. */
    private void assertFinal(BitsJob job, JobState expected) {
        assertEquals(expected, job.state(), "state");
        Map<String, Executable> mutators = new LinkedHashMap<>();
        mutators.put("AddFile", () -> job.addFile(server.fileUrl("late.bin", SMALL), local("late.bin")));
        mutators.put("Resume", job::resume);
        if (backend.has(Capability.SUSPEND)) {
            mutators.put("Suspend", job::suspend);
        }
        mutators.put("Cancel", job::cancel);
        mutators.put("Complete", job::complete);
        if (backend.has(Capability.SET_DISPLAY_NAME)) {
            mutators.put("SetDisplayName", () -> job.setDisplayName("renamed"));
        }
        mutators.put("SetDescription", () -> job.setDescription("changed"));
        if (backend.has(Capability.PRIORITY)) {
            mutators.put("SetPriority", () -> job.setPriority(JobPriority.HIGH));
        }
        mutators.put("SetNotifyFlags", () -> job.setNotifyFlags(EnumSet.of(NotifyFlag.JOB_MODIFICATION)));
        mutators.put("SetMinimumRetryDelay", () -> job.setMinimumRetryDelay(60));
        mutators.put("SetNoProgressTimeout", () -> job.setNoProgressTimeout(60));
        if (backend.has(Capability.PROXY_SETTINGS)) {
            mutators.put("SetProxySettings", () -> job.setProxySettings(ProxySettings.DEFAULT));
        }
        if (backend.has(Capability.MAXIMUM_DOWNLOAD_TIME)) {
            mutators.put("SetMaximumDownloadTime", () -> job.setMaximumDownloadTime(60));
        }
        if (backend.has(Capability.TRANSFER_POLICY)) {
            mutators.put("SetTransferPolicy", () -> job.setTransferPolicy(TransferPolicy.STANDARD));
        }
        List<Executable> checks = new ArrayList<>();
        mutators.forEach((name, call) -> checks.add(() ->
                assertBitsError(HResult.BG_E_INVALID_STATE, call, name + " on an " + expected + " job")));
        checks.add(() -> assertFalse(bits.jobs().stream().anyMatch(j -> j.id().equals(job.id())),
                "the job is no longer enumerated"));
        checks.add(() -> assertBitsError(HResult.BG_E_NOT_FOUND, () -> bits.getJob(job.id()), "GetJob of the final job"));
        checks.add(() -> assertFalse(Files.exists(dir.resolve("late.bin")), "the rejected AddFile transferred nothing"));
        assertAll(checks);
    }

    @Test
    @DisplayName("job-times-creation-modification-completion")
    void jobTimes() {
        requires(Capability.JOB_TIMES);
        // Slack for clocks of a different resolution (FILETIME, the backend's own clock).
        Duration slack = Duration.ofSeconds(2);
        Instant before = Instant.now();
        BitsJob job = download("times");
        Instant after = Instant.now();
        JobTimes t0 = job.times();
        assertNotNull(t0.creation(), "creation time");
        assertTrue(!t0.creation().isBefore(before.minus(slack)) && !t0.creation().isAfter(after.plus(slack)),
                "creation time " + t0.creation() + " is when the job was created (" + before + ".." + after + ")");
        assertNotNull(t0.modification(), "modification time");
        assertFalse(t0.modification().isBefore(t0.creation()), "creation <= modification: " + t0);
        assertNull(t0.transferCompletion(), "no transfer completion time before the transfer: " + t0);
        job.setDescription("touched");
        JobTimes t1 = job.times();
        assertEquals(t0.creation(), t1.creation(), "creation time does not change");
        assertFalse(t1.modification().isBefore(t0.modification()), "a change does not move modification back: " + t1);
        job.addFile(server.fileUrl("times.bin", SMALL), local("times.bin"));
        job.resume();
        awaitState(job, JobState.TRANSFERRED);
        JobTimes t2 = job.times();
        assertNotNull(t2.transferCompletion(), "transfer completion time once Transferred: " + t2);
        assertFalse(t2.transferCompletion().isBefore(t2.creation()), "creation <= transfer completion: " + t2);
        assertFalse(t2.modification().isBefore(t2.creation()), "creation <= modification: " + t2);
    }
}
