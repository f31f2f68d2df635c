package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.bandwidth.BandwidthPolicy;
import org.jbits.network.CostPolicyDefaults;
import org.jbits.network.NetworkCost;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.jbits.transport.Transports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bandwidth schedules through the engine, on an injected clock (time of day moves only when the test says) and a
 * real nginx: a cap of 0 holds background jobs in TransientError with BG_E_BLOCKED_BY_POLICY (a running transfer
 * stops, keeping its bytes) until the window ends; Foreground jobs are never held; a cap above 0 is kept by the
 * pacer.
 */
class BandwidthPolicyTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static NginxServer nginx;

    @TempDir
    Path tmp;
    private Path downloads;
    private final RetryTimingTest.ManualClock clock = new RetryTimingTest.ManualClock();   // 2026-01-01T00:00Z

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
        downloads = Files.createDirectories(tmp.resolve("downloads"));
    }

    private PortableEngine open(String... keyValues) {
        Map<String, String> settings = Engines.settings(keyValues);
        EngineSettings s = EngineSettings.from(settings);
        return new PortableEngine(tmp.resolve("state"), s, clock,
                Transports.standard(s.connectTimeoutMillis(), s.readTimeoutMillis()),
                NetworkCost.none("test", clock.now()), CostPolicyDefaults.from(settings),
                BandwidthPolicy.from(settings).withZone(ZoneOffset.UTC));
    }

    private static void assertBlockedByPolicy(BitsJob job) {
        assertEquals(JobState.TRANSIENT_ERROR, job.state(), Await.describe(job));
        JobError e = job.error().orElseThrow(() -> new AssertionError("no error: " + Await.describe(job)));
        assertEquals(HResult.name(HResult.BG_E_BLOCKED_BY_POLICY), HResult.name(e.hresult()));
        assertEquals(ErrorContext.GENERAL_QUEUE_MANAGER, e.context());
    }

    private BitsJob job(PortableEngine engine, String name, JobPriority p, String url) {
        BitsJob job = engine.createJob(name, JobType.DOWNLOAD);
        job.setPriority(p);
        job.addFile(url, downloads.resolve(name).toString());
        return job;
    }

    @Test
    void aCapOfZeroHoldsBackgroundJobsUntilTheWindowEndsButNeverForeground() throws Exception {
        nginx.put("night.bin", TestData.random(300_000, 51));
        nginx.put("fg.bin", TestData.random(300_000, 52));
        try (PortableEngine engine = open("bandwidth.normal", "00:00-01:00 0, otherwise unlimited")) {
            BitsJob normal = job(engine, "night.bin", JobPriority.NORMAL, nginx.url("/night.bin").toString());
            BitsJob fg = job(engine, "fg.bin", JobPriority.FOREGROUND, nginx.url("/fg.bin").toString());
            normal.setNoProgressTimeout(1);
            normal.resume();
            fg.resume();
            Await.until(TIMEOUT, () -> "blocked: " + Await.describe(normal), () -> normal.state() == JobState.TRANSIENT_ERROR);
            assertBlockedByPolicy(normal);
            assertTrue(normal.error().get().description().contains("bandwidth.normal"), normal.error().get().description());
            Await.state(fg, TIMEOUT, JobState.TRANSFERRED);
            assertEquals(0, nginx.requestsFor("/night.bin").size(), "a held job asks nothing of the server");

            clock.advance(Duration.ofMinutes(59));
            engine.poke();
            Thread.sleep(1_500);   // past the no-progress timeout of 1 s: waiting for a window is not a failure
            assertBlockedByPolicy(normal);

            clock.advance(Duration.ofMinutes(1));   // 01:00: the window has ended
            engine.poke();
            Await.state(normal, TIMEOUT, JobState.TRANSFERRED);
            assertTrue(normal.error().isEmpty(), Await.describe(normal));
        }
    }

    @Test
    void aRunningTransferStopsAtTheWindowKeepingItsBytesAndResumesAfterIt() throws Exception {
        byte[] content = TestData.random(3 << 20, 53);
        nginx.put("day.bin", content);
        try (PortableEngine engine = open("bandwidth.low", "00:10-00:20 0")) {
            BitsJob low = job(engine, "day.bin", JobPriority.LOW, nginx.slowUrl("day.bin").toString());
            low.resume();
            Await.progressBeyond(low, 0, TIMEOUT);
            clock.advance(Duration.ofMinutes(10));
            engine.poke();
            Await.until(TIMEOUT, () -> "blocked: " + Await.describe(low), () -> low.state() == JobState.TRANSIENT_ERROR);
            assertBlockedByPolicy(low);
            long held = low.progress().bytesTransferred();
            assertTrue(held > 0 && held < content.length, "stopped mid-file with " + held + " bytes");
            clock.advance(Duration.ofMinutes(10));
            engine.poke();
            Await.state(low, TIMEOUT, JobState.TRANSFERRED);
            low.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(downloads.resolve("day.bin")));
            var ranged = nginx.requestsFor("/slow/day.bin").stream().filter(e -> e.range() != null).findFirst().orElseThrow();
            Engines.assertResumedAt(held, ranged.rangeStart(), downloads);
        }
    }

    @Test
    void aCapAboveZeroIsKeptByThePacer() throws Exception {
        byte[] content = TestData.random(500_000, 54);
        nginx.put("capped.bin", content);
        // 1 Mbit/s = 125 kB/s: 500 kB cannot take less than about 4 s, however fast the machine.
        try (PortableEngine engine = open("bandwidth.high", "1mbit", "idle.enabled", "false")) {
            BitsJob high = job(engine, "capped.bin", JobPriority.HIGH, nginx.url("/capped.bin").toString());
            long t0 = System.nanoTime();
            high.resume();
            Await.state(high, TIMEOUT, JobState.TRANSFERRED);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds >= 3.0, "500 kB at 125 kB/s took only " + seconds + " s");
            high.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(downloads.resolve("capped.bin")));
        }
    }
}
