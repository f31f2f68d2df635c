package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.BitsFileRange;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.FaultServer;
import org.jbits.testing.TestData;
import org.jbits.transport.Transports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BITS' group-policy limits as the engine applies them (reference §1.7): MaxJobsPerUser, MaxFilesPerJob,
 * MaxRangesPerFile, MaxDownloadTime as a new job's default, and JobInactivityTimeout, driven by a clock the test
 * moves: 90 days without a change or progress cancel a job and delete its temporary file.
 */
class JobLimitsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    private PortableEngine engine;
    private FaultServer server;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theDefaultsAreBitsGroupPolicyDefaults() {
        EngineSettings s = EngineSettings.from(java.util.Map.of());
        assertEquals(60, s.maxJobsPerUser());
        assertEquals(200, s.maxFilesPerJob());
        assertEquals(500, s.maxRangesPerFile());
        assertEquals(90L * 86_400, s.jobInactivityTimeoutSeconds());
        assertEquals(7_776_000, s.maxDownloadTimeSeconds());
    }

    @Test
    void outOfRangeSettingsAreRefusedWithTheirKey() {
        for (String[] bad : new String[][] {{"engine.maxJobsPerUser", "0"}, {"engine.jobInactivityTimeoutDays", "1000"},
                {"engine.maxRangesPerFile", "many"}, {"engine.maxDownloadTime", "-1"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EngineSettings.from(java.util.Map.of(bad[0], bad[1])));
            assertTrue(e.getMessage().startsWith(bad[0]), e.getMessage());
        }
    }

    /** An engine whose jobs belong to {@code owner} (not this process's user: CI runs as root). */
    private PortableEngine openAs(EngineOwner owner, String... keyValues) {
        EngineSettings s = EngineSettings.from(Engines.settings(keyValues));
        return new PortableEngine(tmp.resolve("state"), s, EngineClock.SYSTEM,
                Transports.standard(s.connectTimeoutMillis(), s.readTimeoutMillis()), owner);
    }

    @Test
    void theJobAfterMaxJobsPerUserIsRefusedAndAFinishedJobMakesRoom() {
        engine = openAs(new EngineOwner("alice", 1000), "engine.maxJobsPerUser", "3");
        BitsJob first = engine.createJob("a", JobType.DOWNLOAD);
        engine.createJob("b", JobType.DOWNLOAD);
        engine.createJob("c", JobType.DOWNLOAD);
        BitsException e = assertThrows(BitsException.class, () -> engine.createJob("d", JobType.DOWNLOAD));
        assertEquals(HResult.BG_E_TOO_MANY_JOBS_PER_USER, e.hresult());
        assertTrue(e.detail().contains("MaxJobsPerUser 3"), e.detail());
        assertTrue(e.detail().startsWith("alice has 3 jobs"), e.detail());
        assertEquals(3, engine.jobs().size(), "nothing was created");
        first.cancel();
        engine.createJob("d", JobType.DOWNLOAD);
    }

    @Test
    void rootIsExemptFromMaxJobsPerUserAsBitsExemptsAdministrators() {
        engine = openAs(new EngineOwner("root", 0), "engine.maxJobsPerUser", "2");
        for (int i = 0; i < 5; i++) {
            engine.createJob("j" + i, JobType.DOWNLOAD);
        }
        assertEquals(5, engine.jobs().size(), "past MaxJobsPerUser 2");
        assertEquals("root", engine.jobs().get(0).owner());
    }

    @Test
    void rootIsHeldToMaxJobsPerUserWhenTheSettingSaysSo() {
        engine = openAs(new EngineOwner("root", 0), "engine.maxJobsPerUser", "2",
                "engine.maxJobsPerUserAppliesToRoot", "true");
        engine.createJob("a", JobType.DOWNLOAD);
        engine.createJob("b", JobType.DOWNLOAD);
        BitsException e = assertThrows(BitsException.class, () -> engine.createJob("c", JobType.DOWNLOAD));
        assertEquals(HResult.BG_E_TOO_MANY_JOBS_PER_USER, e.hresult());
        assertEquals(2, engine.jobs().size());
    }

    @Test
    void theExemptionIsRootsOnlyAndItsSettingIsABoolean() {
        EngineSettings dflt = EngineSettings.from(java.util.Map.of());
        assertFalse(dflt.maxJobsPerUserAppliesToRoot());
        assertFalse(dflt.maxJobsPerUserApplies(new EngineOwner("root", 0)));
        assertTrue(dflt.maxJobsPerUserApplies(new EngineOwner("bob", 1001)));
        assertTrue(dflt.maxJobsPerUserApplies(new EngineOwner("nobody", 65534)));
        assertTrue(dflt.maxJobsPerUserApplies(new EngineOwner("windows", -1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineSettings.from(java.util.Map.of("engine.maxJobsPerUserAppliesToRoot", "yes")));
        assertTrue(e.getMessage().startsWith("engine.maxJobsPerUserAppliesToRoot"), e.getMessage());
    }

    @Test
    void theFileAfterMaxFilesPerJobAndTheRangeAfterMaxRangesPerFileAreRefused() {
        engine = Engines.open(tmp.resolve("state"), "engine.maxFilesPerJob", "2", "engine.maxRangesPerFile", "3");
        BitsJob job = engine.createJob("files", JobType.DOWNLOAD);
        job.addFile("http://127.0.0.1:9/a", tmp.resolve("a").toString());
        job.addFile("http://127.0.0.1:9/b", tmp.resolve("b").toString());
        BitsException e = assertThrows(BitsException.class,
                () -> job.addFile("http://127.0.0.1:9/c", tmp.resolve("c").toString()));
        assertEquals(HResult.BG_E_TOO_MANY_FILES_IN_JOB, e.hresult());
        assertEquals(2, job.files().size());

        BitsJob ranged = engine.createJob("ranges", JobType.DOWNLOAD);
        List<BitsFileRange> four = List.of(new BitsFileRange(0, 1), new BitsFileRange(10, 1), new BitsFileRange(20, 1),
                new BitsFileRange(30, 1));
        e = assertThrows(BitsException.class,
                () -> ranged.addFileWithRanges("http://127.0.0.1:9/r", tmp.resolve("r").toString(), four));
        assertEquals(HResult.BG_E_TOO_MANY_RANGES_IN_FILE, e.hresult());
        ranged.addFileWithRanges("http://127.0.0.1:9/r", tmp.resolve("r").toString(), four.subList(0, 3));
        assertEquals(four.subList(0, 3), ranged.fileRanges(0));
    }

    @Test
    void aNewJobTakesTheConfiguredMaximumDownloadTime() {
        engine = Engines.open(tmp.resolve("state"), "engine.maxDownloadTime", "3600");
        assertEquals(3600, engine.createJob("t", JobType.DOWNLOAD).maximumDownloadTime());
    }

    @Test
    void aJobInactiveForTheInactivityTimeoutIsCancelledAndItsTemporaryFileDeleted() throws Exception {
        RetryTimingTest.ManualClock clock = new RetryTimingTest.ManualClock();
        byte[] content = TestData.random(4 << 20, 3);
        server = FaultServer.start().on("/big.bin", FaultServer.throttled(content, "\"v1\"", 256 * 1024));
        engine = Engines.open(tmp.resolve("state"), clock, "engine.jobInactivityTimeoutDays", "90");
        BitsJob idle = engine.createJob("idle", JobType.DOWNLOAD);
        idle.setPriority(JobPriority.FOREGROUND);
        Path dest = tmp.resolve("big.bin");
        idle.addFile(server.url("/big.bin").toString(), dest.toString());
        idle.resume();
        Await.progressBeyond(idle, 100_000, TIMEOUT);
        idle.suspend();
        Path temp = Path.of(idle.files().get(0).temporaryName());
        assertTrue(Files.exists(temp), "a partial download has its temporary file");
        BitsJob touched = engine.createJob("touched", JobType.DOWNLOAD);

        clock.advance(Duration.ofDays(89));
        touched.setDescription("changed on day 89");
        engine.poke();
        Await.sleep(300);
        assertEquals(2, engine.jobs().size(), "89 days are not 90");

        clock.advance(Duration.ofDays(1));
        engine.poke();
        Await.until(TIMEOUT, "the idle job to be cancelled", () -> engine.jobs().size() == 1);
        assertEquals(touched.id(), engine.jobs().get(0).id(), "a job changed within 90 days stays");
        BitsException gone = assertThrows(BitsException.class, () -> engine.getJob(idle.id()));
        assertEquals(HResult.BG_E_NOT_FOUND, gone.hresult());
        Await.until(TIMEOUT, "its temporary file to be deleted", () -> !Files.exists(temp));
        assertFalse(Files.exists(dest));
    }
}
