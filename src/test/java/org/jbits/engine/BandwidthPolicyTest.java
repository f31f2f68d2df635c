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
    @Test
    void bandwidthAllOfZeroHoldsEveryBackgroundPriorityButNeverForeground() throws Exception {
        nginx.put("all-n.bin", TestData.random(200_000, 55));
        nginx.put("all-l.bin", TestData.random(200_000, 56));
        nginx.put("all-f.bin", TestData.random(200_000, 57));
        try (PortableEngine engine = open("bandwidth.all", "00:00-01:00 0, otherwise unlimited")) {
            BitsJob normal = job(engine, "all-n.bin", JobPriority.NORMAL, nginx.url("/all-n.bin").toString());
            BitsJob low = job(engine, "all-l.bin", JobPriority.LOW, nginx.url("/all-l.bin").toString());
            BitsJob fg = job(engine, "all-f.bin", JobPriority.FOREGROUND, nginx.url("/all-f.bin").toString());
            normal.resume();
            low.resume();
            fg.resume();
            for (BitsJob j : new BitsJob[]{normal, low}) {
                Await.until(TIMEOUT, () -> "blocked: " + Await.describe(j), () -> j.state() == JobState.TRANSIENT_ERROR);
                assertBlockedByPolicy(j);
                assertTrue(j.error().get().description().contains("bandwidth.all"), j.error().get().description());
            }
            Await.state(fg, TIMEOUT, JobState.TRANSFERRED);
            assertEquals(0, nginx.requestsFor("/all-n.bin").size() + nginx.requestsFor("/all-l.bin").size(),
                    "held jobs ask nothing of the server");
            clock.advance(Duration.ofHours(1));
            engine.poke();
            Await.state(normal, TIMEOUT, JobState.TRANSFERRED);
            Await.state(low, TIMEOUT, JobState.TRANSFERRED);
        }
    }

    @Test
    void twoBackgroundJobsTogetherStayUnderBandwidthAll() throws Exception {
        byte[] a = TestData.random(400_000, 58);
        byte[] b = TestData.random(400_000, 59);
        nginx.put("all-a.bin", a);
        nginx.put("all-b.bin", b);
        double cap = 125_000;   // 1 Mbit/s for all background transfers together; no cap per priority
        try (PortableEngine engine = open("bandwidth.all", "1mbit", "idle.enabled", "false",
                "engine.timeSliceMillis", "700")) {
            BitsJob ja = job(engine, "all-a.bin", JobPriority.NORMAL, nginx.url("/all-a.bin").toString());
            BitsJob jb = job(engine, "all-b.bin", JobPriority.NORMAL, nginx.url("/all-b.bin").toString());
            ja.resume();
            jb.resume();
            java.util.List<long[]> samples = new java.util.ArrayList<>();   // [nanos, bytes of both]
            long deadline = System.nanoTime() + TIMEOUT.toNanos() * 2;
            while (!(ja.state() == JobState.TRANSFERRED && jb.state() == JobState.TRANSFERRED)
                    && System.nanoTime() < deadline) {
                samples.add(new long[]{System.nanoTime(),
                        ja.progress().bytesTransferred() + jb.progress().bytesTransferred()});
                Thread.sleep(50);
            }
            samples.add(new long[]{System.nanoTime(), ja.progress().bytesTransferred() + jb.progress().bytesTransferred()});
            assertEquals(JobState.TRANSFERRED, ja.state(), Await.describe(ja));
            assertEquals(JobState.TRANSFERRED, jb.state(), Await.describe(jb));
            // What the shared bucket guarantees over any window [t_i, t_j]: cap x length, plus a slack for the bucket's
            // depth, one read per transfer before it pays, and the sampling (bytes counted before the loop paces).
            long slack = 128 << 10;
            for (int i = 0; i < samples.size(); i++) {
                for (int j = i + 1; j < samples.size(); j++) {
                    double seconds = (samples.get(j)[0] - samples.get(i)[0]) / 1e9;
                    long moved = samples.get(j)[1] - samples.get(i)[1];
                    assertTrue(moved <= cap * seconds + slack, moved + " bytes in " + seconds + " s: over 1 Mbit/s");
                }
            }
            ja.complete();
            jb.complete();
            assertEquals(TestData.sha256(a), TestData.sha256(downloads.resolve("all-a.bin")));
            assertEquals(TestData.sha256(b), TestData.sha256(downloads.resolve("all-b.bin")));
        }
    }
}
