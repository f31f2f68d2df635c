package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retry delay and no-progress timeout on an engine clock the test moves by hand: the connections really fail
 * (nothing listens on the port), but no delay is waited out in real time.
 */
class RetryTimingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    private final ManualClock clock = new ManualClock();
    private PortableEngine engine;

    /** Monotonic and wall time that move only when told to. */
    static final class ManualClock implements EngineClock {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
        private final Instant wallStart = Instant.parse("2026-01-01T00:00:00Z");
        private final long nanosStart = nanos.get();

        @Override
        public long nanoTime() {
            return nanos.get();
        }

        @Override
        public Instant now() {
            return wallStart.plusNanos(nanos.get() - nanosStart);
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    @BeforeEach
    void open() {
        engine = Engines.open(tmp.resolve("state"), clock);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private BitsJob refusedJob(long retryDelay, long noProgressTimeout) {
        BitsJob job = engine.createJob("refused", JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setMinimumRetryDelay(retryDelay);
        job.setNoProgressTimeout(noProgressTimeout);
        job.addFile("http://127.0.0.1:" + Ports.free() + "/f.bin", tmp.resolve("f.bin").toString());
        return job;
    }

    private void advance(Duration d) {
        clock.advance(d);
        engine.poke();
    }

    @Test
    void minimumRetryDelayIsAtLeastFiveSeconds() {
        BitsJob job = engine.createJob("clamp", JobType.DOWNLOAD);
        assertEquals(600, job.minimumRetryDelay(), "BITS' default");
        assertEquals(1_209_600, job.noProgressTimeout(), "BITS' default");
        job.setMinimumRetryDelay(1);
        assertEquals(5, job.minimumRetryDelay());
    }

    @Test
    void retriesOnceTheMinimumRetryDelayHasPassed() {
        BitsJob job = refusedJob(5, 600);
        job.resume();
        Await.until(TIMEOUT, () -> "the first transient error: " + Await.describe(job),
                () -> job.state() == JobState.TRANSIENT_ERROR && job.errorCount() == 1);
        assertEquals(HResult.BG_E_CONNECT_FAILURE, job.error().orElseThrow().hresult());

        advance(Duration.ofSeconds(5));
        Await.until(TIMEOUT, () -> "the retry after 5 s to fail again: " + Await.describe(job),
                () -> job.state() == JobState.TRANSIENT_ERROR && job.errorCount() == 2);
    }

    @Test
    void transientErrorBecomesErrorWhenNoProgressTimeoutExpires() {
        BitsJob job = refusedJob(5, 12);
        job.resume();
        Await.until(TIMEOUT, () -> "the first transient error: " + Await.describe(job),
                () -> job.state() == JobState.TRANSIENT_ERROR && job.errorCount() == 1);
        advance(Duration.ofSeconds(5));
        Await.until(TIMEOUT, () -> "a second transient error: " + Await.describe(job),
                () -> job.state() == JobState.TRANSIENT_ERROR && job.errorCount() == 2);

        advance(Duration.ofSeconds(7)); // 12 s without progress since the first error
        Await.state(job, TIMEOUT, JobState.ERROR);
        assertEquals(ErrorContext.GENERAL_TRANSPORT, job.error().orElseThrow().context());
        assertEquals(HResult.BG_E_CONNECT_FAILURE, job.error().orElseThrow().hresult());
    }

    @Test
    void retryDelayLongerThanNoProgressTimeoutMakesTheFirstErrorFatal() {
        BitsJob job = refusedJob(30, 10);
        job.resume();
        Await.state(job, TIMEOUT, JobState.ERROR);
        assertEquals(1, job.errorCount());
    }

}
