package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.engine.PortableEngine;
import org.jbits.testing.Engines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests on the agent's workers, against a real portable engine: waits share their threads fairly and hold no worker. */
class RequestExecutorTest {
    @TempDir
    Path dir;
    private PortableEngine engine;
    private RequestExecutor executor;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void open() {
        engine = Engines.open(dir);
        executor = new RequestExecutor(new RequestHandler(engine), () -> record("stop"), 2, 2);
    }

    @AfterEach
    void close() {
        executor.close();
        engine.close();
    }

    private synchronized void record(String e) {
        events.add(e);
    }

    private CompletableFuture<JsonNode> submit(Request r) {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        byte[] line = RequestCodec.line(r);
        executor.submit(java.util.Arrays.copyOf(line, line.length - 1), new Caller(0, "root"), reply -> {
            try {
                f.complete(Json.parse(new String(reply, StandardCharsets.UTF_8).trim()));
            } catch (java.io.IOException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Test
    void aFloodOfWaitsHoldsNoWorkerAndALaterWaitIsStillAnsweredWhenItsJobChanges() throws Exception {
        BitsJob idle = engine.createJob("idle", JobType.DOWNLOAD);
        BitsJob watched = engine.createJob("watched", JobType.DOWNLOAD);
        List<CompletableFuture<JsonNode>> flood = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            flood.add(submit(new Request.Wait(idle.id().toString(), JobState.SUSPENDED, Duration.ofSeconds(10))));
        }
        long t0 = System.nanoTime();
        JsonNode status = submit(new Request.Status()).get(2, TimeUnit.SECONDS);
        assertTrue(status.path("running").asBoolean(), status.toString());
        assertTrue(ms(t0) < 1000, "status answered in " + ms(t0) + " ms behind 20 waits");

        CompletableFuture<JsonNode> mine = submit(new Request.Wait(watched.id().toString(), JobState.SUSPENDED,
                Duration.ofSeconds(10)));
        Thread.sleep(300);
        long t1 = System.nanoTime();
        watched.cancel();
        JsonNode r = mine.get(8, TimeUnit.SECONDS);
        assertEquals("Cancelled", r.path("job").path("jobState").asText(), r.toString());
        // 22 waits take turns on 2 threads in 250 ms slices: a change is seen within about 3 s, not after 10 s.
        assertTrue(ms(t1) < 5000, "answered " + ms(t1) + " ms after the change");
        assertTrue(flood.stream().noneMatch(CompletableFuture::isDone), "the other waits still wait");
    }

    @Test
    void aWaitAnswersAtOnceWhenTheStateHasAlreadyChanged() throws Exception {
        BitsJob job = engine.createJob("j", JobType.DOWNLOAD);
        long t0 = System.nanoTime();
        JsonNode r = submit(new Request.Wait(job.id().toString(), JobState.QUEUED, Duration.ofSeconds(10))).get(2, TimeUnit.SECONDS);
        assertEquals("Suspended", r.path("job").path("jobState").asText());
        assertTrue(ms(t0) < 1000);
    }

    @Test
    void aWaitForAJobThatDoesNotExistIsNotFound() throws Exception {
        JsonNode r = submit(new Request.Wait("no-such-job", JobState.QUEUED, Duration.ofSeconds(1))).get(2, TimeUnit.SECONDS);
        assertEquals(HResult.BG_E_NOT_FOUND, r.path("hresult").asInt());
    }

    @Test
    void aStopIsAnsweredBeforeTheServerIsToldToStop() throws Exception {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        executor.submit("{\"op\":\"stop\"}".getBytes(StandardCharsets.UTF_8), new Caller(0, "root"), reply -> {
            record("reply");
            f.complete(null);
        });
        f.get(2, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline && events.size() < 2) {
            Thread.sleep(10);
        }
        assertEquals(List.of("reply", "stop"), events);
    }

    @Test
    void aLineThatIsNotARequestIsAnsweredWithItsError() throws Exception {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        executor.submit("{\"op\":\"submit\",\"suspended\":\"yes\",\"files\":[{\"remote\":\"r\",\"local\":\"/l\"}]}"
                .getBytes(StandardCharsets.UTF_8), new Caller(0, "root"), reply -> {
                    try {
                        f.complete(Json.parse(new String(reply, StandardCharsets.UTF_8)));
                    } catch (java.io.IOException e) {
                        f.completeExceptionally(e);
                    }
                });
        JsonNode r = f.get(2, TimeUnit.SECONDS);
        assertEquals(HResult.E_INVALIDARG, r.path("hresult").asInt());
        assertTrue(r.path("message").asText().contains("'suspended'"), r.toString());
        assertEquals(0, engine.jobs().size(), "nothing was created");
    }

    @Test
    void stoppingAnswersTheWaitsAtOnce() throws Exception {
        BitsJob job = engine.createJob("j", JobType.DOWNLOAD);
        List<CompletableFuture<JsonNode>> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waits.add(submit(new Request.Wait(job.id().toString(), JobState.SUSPENDED, Duration.ofSeconds(10))));
        }
        Thread.sleep(300);
        long t0 = System.nanoTime();
        executor.shutdown(Duration.ofSeconds(5));
        for (CompletableFuture<JsonNode> w : waits) {
            assertEquals("Suspended", w.get(3, TimeUnit.SECONDS).path("job").path("jobState").asText());
        }
        assertTrue(ms(t0) < 3000, "answered in " + ms(t0) + " ms");
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
