package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * A store written by the jbits before schema versions (schema 1: {@code user_version} 0, {@code meta.schema = '1'}),
 * as a kill -9 in the middle of a transfer left it: {@code src/test/resources/store-v1}, made by its
 * {@code Generate.java} with that jbits' jar (its README says how). Six jobs in six states, one of them with a file
 * checkpointed at 288 KiB and two checksummed ranges recorded past it, and its partial temporary file.
 * Each test works on a copy.
 */
class StoreV1FixtureTest {
    static final Path FIXTURE = Path.of("src/test/resources/store-v1");
    static Properties fixture;

    @TempDir
    Path tmp;

    @BeforeAll
    static void readFixture() throws IOException {
        fixture = new Properties();
        try (Reader r = Files.newBufferedReader(FIXTURE.resolve("fixture.properties"), StandardCharsets.ISO_8859_1)) {
            fixture.load(r);
        }
    }

    private static UUID job(String name) {
        return UUID.fromString(fixture.getProperty("job." + name));
    }

    /** The fixture's store (jobs.db and the write-ahead log the crash left) and temporary files, copied. */
    private Path copyFixture() throws IOException {
        for (String sub : List.of("state", "dl")) {
            Path to = Files.createDirectories(tmp.resolve(sub));
            try (Stream<Path> s = Files.list(FIXTURE.resolve(sub))) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return tmp.resolve("state").resolve("jobs.db");
    }

    @Test
    void aVersionOneStoreLeftByACrashMigratesToTheLatestVersionWithEveryRowIntact() throws Exception {
        Path db = copyFixture();
        assertTrue(Files.size(tmp.resolve("state/jobs.db-wal")) > 0, "the fixture holds the log the crash left");
        Map<String, List<Map<String, Object>>> before = rows(db);
        assertEquals("0", single(db, "PRAGMA user_version"), "the fixture is a store from before schema versions");
        assertEquals("1", single(db, "SELECT value FROM meta WHERE key='schema'"));
        assertEquals(6, before.get("jobs").size());
        assertTrue(before.get("segments").size() >= 2, "ranges past the checkpoint: " + before.get("segments"));

        try (JobStore store = new JobStore(db)) {
            List<JobRecord> jobs = store.loadAll();
            assertEquals(List.of("suspended-with-properties", "transferred", "error-404", "transient-error",
                    "transferring-at-crash", "queued-at-crash"), jobs.stream().map(j -> j.displayName).toList());
            for (JobRecord j : jobs) {
                assertNull(j.fileMode, j.displayName);
                for (FileRecord f : j.files) {
                    assertNull(f.tempId, j.displayName);
                    assertNull(f.dirId, j.displayName);
                    assertNull(f.urlCredentials, j.displayName);
                }
            }
        }

        assertEquals(String.valueOf(JobStore.SCHEMA_VERSION), single(db, "PRAGMA user_version"));
        assertEquals(String.valueOf(JobStore.SCHEMA_VERSION), single(db, "SELECT value FROM meta WHERE key='schema'"));
        assertEquals("0", single(db, "SELECT count(*) FROM uploads"), "a version-1 store has no upload jobs to migrate");
        assertEquals("0", single(db, "SELECT count(*) FROM credentials"), "nor credentials");
        Map<String, List<Map<String, Object>>> after = rows(db);
        for (String table : List.of("jobs", "files", "segments")) {
            List<Map<String, Object>> was = before.get(table);
            List<Map<String, Object>> is = after.get(table);
            assertEquals(was.size(), is.size(), table);
            for (int i = 0; i < was.size(); i++) {
                Map<String, Object> kept = new LinkedHashMap<>(is.get(i));
                for (String added : List.of("file_mode", "temp_dev", "temp_ino", "temp_birth", "dir_dev",
                        "dir_ino", "dir_birth", "url_user", "url_password", "custom_headers", "headers_write_only",
                        "security_flags", "trusted_certificates", "client_certificate", "client_certificate_password",
                        "expected_sha256", "sha256", "ranges", "response_headers", "requested_ranges",
                        "filled_ranges")) {
                    if (kept.containsKey(added)) {
                        assertNull(kept.remove(added), table + "." + added + " of a version-1 row");
                    }
                }
                if (table.equals("files")) {
                    assertEquals(0L, ((Number) kept.remove("download_position")).longValue(), "version 6's default");
                }
                if (table.equals("jobs")) {
                    // Version 5's (and 6's on_demand) job columns have BITS' defaults; a job that is not Suspended was resumed.
                    for (String added : List.of("notify_pending", "dynamic_content", "high_performance",
                            "max_download_size", "acl_flags", "on_demand")) {
                        assertEquals(0L, ((Number) kept.remove(added)).longValue(), table + "." + added);
                    }
                    assertEquals(500L, ((Number) kept.remove("min_notify_interval")).longValue());
                    long state = ((Number) kept.get("state")).longValue();
                    assertEquals(state == 3 ? 0L : 1L, ((Number) kept.remove("ever_resumed")).longValue(),
                            "ever_resumed of a job in state " + state);
                }
                assertEquals(was.get(i), kept, table + " row " + i);
            }
        }
    }

    @Test
    void aMigratedStoreHasTheSameSchemaAsANewOne() throws Exception {
        Path db = copyFixture();
        new JobStore(db).close();
        Path fresh = Files.createDirectories(tmp.resolve("fresh")).resolve("jobs.db");
        new JobStore(fresh).close();
        String schema = "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema ORDER BY name";
        assertEquals(column(fresh, schema), column(db, schema));
    }

    @Test
    void aTransferCutShortByACrashUnderVersionOneResumesFromItsVerifiedOffset() throws Exception {
        Path db = copyFixture();
        UUID crashed = job("transferring-at-crash");
        long checkpoint = Long.parseLong(single(db, "SELECT checkpoint FROM files WHERE job_id='" + crashed + "' AND idx=1"));
        Path bigTemp = tmp.resolve("dl").resolve(".big.bin." + crashed.toString().substring(0, 8) + "-1.jbits");
        long verified = verifiedOffset(db, crashed, bigTemp, checkpoint);
        assertTrue(checkpoint > 0 && verified > checkpoint, "the fixture has ranges past its checkpoint: checkpoint "
                + checkpoint + ", verified to " + verified);
        String validator = single(db, "SELECT validator FROM files WHERE job_id='" + crashed + "' AND idx=1");

        // The same files as when the fixture was made, with the same modification times: nginx's ETag is made of
        // the time and the size, and the engine resumes with If-Range on it. /slow/ now runs at full speed.
        try (NginxServer nginx = NginxServer.builder().limitRate("64m").start()) {
            for (String name : List.of("small.bin", "first.bin", "big.bin", "queued.bin")) {
                Path served = nginx.put(name, content(name, Long.parseLong(fixture.getProperty("file." + name + ".size"))));
                Files.setLastModifiedTime(served, FileTime.from(
                        Long.parseLong(fixture.getProperty("file." + name + ".mtime")), TimeUnit.SECONDS));
            }
            rewritePaths(db, nginx.port());

            try (PortableEngine engine = Engines.open(tmp.resolve("state"))) {
                BitsJob big = engine.getJob(crashed);
                Await.state(big, Duration.ofSeconds(60), JobState.TRANSFERRED);
                BitsJob queued = engine.getJob(job("queued-at-crash"));
                Await.state(queued, Duration.ofSeconds(60), JobState.TRANSFERRED);
                BitsJob transferred = engine.getJob(job("transferred"));
                assertEquals(JobState.TRANSFERRED, transferred.state());
                for (BitsJob j : List.of(big, queued, transferred)) {
                    assertEquals(HResult.S_OK, j.complete(), j.displayName());
                }
                assertUntouchedJobs(engine);
            }

            var requests = nginx.requestsFor("big.bin");
            assertEquals(1, requests.size(), "one request resumed the file: " + requests);
            assertEquals(verified, requests.get(0).rangeStart(), "the resume starts at the last verified byte: " + requests);
            assertEquals(206, requests.get(0).status(), requests.toString());
            assertEquals(validator, requests.get(0).ifRange());
            // Completed by the old engine before the crash: not fetched again.
            assertEquals(List.of(), nginx.requestsFor("small.bin"));
            assertEquals(List.of(), nginx.requestsFor("first.bin"));
        }
        for (String name : List.of("small.bin", "first.bin", "big.bin", "queued.bin")) {
            assertEquals(TestData.sha256(content(name, Long.parseLong(fixture.getProperty("file." + name + ".size")))),
                    TestData.sha256(tmp.resolve("dl").resolve(name)), name);
        }
    }

    /** The jobs the engine has no reason to touch keep their state and every property the old engine stored. */
    private static void assertUntouchedJobs(PortableEngine engine) {
        BitsJob suspended = engine.getJob(job("suspended-with-properties"));
        assertEquals(JobState.SUSPENDED, suspended.state());
        assertEquals("every property set away from its default", suspended.description());
        assertEquals(JobPriority.LOW, suspended.priority());
        assertEquals(120, suspended.minimumRetryDelay());
        assertEquals(7200, suspended.noProgressTimeout());
        assertEquals(3600, suspended.maximumDownloadTime());
        assertEquals(EnumSet.of(NotifyFlag.JOB_TRANSFERRED, NotifyFlag.FILE_TRANSFERRED), suspended.notifyFlags());
        assertEquals(new ProxySettings(ProxyUsage.OVERRIDE, List.of("http://proxy.example:3128", "https=proxy2.example:8443"),
                List.of("<local>", "*.example.org")), suspended.proxySettings());
        assertEquals(TransferPolicy.NOT_ROAMING.flags(), suspended.transferPolicyFlags());
        assertEquals(2, suspended.files().size());

        BitsJob error = engine.getJob(job("error-404"));
        assertEquals(JobState.ERROR, error.state());
        assertEquals(HResult.ofHttpStatus(404), error.error().orElseThrow().hresult());
        assertEquals(ErrorContext.REMOTE_FILE, error.error().orElseThrow().context());
        assertEquals(1, error.errorCount());

        BitsJob transientError = engine.getJob(job("transient-error"));
        assertEquals(JobState.TRANSIENT_ERROR, transientError.state(), "its retry is a day away");
        assertEquals(HResult.BG_E_CONNECT_FAILURE, transientError.error().orElseThrow().hresult());
        assertEquals(86_400, transientError.minimumRetryDelay());
    }

    /**
     * The fixture stores absolute paths under the directory it was made in, and the URL of the nginx of that run:
     * rewritten on the copy, with plain SQL, before the code under test opens it (its schema is not touched).
     */
    private static void rewritePaths(Path db, int port) throws SQLException {
        String prefix = fixture.getProperty("prefix");
        String here = db.getParent().getParent().toString();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE files SET local=replace(local, ?1, ?2), temp=replace(temp, ?1, ?2), remote=replace(remote, ?3, ?4)")) {
            ps.setString(1, prefix);
            ps.setString(2, here);
            ps.setString(3, "//127.0.0.1:" + fixture.getProperty("nginx.port") + "/");
            ps.setString(4, "//127.0.0.1:" + port + "/");
            assertEquals(8, ps.executeUpdate(), "every file row");
        }
    }

    /**
     * How far the temporary file can be trusted, worked out here: the checkpoint, then each recorded range that
     * starts where the last ended and whose bytes in the file match its CRC-32C.
     */
    private static long verifiedOffset(Path db, UUID job, Path temp, long checkpoint) throws Exception {
        byte[] bytes = Files.readAllBytes(temp);
        long trusted = checkpoint;
        for (String range : column(db, "SELECT start_offset || ' ' || end_offset || ' ' || crc32c FROM segments"
                + " WHERE job_id='" + job + "' AND idx=1 ORDER BY start_offset")) {
            String[] r = range.split(" ");
            long start = Long.parseLong(r[0]);
            long end = Long.parseLong(r[1]);
            if (start != trusted || end > bytes.length) {
                break;
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, (int) start, (int) (end - start));
            if (crc.getValue() != Long.parseLong(r[2])) {
                break;
            }
            trusted = end;
        }
        return trusted;
    }

    /** The served files' content; Generate.java has the same function. */
    static byte[] content(String name, long size) {
        StringBuilder b = new StringBuilder((int) size + 20);
        String tag = String.format("%-8.8s", name.substring(0, name.indexOf('.')));
        for (long off = 0; off < size; off += 20) {
            b.append(tag).append(' ').append(String.format("%010d", off)).append('\n');
        }
        return b.substring(0, (int) size).getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads through a read-only connection, which leaves the file and its log as they are. */
    private static Connection readOnly(Path db) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        return config.createConnection("jdbc:sqlite:" + db);
    }

    private static String single(Path db, String sql) throws SQLException {
        List<String> c = column(db, sql);
        return c.isEmpty() ? null : c.get(0);
    }

    private static List<String> column(Path db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = readOnly(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Every row of the store's tables, in key order, column by column. */
    private static Map<String, List<Map<String, Object>>> rows(Path db) throws SQLException {
        Map<String, String> tables = Map.of("jobs", "id", "files", "job_id, idx", "segments", "job_id, idx, start_offset",
                "meta", "key");
        Map<String, List<Map<String, Object>>> all = new LinkedHashMap<>();
        try (Connection c = readOnly(db); Statement st = c.createStatement()) {
            for (Map.Entry<String, String> t : tables.entrySet()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT * FROM " + t.getKey() + " ORDER BY " + t.getValue())) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            row.put(md.getColumnName(i), rs.getObject(i));
                        }
                        rows.add(row);
                    }
                }
                all.put(t.getKey(), rows);
            }
        }
        return all;
    }
}
