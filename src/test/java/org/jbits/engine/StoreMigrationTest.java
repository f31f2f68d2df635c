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
import java.time.Duration;
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
import org.jbits.transport.UploadSession;
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
        assertEquals(6, JobStore.SCHEMA_VERSION);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), StoreSchema.CURRENT.migrations().stream().map(Migration::version).toList());
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
    void theVersionThreeUploadStateIsSavedAndLoaded() {
        UUID id = UUID.randomUUID();
        try (JobStore store = new JobStore(db())) {
            JobRecord rec = new JobRecord(id, JobType.UPLOAD_REPLY, "tester", "up", Instant.ofEpochMilli(1000));
            FileRecord f = new FileRecord(0, "http://h/up", URI.create("http://h/up"), "/d/up", "");
            f.uploadSource = true;
            f.checkpoint = 12345;
            f.validator = "99999:1700000000123456789";
            rec.files.add(f);
            rec.upload.sourceId = new FileIdentity(2049L, 77L, 1_700_000_000_000_000_001L);
            rec.upload.session = new UploadSession("{6c3c4b2e-0000-4000-8000-000000000001}", URI.create("http://h2/up"),
                    "10.0.0.7:8080", Duration.ofSeconds(600), Instant.ofEpochMilli(5000), true);
            rec.upload.reply = ReplyFiles.record(id, Path.of("/d/up.reply"), new FileIdentity(2049L, 5L, 0));
            rec.upload.reply.remoteName = "http://h2/reply/1";
            rec.upload.reply.checkpoint = 10;
            store.insertJob(rec);
        }
        try (JobStore store = new JobStore(db())) {
            JobRecord rec = store.loadAll().get(0);
            assertEquals(1, rec.files.size(), "the reply is not one of the job's files");
            FileRecord f = rec.files.get(0);
            assertTrue(f.uploadSource);
            assertEquals(12345, f.checkpoint);
            assertEquals("99999:1700000000123456789", f.validator);
            assertEquals(new FileIdentity(2049L, 77L, 1_700_000_000_000_000_001L), rec.upload.sourceId);
            UploadSession s = rec.upload.session;
            assertEquals("{6c3c4b2e-0000-4000-8000-000000000001}", s.id());
            assertEquals(URI.create("http://h2/up"), s.url());
            assertEquals("10.0.0.7:8080", s.hostId());
            assertEquals(Duration.ofSeconds(600), s.hostFallback());
            assertEquals(Instant.ofEpochMilli(5000), s.hostFailingSince());
            assertTrue(s.closeSent());
            FileRecord reply = rec.upload.reply;
            assertEquals(UploadRecord.REPLY_INDEX, reply.index);
            assertEquals("/d/up.reply", reply.localName);
            assertEquals("http://h2/reply/1", reply.remoteName);
            assertEquals(10, reply.checkpoint);
            assertEquals(new FileIdentity(2049L, 5L, 0), reply.dirId);
        }
    }

    @Test
    void anUploadJobOfAVersionTwoStoreComesWithoutASession() throws Exception {
        UUID id = UUID.randomUUID();
        new JobStore(db(), new StoreSchema(StoreSchema.CURRENT.migrations().subList(0, 2))).close();
        // The rows as a version-2 jbits wrote them (today's writes have columns a version-2 store lacks).
        exec(db(), "INSERT INTO jobs(id, seq, type, state, owner, display_name, description, priority, notify_flags,"
                + " min_retry_delay, no_progress_timeout, max_download_time, cost_flags, proxy_usage, proxy_list,"
                + " proxy_bypass, created, modified, error_context, error_hresult, error_file, error_count, active_millis)"
                + " VALUES('" + id + "', 1, " + JobType.UPLOAD.value() + ", 1, 'tester', 'old', '', 2, 3, 600, 1209600,"
                + " 7776000, 0, 0, '', '', 1000, 1000, 0, 0, -1, 0, 0)");
        exec(db(), "INSERT INTO files(job_id, idx, remote, local, temp, bytes_total, checkpoint, completed)"
                + " VALUES('" + id + "', 0, 'http://h/old', '/d/old', '/d/.old.jbits', -1, 0, 0)");
        assertEquals(2, userVersion(db()));
        try (JobStore store = new JobStore(db())) {
            JobRecord rec = store.loadAll().get(0);
            assertEquals(JobType.UPLOAD, rec.type);
            assertNull(rec.upload.session);
            assertNull(rec.upload.sourceId, "recorded at its first upload");
            assertTrue(rec.files.get(0).uploadSource);
        }
        assertEquals(JobStore.SCHEMA_VERSION, userVersion(db()));
    }

    @Test
    void theVersionFiveFieldsAreSavedAndLoadedBesideTheVersionFourOnes() {
        UUID id = UUID.randomUUID();
        try (JobStore store = new JobStore(db())) {
            JobRecord a = job(id, "five");
            a.notifyProgram = "/usr/bin/logger";
            a.notifyParameters = "/usr/bin/logger -t jbits %jobid%";
            a.notifyPending = true;
            a.dynamicContent = true;
            a.highPerformance = true;
            a.maxDownloadSize = 1L << 33;
            a.minNotifyIntervalMillis = 2500;
            a.aclFlags = 5;
            a.everResumed = true;
            a.customHeaders = "X-Test: 1\r\n";
            a.securityFlags = 0x800;
            FileRecord f = a.files.get(0);
            f.ranges = List.of(new org.jbits.BitsFileRange(100, 50), new org.jbits.BitsFileRange(900, -1));
            f.responseHeaders = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-149/1000\r\n";
            f.expectedSha256 = "ab".repeat(32);
            store.insertJob(a);
            a.credentials.put(org.jbits.AuthTarget.SERVER, new java.util.EnumMap<>(java.util.Map.of(
                    org.jbits.AuthScheme.BASIC, JobCredentials.of(org.jbits.AuthScheme.BASIC, "bob", "pw"))));
            store.saveJobAndCredentials(a);
        }
        try (JobStore store = new JobStore(db())) {
            JobRecord a = store.loadAll().get(0);
            assertEquals("/usr/bin/logger", a.notifyProgram);
            assertEquals("/usr/bin/logger -t jbits %jobid%", a.notifyParameters);
            assertTrue(a.notifyPending);
            assertTrue(a.dynamicContent);
            assertTrue(a.highPerformance);
            assertEquals(1L << 33, a.maxDownloadSize);
            assertEquals(2500, a.minNotifyIntervalMillis);
            assertEquals(5, a.aclFlags);
            assertTrue(a.everResumed);
            assertEquals("X-Test: 1\r\n", a.customHeaders);
            assertEquals(0x800, a.securityFlags);
            assertEquals("bob", a.credentials.get(org.jbits.AuthTarget.SERVER).get(org.jbits.AuthScheme.BASIC).userName());
            FileRecord f = a.files.get(0);
            assertEquals(List.of(new org.jbits.BitsFileRange(100, 50), new org.jbits.BitsFileRange(900, -1)), f.ranges);
            assertEquals("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-149/1000\r\n", f.responseHeaders);
            assertEquals("ab".repeat(32), f.expectedSha256);
        }
    }

    /**
     * A store as the jbits of schema version 4 (uploads, credentials, HTTP options) wrote it: its rows written with
     * version 4's columns only, then opened by this jbits, which adds version 5's with BITS' defaults.
     */
    @Test
    void aVersionFourStoreMigratesToFiveKeepingItsUploadsCredentialsAndHttpOptions() throws Exception {
        UUID up = UUID.randomUUID();
        UUID down = UUID.randomUUID();
        new JobStore(db(), new StoreSchema(StoreSchema.CURRENT.migrations().subList(0, 4))).close();
        assertEquals(4, userVersion(db()));
        assertFalse(columns(db(), "jobs").contains("notify_pending"), "version 4 has no version-5 column");
        // An upload job in Transferring (state 2) with its session, and a Suspended download with credentials,
        // custom headers, security flags and an expected hash.
        exec(db(), oldJobRow(up, 1, JobType.UPLOAD.value(), 2, "up"));
        exec(db(), "INSERT INTO files(job_id, idx, remote, local, temp, bytes_total, checkpoint, validator, completed)"
                + " VALUES('" + up + "', 0, 'http://h/up', '/d/up', '', 5000, 4096, '5000:17', 0)");
        exec(db(), "INSERT INTO uploads(job_id, session_id, session_url, host_id, host_fallback, host_failing_since,"
                + " close_sent, source_dev, source_ino, source_birth) VALUES('" + up + "', '{s-1}', 'http://h/up',"
                + " NULL, NULL, NULL, 0, 2049, 77, 1)");
        exec(db(), oldJobRow(down, 2, JobType.DOWNLOAD.value(), 3, "down"));
        exec(db(), "UPDATE jobs SET custom_headers = 'X-A: 1\r\n', headers_write_only = 1, security_flags = 8"
                + " WHERE id = '" + down + "'");
        exec(db(), "INSERT INTO files(job_id, idx, remote, local, temp, bytes_total, checkpoint, completed,"
                + " expected_sha256) VALUES('" + down + "', 0, 'http://h/down', '/d/down', '/d/.down.jbits', -1, 0, 0, '"
                + "cd".repeat(32) + "')");
        exec(db(), "INSERT INTO credentials(job_id, target, scheme, user_name, password) VALUES('" + down + "', "
                + org.jbits.AuthTarget.PROXY.value() + ", " + org.jbits.AuthScheme.DIGEST.value() + ", 'carol', 'pw')");
        try (JobStore store = new JobStore(db())) {
            List<JobRecord> all = store.loadAll();
            JobRecord u = all.get(0);
            assertEquals(up, u.id);
            assertEquals(JobType.UPLOAD, u.type);
            assertEquals("{s-1}", u.upload.session.id());
            assertEquals(new FileIdentity(2049L, 77L, 1L), u.upload.sourceId);
            assertEquals(4096, u.files.get(0).checkpoint);
            assertTrue(u.files.get(0).uploadSource);
            assertTrue(u.everResumed, "a job that is not Suspended was resumed");
            JobRecord d = all.get(1);
            assertEquals("X-A: 1\r\n", d.customHeaders);
            assertTrue(d.headersWriteOnly);
            assertEquals(8, d.securityFlags);
            assertEquals("carol", d.credentials.get(org.jbits.AuthTarget.PROXY).get(org.jbits.AuthScheme.DIGEST).userName());
            assertEquals("cd".repeat(32), d.files.get(0).expectedSha256);
            assertFalse(d.everResumed, "a Suspended job may never have been resumed");
            for (JobRecord j : all) {
                assertNull(j.notifyProgram);
                assertFalse(j.notifyPending);
                assertFalse(j.dynamicContent);
                assertFalse(j.highPerformance);
                assertEquals(0, j.maxDownloadSize);
                assertEquals(500, j.minNotifyIntervalMillis, "BITS' default minimum notification interval");
                assertEquals(0, j.aclFlags);
                assertNull(j.files.get(0).ranges);
                assertNull(j.files.get(0).responseHeaders);
            }
        }
        assertEquals(6, userVersion(db()));
        assertEquals("6", query(db(), "SELECT value FROM meta WHERE key='schema'"));
    }

    /** A version-3 store (uploads, no credentials yet) goes through version 4 to 5. */
    @Test
    void aVersionThreeStoreMigratesThroughFourToFive() throws Exception {
        UUID up = UUID.randomUUID();
        new JobStore(db(), new StoreSchema(StoreSchema.CURRENT.migrations().subList(0, 3))).close();
        assertEquals(3, userVersion(db()));
        assertFalse(columns(db(), "jobs").contains("custom_headers"));
        exec(db(), oldJobRow(up, 1, JobType.UPLOAD_REPLY.value(), 3, "up"));
        exec(db(), "INSERT INTO files(job_id, idx, remote, local, temp, bytes_total, checkpoint, completed)"
                + " VALUES('" + up + "', 0, 'http://h/up', '/d/up', '', 10, 0, 0)");
        exec(db(), "INSERT INTO files(job_id, idx, remote, local, temp, bytes_total, checkpoint, completed)"
                + " VALUES('" + up + "', " + UploadRecord.REPLY_INDEX + ", 'http://h/reply', '/d/up.reply',"
                + " '/d/.up.reply.jbits', -1, 0, 0)");
        exec(db(), "INSERT INTO uploads(job_id, close_sent) VALUES('" + up + "', 0)");
        try (JobStore store = new JobStore(db())) {
            JobRecord u = store.loadAll().get(0);
            assertEquals(JobType.UPLOAD_REPLY, u.type);
            assertEquals("/d/up.reply", u.upload.reply.localName);
            assertNull(u.customHeaders);
            assertTrue(u.credentials.isEmpty());
            assertEquals(500, u.minNotifyIntervalMillis);
            assertFalse(u.everResumed);
        }
        assertEquals(6, userVersion(db()));
        for (String column : List.of("custom_headers", "security_flags", "notify_pending", "ever_resumed")) {
            assertTrue(columns(db(), "jobs").contains(column), column);
        }
        for (String column : List.of("expected_sha256", "ranges", "response_headers")) {
            assertTrue(columns(db(), "files").contains(column), column);
        }
    }

    @Test
    void theVersionSixOnDemandFieldsAreSavedAndLoaded() {
        UUID id = UUID.randomUUID();
        try (JobStore store = new JobStore(db())) {
            JobRecord a = job(id, "six");
            a.onDemand = true;
            FileRecord f = a.files.get(0);
            f.requested = RangeSet.of(List.of(new org.jbits.BitsFileRange(10, 90), new org.jbits.BitsFileRange(500, -1)));
            f.filled = RangeSet.of(20, 40);
            f.downloadPosition = 500;
            store.insertJob(a);
        }
        try (JobStore store = new JobStore(db())) {
            JobRecord a = store.loadAll().get(0);
            assertTrue(a.onDemand);
            FileRecord f = a.files.get(0);
            assertEquals(List.of(new org.jbits.BitsFileRange(10, 90), new org.jbits.BitsFileRange(500, -1)),
                    f.requested.toRanges());
            assertEquals(List.of(new org.jbits.BitsFileRange(20, 20)), f.filled.toRanges());
            assertEquals(500, f.downloadPosition);
        }
    }

    /** A version-5 store's jobs are not on-demand and their files have no requested or filled ranges. */
    @Test
    void aVersionFiveStoreMigratesToSixWithJobsThatAreNotOnDemand() throws Exception {
        UUID down = UUID.randomUUID();
        new JobStore(db(), new StoreSchema(StoreSchema.CURRENT.migrations().subList(0, 5))).close();
        assertEquals(5, userVersion(db()));
        assertFalse(columns(db(), "jobs").contains("on_demand"), "version 5 has no version-6 column");
        exec(db(), oldJobRow(down, 1, JobType.DOWNLOAD.value(), 3, "down"));
        exec(db(), "INSERT INTO files(job_id, idx, remote, local, temp, bytes_total, checkpoint, completed, ranges)"
                + " VALUES('" + down + "', 0, 'http://h/down', '/d/down', '/d/.down.jbits', 1000, 100, 0, '0:50')");
        try (JobStore store = new JobStore(db())) {
            JobRecord d = store.loadAll().get(0);
            assertFalse(d.onDemand);
            assertEquals(List.of(new org.jbits.BitsFileRange(0, 50)), d.files.get(0).ranges);
            assertTrue(d.files.get(0).requested.isEmpty());
            assertTrue(d.files.get(0).filled.isEmpty());
            assertEquals(0, d.files.get(0).downloadPosition);
            assertEquals(100, d.files.get(0).checkpoint);
        }
        assertEquals(6, userVersion(db()));
    }

    /** A job row with only the columns every version has (1's), as an older jbits wrote it. */
    private static String oldJobRow(UUID id, int seq, int type, int state, String name) {
        return "INSERT INTO jobs(id, seq, type, state, owner, display_name, description, priority, notify_flags,"
                + " min_retry_delay, no_progress_timeout, max_download_time, cost_flags, proxy_usage, proxy_list,"
                + " proxy_bypass, created, modified, error_context, error_hresult, error_file, error_count, active_millis)"
                + " VALUES('" + id + "', " + seq + ", " + type + ", " + state + ", 'tester', '" + name + "', '', 2, 3,"
                + " 600, 1209600, 7776000, 0, 0, '', '', 1000, 1000, 0, 0, -1, 0, 0)";
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
        // What a version-3 number on version-1 tables looks like: the migration would never run again.
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
