package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobType;
import org.jbits.testing.TestData;
import org.jbits.file.FileIdentity;
import org.jbits.transport.Credentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's schema versions: a new store, the steps from one version to the next, and what is refused. */
class StoreMigrationTest {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("jobs.db");
    }

    @Test
    void aNewStoreIsCreatedAtTheLatestVersionAndNothingIsLeftOfItsCreation() throws Exception {
        try (JobStore store = new JobStore(db())) {
            assertEquals(List.of(), store.loadAll());
        }
        assertEquals(StoreSchema.CURRENT.latest(), userVersion(db()));
        assertEquals(5, JobStore.SCHEMA_VERSION);
        assertEquals(String.valueOf(JobStore.SCHEMA_VERSION), query(db(), "SELECT value FROM meta WHERE key='schema'"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("jobs.db"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void theVersionTwoFieldsAreSavedAndLoadedAndUnknownStaysNull() {
        UUID set = UUID.randomUUID();
        UUID unset = UUID.randomUUID();
        try (JobStore store = new JobStore(db())) {
            JobRecord a = job(set, "set");
            a.fileMode = 0640;
            FileRecord f = a.files.get(0);
            f.dirId = new FileIdentity(2049L, 1L << 40, 1_700_000_000_123_456_789L);
            f.urlCredentials = new Credentials(Credentials.Scheme.BASIC, "alice", "S3cret");
            store.insertJob(a);
            f.tempId = new FileIdentity(2050L, 123_456_789_012L, 0);
            store.saveTempFileIdentity(set, f);
            store.insertJob(job(unset, "unset"));
        }
        try (JobStore store = new JobStore(db())) {
            List<JobRecord> all = store.loadAll();
            JobRecord a = all.get(0);
            assertEquals(0640, a.fileMode);
            FileRecord f = a.files.get(0);
            assertEquals(new FileIdentity(2049L, 1L << 40, 1_700_000_000_123_456_789L), f.dirId);
            assertEquals(new FileIdentity(2050L, 123_456_789_012L, 0), f.tempId);
            assertEquals("alice", f.urlCredentials.userName());
            assertEquals("S3cret", f.urlCredentials.password());
            JobRecord b = all.get(1);
            assertNull(b.fileMode);
            assertNull(b.files.get(0).tempId);
            assertNull(b.files.get(0).dirId);
            assertNull(b.files.get(0).urlCredentials);
        }
    }

    @Test
    void aStoreFromANewerJbitsIsRefusedAndLeftUntouched() throws Exception {
        try (JobStore store = new JobStore(db())) {
            store.insertJob(job(UUID.randomUUID(), "from the future"));
        }
        exec(db(), "PRAGMA user_version = " + (JobStore.SCHEMA_VERSION + 1));
        String before = TestData.sha256(db());
        BitsException e = assertThrows(BitsException.class, () -> new JobStore(db()).close());
        assertEquals(HResult.BG_E_DATABASE_CORRUPT, e.hresult());
        assertTrue(e.getMessage().contains(db().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("schema version " + (JobStore.SCHEMA_VERSION + 1) + ": a newer jbits wrote it"), e.getMessage());
        assertTrue(e.getMessage().contains("reads versions up to " + JobStore.SCHEMA_VERSION), e.getMessage());
        assertTrue(e.getMessage().contains("not damaged"), e.getMessage());
        assertEquals(before, TestData.sha256(db()), "the refused store was changed");
        assertEquals(JobStore.SCHEMA_VERSION + 1, userVersion(db()));
    }

    @Test
    void aMigrationThatFailsLeavesTheStoreWholeAtThePreviousVersion() throws Exception {
        UUID id = UUID.randomUUID();
        try (JobStore store = new JobStore(db())) {
            store.insertJob(job(id, "survivor"));
        }
        List<Migration> withBroken = new ArrayList<>(StoreSchema.CURRENT.migrations());
        withBroken.add(new Migration(JobStore.SCHEMA_VERSION + 1, "a step that fails half-way", List.of(
                "ALTER TABLE jobs ADD COLUMN half_done INTEGER",
                "UPDATE no_such_table SET x = 1")));
        BitsException e = assertThrows(BitsException.class, () -> new JobStore(db(), new StoreSchema(withBroken)).close());
        assertTrue(e.getMessage().contains("no such table"), e.getMessage());
        assertEquals(JobStore.SCHEMA_VERSION, userVersion(db()));
        assertFalse(columns(db(), "jobs").contains("half_done"), "the failed step's first statement was rolled back");
        try (JobStore store = new JobStore(db())) {
            assertEquals(id, store.loadAll().get(0).id);
        }
    }

    @Test
    void aNextVersionIsOneMigrationAddedAndKeepsEveryJob() throws Exception {
        UUID id = UUID.randomUUID();
        try (JobStore store = new JobStore(db())) {
            store.insertJob(job(id, "kept"));
        }
        List<Migration> three = new ArrayList<>(StoreSchema.CURRENT.migrations());
        int next = JobStore.SCHEMA_VERSION + 1;
        three.add(new Migration(next, "files.next_column", List.of("ALTER TABLE files ADD COLUMN next_column TEXT")));
        try (JobStore store = new JobStore(db(), new StoreSchema(three))) {
            assertEquals(id, store.loadAll().get(0).id);
        }
        assertEquals(next, userVersion(db()));
        assertEquals(String.valueOf(next), query(db(), "SELECT value FROM meta WHERE key='schema'"));
        assertTrue(columns(db(), "files").contains("next_column"));
    }

    @Test
    void aDatabaseThatJbitsDidNotWriteIsRefused() throws Exception {
        exec(db(), "CREATE TABLE photos(name TEXT)");
        BitsException e = assertThrows(BitsException.class, () -> new JobStore(db()).close());
        assertEquals(HResult.BG_E_DATABASE_CORRUPT, e.hresult());
        assertTrue(e.getMessage().contains("holds the tables [photos] but no jbits schema version"), e.getMessage());
        assertEquals(List.of("name"), columns(db(), "photos"), "the foreign database was changed");
    }

    @Test
    void aStoreThatLacksATableOfItsVersionIsRefused() throws Exception {
        try (JobStore store = new JobStore(db())) {
            store.insertJob(job(UUID.randomUUID(), "j"));
        }
        exec(db(), "DROP TABLE segments");
        BitsException e = assertThrows(BitsException.class, () -> new JobStore(db()).close());
        assertEquals(HResult.BG_E_DATABASE_CORRUPT, e.hresult());
        assertTrue(e.getMessage().contains("is at schema version " + JobStore.SCHEMA_VERSION + " but lacks its table segments"), e.getMessage());
    }

    @Test
    void aStoreWhoseColumnsAreNotThoseOfItsVersionIsRefused() throws Exception {
        try (JobStore store = new JobStore(db())) {
            store.insertJob(job(UUID.randomUUID(), "j"));
        }
        // What a version-2 number on version-1 tables looks like: the migration would never run again.
        exec(db(), "ALTER TABLE files DROP COLUMN dir_ino");
        BitsException e = assertThrows(BitsException.class, () -> new JobStore(db()).close());
        assertTrue(e.getMessage().contains("its table files has the columns"), e.getMessage());
    }

    static JobRecord job(UUID id, String name) {
        JobRecord rec = new JobRecord(id, JobType.DOWNLOAD, "tester", name, Instant.ofEpochMilli(1000));
        rec.files.add(new FileRecord(0, "http://h/" + name, URI.create("http://h/a"), "/d/" + name, "/d/." + name + ".jbits"));
        return rec;
    }

    static int userVersion(Path db) throws SQLException {
        return Integer.parseInt(query(db, "PRAGMA user_version"));
    }

    static String query(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static void exec(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static List<String> columns(Path db, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                names.add(rs.getString("name"));
            }
        }
        return names;
    }
}
