package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
            // At 400 KiB/s a 1 MiB buffer would take 2.5 s to fill and 4 MiB 10 s: the checkpoint must still move
            // within the window. (That it comes once a second on the file's clock is DurableFileTest's, with an
            // injected clock; samples here on a loaded machine may miss a tick, so only the order is asserted.)
            for (int i = 1; i < checkpoints.size(); i++) {
                assertTrue(checkpoints.get(i) >= checkpoints.get(i - 1), "checkpoints " + checkpoints);
            }
            assertTrue(checkpoints.get(checkpoints.size() - 1) > checkpoints.get(0), "checkpoints " + checkpoints);
            assertTrue(checkpoints.stream().distinct().count() >= 2, "checkpoints " + checkpoints);
            Await.state(job, Duration.ofSeconds(30), JobState.TRANSFERRED);
            job.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(local));
        }
    }

    /**
     * What an agent killed between checkpoints leaves: bytes past the checkpoint, recorded as checksummed ranges.
     * The store is copied while the transfer runs (a crash's view of it), one byte of the second range is then
     * corrupted, and a new engine on that store keeps the first range, cuts the rest and resumes there.
     */
    @Test
    void afterACrashTheRangesPastTheCheckpointAreKeptAsFarAsTheirBytesMatch() throws Exception {
        byte[] content = TestData.random(6 << 20, 17);
        nginx.put("segments.bin", content);
        Path state = tmp.resolve("state");
        Path local = Files.createDirectories(tmp.resolve("dl")).resolve("segments.bin");
        Path snapshot = tmp.resolve("snapshot.db");
        Path temp;
        // No forced checkpoint during the transfer (a minute, 1 GiB): only the 1 MiB ranges are recorded.
        String[] settings = {"engine.checkpointMillis", "60000", "engine.syncBytes", String.valueOf(1L << 30)};
        try (PortableEngine engine = Engines.open(state, settings)) {
            BitsJob job = engine.createJob("segments", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(nginx.rateUrl("segments.bin", "1m").toString(), local.toString());
            job.resume();
            temp = Path.of(job.files().get(0).temporaryName());
            Await.until(Duration.ofSeconds(30), "three ranges recorded", () -> segmentCount(state) >= 3);
            try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("jobs.db"));
                 Statement st = db.createStatement()) {
                st.execute("VACUUM INTO '" + snapshot + "'");
            }
            job.suspend();
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + snapshot);
             Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT checkpoint FROM files")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getLong(1), "no checkpoint was forced during the transfer");
        }
        assertTrue(Files.size(temp) >= 3 * MIB, "the file holds the recorded ranges: " + Files.size(temp));
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, MIB + MIB / 2);
            one.put(0, (byte) ~one.get(0)).rewind();
            ch.write(one, MIB + MIB / 2);
        }
        for (String name : new String[] {"jobs.db", "jobs.db-wal", "jobs.db-shm"}) {
            Files.deleteIfExists(state.resolve(name));
        }
        Files.copy(snapshot, state.resolve("jobs.db"));
        int before = nginx.requestsFor("segments.bin").size();

        try (PortableEngine engine = Engines.open(state, settings)) {
            BitsJob job = engine.jobs().get(0);
            job.resume();
            Await.state(job, Duration.ofSeconds(60), JobState.TRANSFERRED);
            job.complete();
        }
        assertEquals(TestData.sha256(content), TestData.sha256(local));
        var resumed = nginx.requestsFor("segments.bin").subList(before, nginx.requestsFor("segments.bin").size());
        assertEquals(MIB, resumed.get(0).rangeStart(),
                "the first range verified, the corrupted second one and all after it fetched again: " + resumed);
    }

    private static long segmentCount(Path state) {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("jobs.db"));
             Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM segments")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }
}
