package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsJob;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a crash at any moment would find: the store's checkpoint against the bytes in the temporary file. */
class CheckpointTest {
    private static final long MIB = 1 << 20;
    static NginxServer nginx;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        nginx = NginxServer.start();
    }

    @AfterAll
    static void stop() {
        nginx.close();
    }

    /** Reads the checkpoint of file 0 of the only job, through a second connection, as a restarted engine would. */
    private static long storedCheckpoint(Path stateDir) {
        try (JobStore store = new JobStore(stateDir.resolve("jobs.db"))) {
            return store.loadAll().get(0).files.get(0).checkpoint;
        }
    }

    @Test
    void aSlowTransferIsCheckpointedEverySecondAndNeverMoreThanFourMiBBehind() throws Exception {
        byte[] content = TestData.random(3 << 20, 5);
        nginx.put("slow-cp.bin", content);
        Path state = tmp.resolve("state");
        Path local = Files.createDirectories(tmp.resolve("dl")).resolve("slow-cp.bin");
        // The production defaults: a checkpoint at least every second and every 4 MiB.
        try (PortableEngine engine = Engines.open(state, "engine.checkpointMillis", System.getProperty("cp.millis", "1000"),
                "engine.checkpointBytes", String.valueOf(4 * MIB))) {
            BitsJob job = engine.createJob("cp", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(nginx.rateUrl("slow-cp.bin", "400k").toString(), local.toString());
            job.resume();
            Path temp = Path.of(job.files().get(0).temporaryName());
            List<Long> checkpoints = new ArrayList<>();
            long deadline = System.nanoTime() + 4_000_000_000L;
            while (System.nanoTime() < deadline) {
                Await.sleep(1_100);
                long onDisk = Files.exists(temp) ? Files.size(temp) : 0;
                long cp = storedCheckpoint(state);
                assertTrue(onDisk - cp <= 4 * MIB, "on disk " + onDisk + ", checkpoint " + cp);
                checkpoints.add(cp);
            }
            // At 400 KiB/s a 1 MiB buffer would take 2.5 s to fill: the checkpoint must still move every second.
            for (int i = 1; i < checkpoints.size(); i++) {
                assertTrue(checkpoints.get(i) > checkpoints.get(i - 1), "checkpoints " + checkpoints);
            }
            Await.state(job, Duration.ofSeconds(30), JobState.TRANSFERRED);
            job.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(local));
        }
    }
}
