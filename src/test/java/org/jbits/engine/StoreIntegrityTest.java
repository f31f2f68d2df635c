package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobType;
import org.jbits.testing.Engines;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A damaged store is refused at open with BG_E_DATABASE_CORRUPT naming the file, and left exactly as it was; only a
 * missing one starts empty. Before these checks, a store truncated to nothing started an agent with no jobs.
 */
class StoreIntegrityTest {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("jobs.db");
    }

    /** A closed store of 40 jobs (several pages per table), as an agent stopped cleanly leaves it. */
    private void storeWithJobs() {
        try (JobStore store = new JobStore(db())) {
            for (int i = 0; i < 40; i++) {
                JobRecord rec = StoreMigrationTest.job(UUID.randomUUID(), "job-" + i + "-" + "x".repeat(200));
                store.insertJob(rec);
                store.addSegment(rec.id, 0, 0, 1 << 20, i);
            }
        }
    }

    private static BitsException refusal(Path db) {
        BitsException e = assertThrows(BitsException.class, () -> new JobStore(db).close());
        assertEquals(HResult.BG_E_DATABASE_CORRUPT, e.hresult(), e.getMessage());
        assertTrue(e.getMessage().contains("the job store " + db), e.getMessage());
        assertTrue(e.getMessage().contains("jbits left it untouched"), e.getMessage());
        return e;
    }

    /** Lengths as fractions of the store's: 0, inside the header, a partial page, whole pages short. */
    @ParameterizedTest(name = "truncated to {0}/8 of its length")
    @ValueSource(ints = {0, 1, 3, 5, 7})
    void aTruncatedStoreIsRefusedAndLeftAsItWas(int eighths) throws IOException {
        storeWithJobs();
        long size = Files.size(db());
        long cut = eighths == 1 ? 60 : eighths == 3 ? size * 3 / 8 + 100 : size * eighths / 8 / 4096 * 4096;
        try (FileChannel ch = FileChannel.open(db(), StandardOpenOption.WRITE)) {
            ch.truncate(cut);
        }
        String before = TestData.sha256(db());
        BitsException e = refusal(db());
        assertTrue(e.getMessage().contains(db() + " is truncated: " + cut + " bytes"), e.getMessage());
        assertEquals(before, TestData.sha256(db()), "the refused store was changed");
        assertEquals(cut, Files.size(db()));
    }

    @Test
    void aStoreTruncatedToNothingStopsTheEngineInsteadOfStartingItEmpty() throws IOException {
        Path state = dir.resolve("state");
        Path temp;
        try (PortableEngine engine = Engines.open(state)) {
            for (int i = 0; i < 4; i++) {
                BitsJob job = engine.createJob("job " + i, JobType.DOWNLOAD);
                job.addFile("http://127.0.0.1:9/f" + i, dir.resolve("f" + i).toString());
            }
            temp = Path.of(engine.jobs().get(0).files().get(0).temporaryName());
        }
        // The partial download a lost store would orphan.
        Files.write(temp, new byte[4096]);
        Path store = state.resolve("jobs.db");
        Files.write(store, new byte[0]);
        BitsException e = assertThrows(BitsException.class, () -> Engines.open(state).close());
        assertEquals(HResult.BG_E_DATABASE_CORRUPT, e.hresult());
        assertTrue(e.getMessage().contains(store + " is truncated: 0 bytes"), e.getMessage());
        assertEquals(0, Files.size(store), "the refused store was written");
        assertTrue(Files.exists(temp));
    }

    @Test
    void aStoreWithADamagedPageIsRefusedByTheIntegrityCheck() throws Exception {
        storeWithJobs();
        long size = Files.size(db());
        assertTrue(size >= 8 * 4096, "the store has pages to damage: " + size);
        // Garbage over the root page of the jobs' b-tree (past its page header): the file's header and length stay
        // right. The page is looked up, not guessed: the middle of the file can be an empty table's page.
        long page = Long.parseLong(StoreMigrationTest.query(db(), "SELECT rootpage FROM sqlite_master WHERE name='jobs'"));
        long pageSize = Long.parseLong(StoreMigrationTest.query(db(), "PRAGMA page_size"));
        try (FileChannel ch = FileChannel.open(db(), StandardOpenOption.WRITE)) {
            byte[] junk = TestData.random(1024, 3);
            ch.write(ByteBuffer.wrap(junk), (page - 1) * pageSize + 16);
        }
        String before = TestData.sha256(db());
        BitsException e = refusal(db());
        assertTrue(e.getMessage().contains("is damaged"), e.getMessage());
        assertEquals(before, TestData.sha256(db()));
    }

    @Test
    void aFileThatIsNotAnSQLiteDatabaseIsRefused() throws IOException {
        Files.writeString(db(), "not a database\n".repeat(1000), StandardCharsets.US_ASCII);
        String before = TestData.sha256(db());
        BitsException e = refusal(db());
        assertTrue(e.getMessage().contains("is not an SQLite database"), e.getMessage());
        assertEquals(before, TestData.sha256(db()));
    }

    @Test
    void aMissingStoreStartsEmpty() {
        try (JobStore store = new JobStore(db())) {
            assertEquals(List.of(), store.loadAll());
        }
        assertTrue(Files.exists(db()));
    }

    @Test
    void aMissingStoreWhoseWriteAheadLogIsStillThereIsRefused() throws Exception {
        // A log with commits in it, as a crash leaves it: copied while its connection is open.
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path wal = dir.resolve("jobs.db-wal");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + elsewhere.resolve("jobs.db"));
             Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE t(x)");
            st.execute("INSERT INTO t VALUES(1)");
            Files.copy(elsewhere.resolve("jobs.db-wal"), wal);
        }
        String before = TestData.sha256(wal);
        BitsException e = assertThrows(BitsException.class, () -> new JobStore(db()).close());
        assertEquals(HResult.BG_E_DATABASE_CORRUPT, e.hresult());
        assertTrue(e.getMessage().contains(db() + " is missing but its write-ahead log"), e.getMessage());
        assertFalse(Files.exists(db()), "a store was created over the log");
        assertEquals(before, TestData.sha256(wal));
    }

    @Test
    void aCreationCutShortByACrashIsStartedAgain() throws IOException {
        // What a crash while creating the store leaves: a half-made file under the temporary name.
        Files.write(dir.resolve("jobs.db.new"), new byte[1000]);
        try (JobStore store = new JobStore(db())) {
            assertEquals(List.of(), store.loadAll());
        }
        assertFalse(Files.exists(dir.resolve("jobs.db.new")));
    }
}
