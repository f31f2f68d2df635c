package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import org.jbits.BitsJob;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobState;
import org.jbits.TransferPolicy;
import org.jbits.testing.Await;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Cost awareness: reference §5.2 and §7 item 11. The network's cost is set through the public API
 * ({@code BitsManager.overrideNetworkCost}); a backend that cannot take it (native BITS) skips with its probe's
 * answer.
 */
class NetworkCostConformanceTest extends ConformanceTestBase {
    /** The scheduler looks at least once a second; a poll and a loaded machine on top. */
    private static final Duration RELEASE = Duration.ofMillis(1_500);

    @Test
    @DisplayName("blocked-by-cost-transient-error-BG_E_BLOCKED_BY_COST_TRANSFER_POLICY-then-resumes")
    void jobWhosePolicyExcludesTheCostWaitsAndResumesWhenTheNetworkAllowsIt() throws Exception {
        requires(Capability.TRANSFER_POLICY);
        requires(Capability.SIMULATED_COST);
        try {
            assertEquals(CostSource.OVERRIDE, bits.overrideNetworkCost(CostState.ROAMING).source());
            assertEquals(CostState.ROAMING, bits.networkStatus().cost());
            BitsJob job = download("not-roaming");
            job.setTransferPolicy(TransferPolicy.NOT_ROAMING);
            job.addFile(server.slowUrl("cost.bin", SLOW_SIZE, SLOW_RATE), local("cost.bin"));
            BitsJob always = download("always");
            always.setTransferPolicy(TransferPolicy.ALWAYS);
            always.addFile(server.fileUrl("always.bin", SMALL), local("always.bin"));
            job.resume();
            always.resume();
            awaitState(job, JobState.TRANSIENT_ERROR);
            JobError e = job.error().orElseThrow(() -> new AssertionError("a blocked job has an error: "
                    + Await.describe(job)));
            assertEquals(code(HResult.BG_E_BLOCKED_BY_COST_TRANSFER_POLICY), code(e.hresult()), "the error code");
            assertEquals("0x80200059", HResult.hex(e.hresult()));
            assertEquals(ErrorContext.GENERAL_QUEUE_MANAGER, e.context(), "the error context");
            awaitState(always, JobState.TRANSFERRED);
            assertEquals(0, server.requests("cost.bin").size(), "the blocked job asked nothing of the server");

            bits.overrideNetworkCost(null);
            long t0 = System.nanoTime();
            Await.until(RELEASE, () -> "released: " + Await.describe(job), () -> job.state() != JobState.TRANSIENT_ERROR);
            assertTrue(System.nanoTime() - t0 <= RELEASE.toNanos());
            awaitState(job, JobState.TRANSFERRED);
            assertEquals(HResult.hex(HResult.S_OK), HResult.hex(job.complete()));
            assertEquals(SLOW_SIZE, Files.size(dir.resolve("cost.bin")));
        } finally {
            bits.overrideNetworkCost(null);
        }
    }
}
