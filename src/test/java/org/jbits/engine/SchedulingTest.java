package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jbits.BitsJob;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
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
 * BITS' scheduling on real transfers: Foreground jobs run together with one background job; a higher priority
 * preempts a lower one; equal priorities take turns. nginx's limit_rate keeps the transfers long enough to look.
 */
class SchedulingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Set<JobState> ACTIVE = Set.of(JobState.CONNECTING, JobState.TRANSFERRING);
    private static NginxServer nginx;

    @TempDir
    Path tmp;
    private Path downloads;

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.start();
        nginx.put("sched.bin", TestData.random(1 << 20, 30));
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

    /** A job on its own slow URL ({@code ?rate=64k&job=NAME}) so the access log tells the jobs apart. */
    private BitsJob slowJob(PortableEngine engine, String name, JobPriority priority) {
        BitsJob job = engine.createJob(name, JobType.DOWNLOAD);
        job.setPriority(priority);
        job.addFile(nginx.url("/rate/sched.bin?rate=64k&job=" + name).toString(), downloads.resolve(name).toString());
        return job;
    }

    private static boolean active(BitsJob job) {
        return ACTIVE.contains(job.state());
    }

    @Test
    void foregroundJobsRunTogetherWhileOnlyOneBackgroundJobRuns() {
        try (PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            BitsJob fg1 = slowJob(engine, "fg1", JobPriority.FOREGROUND);
            BitsJob fg2 = slowJob(engine, "fg2", JobPriority.FOREGROUND);
            BitsJob bg1 = slowJob(engine, "bg1", JobPriority.NORMAL);
            BitsJob bg2 = slowJob(engine, "bg2", JobPriority.NORMAL);
            for (BitsJob j : List.of(fg1, fg2, bg1, bg2)) {
                j.resume();
            }
            Await.until(TIMEOUT, () -> "both foreground jobs and one background job transferring: " + states(fg1, fg2, bg1, bg2),
                    () -> fg1.state() == JobState.TRANSFERRING && fg2.state() == JobState.TRANSFERRING
                            && (bg1.state() == JobState.TRANSFERRING || bg2.state() == JobState.TRANSFERRING));
            BitsJob running = bg1.state() == JobState.TRANSFERRING ? bg1 : bg2;
            BitsJob waiting = running == bg1 ? bg2 : bg1;

            // The picture holds over a second of sampling, not only at one instant.
            for (int i = 0; i < 20; i++) {
                assertEquals(JobState.QUEUED, waiting.state(), states(fg1, fg2, bg1, bg2));
                assertTrue(active(running) && active(fg1) && active(fg2), states(fg1, fg2, bg1, bg2));
                Await.sleep(Await.POLL.toMillis());
            }

            waiting.cancel();
            for (BitsJob j : List.of(fg1, fg2, running)) {
                j.cancel();
            }
            List<AccessLogEntry> log = nginx.awaitRequests(e -> e.target().matches(".*job=(fg1|fg2|bg1|bg2)"), 3, TIMEOUT);
            String waitingName = "job=" + waiting.displayName();
            assertTrue(log.stream().noneMatch(e -> e.target().endsWith(waitingName)),
                    "the queued background job never sent a request: " + log);
            assertEquals(3, log.size(), log.toString());
        }
    }

    @Test
    void higherPriorityPreemptsRunningLowJobWhichThenResumes() throws Exception {
        byte[] content = TestData.random(4 << 20, 31);
        nginx.put("low.bin", content);
        try (PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            BitsJob low = engine.createJob("low", JobType.DOWNLOAD);
            low.setPriority(JobPriority.LOW);
            low.addFile(nginx.rateUrl("low.bin", "1m").toString(), downloads.resolve("low.bin").toString());
            low.resume();
            Await.progressBeyond(low, 0, TIMEOUT);

            BitsJob high = slowJob(engine, "high", JobPriority.HIGH);
            high.resume();
            Await.until(TIMEOUT, () -> "the high job running and the low job queued: " + states(low, high),
                    () -> low.state() == JobState.QUEUED && high.state() == JobState.TRANSFERRING);

            high.cancel();
            Await.state(low, TIMEOUT, JobState.TRANSFERRED);
            low.complete();
            assertArrayEquals(content, Files.readAllBytes(downloads.resolve("low.bin")));
            List<AccessLogEntry> lowRequests = nginx.awaitRequests(e -> e.path().equals("/rate/low.bin"), 2, TIMEOUT);
            AccessLogEntry resumed = lowRequests.stream().filter(e -> e.range() != null).findFirst().orElse(null);
            assertNotNull(resumed, "after preemption the low job continued with a range request: " + lowRequests);
            assertTrue(resumed.rangeStart() > 0);
        }
    }

    @Test
    void equalPriorityJobsTakeTurnsAfterTheTimeSlice() {
        try (PortableEngine engine = Engines.open(tmp.resolve("state"), "engine.timeSliceMillis", "2000")) {
            BitsJob a = slowJob(engine, "rr-a", JobPriority.NORMAL);
            BitsJob b = slowJob(engine, "rr-b", JobPriority.NORMAL);
            a.resume();
            Await.state(a, TIMEOUT, JobState.TRANSFERRING);
            b.resume();
            assertEquals(JobState.QUEUED, b.state(), "b waits for a's slice to end");
            Await.until(TIMEOUT, () -> "b's turn: " + states(a, b),
                    () -> active(b) && a.state() == JobState.QUEUED);
            Await.until(TIMEOUT, () -> "a's turn again: " + states(a, b),
                    () -> active(a) && b.state() == JobState.QUEUED);
            a.cancel();
            b.cancel();
        }
    }

    private static String states(BitsJob... jobs) {
        StringBuilder b = new StringBuilder();
        for (BitsJob j : jobs) {
            b.append(j.displayName()).append('=').append(j.state()).append(' ');
        }
        return b.toString().trim();
    }
}
