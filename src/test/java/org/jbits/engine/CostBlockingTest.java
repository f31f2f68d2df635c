package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jbits.BitsJob;
import org.jbits.CostState;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.TransferPolicy;
import org.jbits.network.CostPolicyDefaults;
import org.jbits.network.NetworkCost;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.NginxServer.AccessLogEntry;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network's cost against jobs' transfer policies, through the engine and a real nginx; the cost is set with
 * the administrator's override (the real NetworkManager path is NetworkCostIT's). A blocked job waits in
 * TransientError with BG_E_BLOCKED_BY_COST_TRANSFER_POLICY, a running transfer stops keeping its bytes and resumes
 * with Range within a second of the network becoming acceptable; a job whose policy allows the cost keeps going.
 */
class CostBlockingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
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

    private PortableEngine open(String... policyDefaults) {
        Map<String, String> settings = Engines.settings(policyDefaults);
        EngineSettings s = EngineSettings.from(settings);
        return new PortableEngine(stateDir, s, EngineClock.SYSTEM,
                org.jbits.transport.Transports.standard(s.connectTimeoutMillis(), s.readTimeoutMillis()),
                NetworkCost.none("test", Instant.now()), CostPolicyDefaults.from(settings));
    }

    private static void assertBlocked(BitsJob job) {
        assertEquals(JobState.TRANSIENT_ERROR, job.state(), Await.describe(job));
        JobError e = job.error().orElseThrow(() -> new AssertionError("a blocked job has an error: " + Await.describe(job)));
        assertEquals(HResult.name(HResult.BG_E_BLOCKED_BY_COST_TRANSFER_POLICY), HResult.name(e.hresult()));
        assertEquals(ErrorContext.GENERAL_QUEUE_MANAGER, e.context());
    }

    /** Waits for the job to leave TransientError; returns how long it took. */
    private static Duration awaitRelease(BitsJob job) {
        long t0 = System.nanoTime();
        Await.until(TIMEOUT, () -> "released: " + Await.describe(job), () -> job.state() != JobState.TRANSIENT_ERROR);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Test
    void transferBlockedMidFlightKeepsItsBytesAndResumesWithRangeWithinASecondOfRelease() throws Exception {
        byte[] content = TestData.random(4 << 20, 41);
        byte[] other = TestData.random(3 << 20, 42);
        nginx.put("blocked.bin", content);
        nginx.put("allowed.bin", other);
        try (PortableEngine engine = open()) {
            BitsJob job = engine.createJob("not roaming", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.setTransferPolicy(TransferPolicy.NOT_ROAMING);
            job.addFile(nginx.slowUrl("blocked.bin").toString(), downloads.resolve("blocked.bin").toString());
            BitsJob always = engine.createJob("always", JobType.DOWNLOAD);
            always.setPriority(JobPriority.FOREGROUND);
            always.addFile(nginx.slowUrl("allowed.bin").toString(), downloads.resolve("allowed.bin").toString());
            job.resume();
            always.resume();
            Await.progressBeyond(job, 0, TIMEOUT);

            long t0 = System.nanoTime();
            engine.overrideNetworkCost(CostState.ROAMING);
            Await.until(ONE_SECOND, () -> "blocked within 1 s: " + Await.describe(job),
                    () -> job.state() == JobState.TRANSIENT_ERROR);
            System.out.printf("blocked %d ms after the cost became Roaming%n", (System.nanoTime() - t0) / 1_000_000);
            assertBlocked(job);
            assertTrue(job.error().get().description().contains("NotRoaming") && job.error().get().description()
                    .contains("Roaming"), job.error().get().description());
            long held = job.progress().bytesTransferred();
            assertTrue(held > 0 && held < content.length, "stopped mid-file, keeping " + held + " bytes");

            // The Always job transfers on a roaming network; the blocked one waits, not for its retry delay.
            long before = always.progress().bytesTransferred();
            Thread.sleep(1_500);
            assertBlocked(job);
            assertEquals(held, job.progress().bytesTransferred(), "a blocked job moves no bytes");
            assertTrue(always.progress().bytesTransferred() > before || always.state() == JobState.TRANSFERRED,
                    "a job whose policy allows the cost keeps transferring: " + Await.describe(always));

            engine.overrideNetworkCost(null);
            Duration release = awaitRelease(job);
            System.out.printf("released %d ms after the cost became Unrestricted%n", release.toMillis());
            assertTrue(release.compareTo(ONE_SECOND) <= 0, "released within 1 s, not after " + release.toMillis() + " ms");
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            assertTrue(job.error().isEmpty(), "the block's error is gone: " + Await.describe(job));
            job.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(downloads.resolve("blocked.bin")));
            Await.state(always, TIMEOUT, JobState.TRANSFERRED);

            List<AccessLogEntry> requests = nginx.awaitRequests(e -> e.path().equals("/slow/blocked.bin"), 2, TIMEOUT);
            assertEquals(2, requests.size(), "one request before the block, one after: " + requests);
            AccessLogEntry second = requests.stream().filter(e -> e.range() != null).findFirst().orElseThrow();
            Engines.assertResumedAt(held, second.rangeStart(), downloads);
            assertEquals(206, second.status());
            assertEquals(content.length - held, second.bodyBytesSent(), "only the rest was sent again");
        }
    }

    @Test
    void aJobBlockedBeforeItStartsOutlastsItsNoProgressTimeoutAndThenTransfers() throws Exception {
        nginx.put("waits.bin", TestData.random(200_000, 43));
        try (PortableEngine engine = open()) {
            engine.overrideNetworkCost(CostState.CAPPED);
            BitsJob job = engine.createJob("unrestricted only", JobType.DOWNLOAD);
            job.setTransferPolicy(TransferPolicy.UNRESTRICTED);
            job.setNoProgressTimeout(1);
            job.addFile(nginx.url("/waits.bin").toString(), downloads.resolve("waits.bin").toString());
            job.resume();
            Await.until(ONE_SECOND, () -> "blocked: " + Await.describe(job), () -> job.state() == JobState.TRANSIENT_ERROR);
            assertBlocked(job);
            Thread.sleep(2_500);
            assertBlocked(job);
            assertEquals(0, nginx.requestsFor("/waits.bin").size(), "a blocked job asks nothing of the server");

            engine.overrideNetworkCost(CostState.OVER_CAP_THROTTLED);
            assertTrue(awaitRelease(job).compareTo(ONE_SECOND) <= 0, "Unrestricted allows OverCapThrottled");
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
        }
    }

    @Test
    void timeSpentBlockedDoesNotCountAgainstTheNoProgressTimeout() throws Exception {
        // Nothing listens there: each attempt is a transient connection failure, and no attempt makes progress.
        String url = "http://127.0.0.1:" + org.jbits.testing.Ports.free() + "/refused.bin";
        try (PortableEngine engine = open()) {
            BitsJob job = engine.createJob("refused", JobType.DOWNLOAD);
            job.setTransferPolicy(TransferPolicy.NOT_ROAMING);
            job.setMinimumRetryDelay(5);
            job.setNoProgressTimeout(7);
            job.addFile(url, downloads.resolve("refused.bin").toString());
            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSIENT_ERROR);
            long firstError = System.nanoTime();
            engine.overrideNetworkCost(CostState.ROAMING);
            // The retry after 5 s finds the network roaming: blocked, with the no-progress clock standing still.
            Await.until(Duration.ofSeconds(8), () -> "blocked at the retry: " + Await.describe(job),
                    () -> CostGate.isBlocked(((EngineJob) job).rec));
            Thread.sleep(Math.max(0, 9_000 - (System.nanoTime() - firstError) / 1_000_000));
            assertBlocked(job);
            engine.overrideNetworkCost(null);
            // The attempt right after the release fails at once, 9+ s after the first error, past the 7 s timeout;
            // but about 4 s of that were spent blocked, so the failure is retried instead of ending the job.
            Await.until(TIMEOUT, () -> "the attempt after the release failed: " + Await.describe(job), () -> {
                JobState s = job.state();
                return s == JobState.ERROR || (s == JobState.TRANSIENT_ERROR && job.error().map(
                        e -> e.hresult() != HResult.BG_E_BLOCKED_BY_COST_TRANSFER_POLICY).orElse(false));
            });
            assertEquals(JobState.TRANSIENT_ERROR, job.state(), "the blocked time counted against the timeout: "
                    + Await.describe(job));
            assertEquals(HResult.name(HResult.BG_E_CONNECT_FAILURE), HResult.name(job.error().get().hresult()));
        }
    }

    @Test
    void aJobWithoutAPolicyFollowsItsPrioritysDefaultAndAnExplicitPolicyWins() throws Exception {
        nginx.put("default.bin", TestData.random(200_000, 44));
        try (PortableEngine engine = open("transferPolicy.normal", "standard", "transferPolicy.low", "0x800000FF")) {
            engine.overrideNetworkCost(CostState.NEAR_CAP);
            BitsJob byDefault = engine.createJob("by default", JobType.DOWNLOAD);
            assertEquals(TransferPolicy.STANDARD.flags(), byDefault.transferPolicyFlags(), "Normal's configured default");
            BitsJob explicit = engine.createJob("explicit", JobType.DOWNLOAD);
            explicit.setTransferPolicy(TransferPolicy.ALWAYS);
            for (BitsJob j : List.of(byDefault, explicit)) {
                j.addFile(nginx.url("/default.bin").toString(), downloads.resolve(j.displayName() + ".bin").toString());
                j.resume();
            }
            Await.state(explicit, TIMEOUT, JobState.TRANSFERRED);
            Await.until(ONE_SECOND, () -> "blocked: " + Await.describe(byDefault),
                    () -> byDefault.state() == JobState.TRANSIENT_ERROR);
            assertBlocked(byDefault);
            assertTrue(byDefault.error().get().description().contains("the default for Normal priority"),
                    byDefault.error().get().description());

            byDefault.setPriority(JobPriority.LOW);
            assertEquals(TransferPolicy.ALWAYS.flags(), byDefault.transferPolicyFlags(), "Low's default follows");
            assertTrue(awaitRelease(byDefault).compareTo(ONE_SECOND) <= 0);
            Await.state(byDefault, TIMEOUT, JobState.TRANSFERRED);
        }
        try (PortableEngine engine = open()) {
            assertEquals(CostState.NEAR_CAP, engine.networkStatus().cost(), "the override survives a restart");
            BitsJob fresh = engine.createJob("fresh", JobType.DOWNLOAD);
            assertEquals(TransferPolicy.ALWAYS.flags(), fresh.transferPolicyFlags(), "BITS' own default is Always");
        }
    }
}
