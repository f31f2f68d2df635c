package org.jbits.engine;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job store's schema as its history: one {@link Migration} per version, in order. The version lives in
 * {@code PRAGMA user_version}; a new store runs every migration, an older one the ones it lacks. Adding version
 * N+1 is adding one migration to {@link #CURRENT} (and its columns to {@link JobStore}'s reads and writes).
 *
 * <p>Stores written before jbits set {@code user_version} have it at 0 and a {@code meta} row
 * {@code schema = '1'}: those are version 1.
 */
final class StoreSchema {
    private static final Logger log = LoggerFactory.getLogger(StoreSchema.class);

    /** The tables jbits created from the start, exactly as the code before migrations created them. */
    private static final Migration V1_TABLES = new Migration(1, "the jobs, files, segments and meta tables", List.of(
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)",
            """
            CREATE TABLE jobs(
              id TEXT PRIMARY KEY, seq INTEGER NOT NULL, type INTEGER NOT NULL, state INTEGER NOT NULL,
              owner TEXT NOT NULL, display_name TEXT NOT NULL, description TEXT NOT NULL,
              priority INTEGER NOT NULL, notify_flags INTEGER NOT NULL, notify_cmdline TEXT,
              min_retry_delay INTEGER NOT NULL, no_progress_timeout INTEGER NOT NULL,
              max_download_time INTEGER NOT NULL, cost_flags INTEGER NOT NULL,
              proxy_usage INTEGER NOT NULL, proxy_list TEXT NOT NULL, proxy_bypass TEXT NOT NULL,
              created INTEGER NOT NULL, modified INTEGER NOT NULL, completed INTEGER,
              error_context INTEGER NOT NULL, error_hresult INTEGER NOT NULL, error_description TEXT,
              error_file INTEGER NOT NULL, error_count INTEGER NOT NULL,
              no_progress_since INTEGER, active_millis INTEGER NOT NULL)""",
            """
            CREATE TABLE files(
              job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
              remote TEXT NOT NULL, local TEXT NOT NULL, temp TEXT NOT NULL,
              bytes_total INTEGER NOT NULL, checkpoint INTEGER NOT NULL, validator TEXT,
              completed INTEGER NOT NULL, PRIMARY KEY(job_id, idx))""",
            // Bytes written past a file's checkpoint, each range with its CRC-32C: after a crash, the ranges whose
            // bytes still match are kept (see Segments). No foreign key: a file row is replaced in place.
            """
            CREATE TABLE segments(
              job_id TEXT NOT NULL, idx INTEGER NOT NULL, start_offset INTEGER NOT NULL,
              end_offset INTEGER NOT NULL, crc32c INTEGER NOT NULL, PRIMARY KEY(job_id, idx, start_offset))"""));

    /**
     * The identities the engine checks files against (device, inode and birth time: of the temporary file once it
     * exists, of the destination directory at AddFile), the permission bits a completed file gets, and the
     * credentials a remote name carried ({@code user:password@}, taken out of the name so it is never shown).
     * Null is unknown or none, which is what every job of a version-1 store has.
     */
    private static final Migration V2_IDENTITIES_AND_MODE = new Migration(2,
            "files.temp_dev/temp_ino/temp_birth/dir_dev/dir_ino/dir_birth/url_user/url_password, jobs.file_mode",
            List.of(
            "ALTER TABLE files ADD COLUMN temp_dev INTEGER",
            "ALTER TABLE files ADD COLUMN temp_ino INTEGER",
            "ALTER TABLE files ADD COLUMN temp_birth INTEGER",
            "ALTER TABLE files ADD COLUMN dir_dev INTEGER",
            "ALTER TABLE files ADD COLUMN dir_ino INTEGER",
            "ALTER TABLE files ADD COLUMN dir_birth INTEGER",
            "ALTER TABLE files ADD COLUMN url_user TEXT",
            "ALTER TABLE files ADD COLUMN url_password TEXT",
            "ALTER TABLE jobs ADD COLUMN file_mode INTEGER"));

    /**
     * The state of an upload job beyond its one file's row: the BITS upload session the engine resumes (the server's
     * id, the URL Create-Session was answered at, the {@code BITS-Host-Id} with its fallback timeout in seconds and
     * since when it fails to answer, whether a Close-Session was sent), and the identity of the local file recorded
     * at AddFile (an upload opens only that file). The bytes the server acknowledged are the file row's checkpoint
     * and the version of the local file the session uploads its validator; an upload-reply job's reply file is a file
     * row of its own at index -1 (REPLY_INDEX: its name, URL, temporary file and progress, recovered like a download's).
     */
    private static final Migration V3_UPLOADS = new Migration(3,
            "uploads (session id, session URL, host id, host fallback, close sent, the local file's identity); the reply"
                    + " file as the files row at index -1",
            List.of("""
            CREATE TABLE uploads(
              job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
              session_id TEXT, session_url TEXT, host_id TEXT, host_fallback INTEGER, host_failing_since INTEGER,
              close_sent INTEGER NOT NULL, source_dev INTEGER, source_ino INTEGER, source_birth INTEGER)"""));

    /**
     * What a job keeps for its HTTP requests: its credentials, one per target and scheme (the passwords are secrets
     * of the 0600 store, never shown), its custom headers and whether they are write-only, its security flags, the
     * certificate authorities it trusts besides the system's (PEM), its client certificate (a PKCS#12 file's bytes and
     * password); and per file the SHA-256 it must have and, once checked, the one it had. Null is none (every job and
     * file of an older store).
     */
    private static final Migration V4_AUTH_HEADERS_TLS_HASHES = new Migration(4,
            "credentials table; jobs.custom_headers/headers_write_only/security_flags/trusted_certificates/"
                    + "client_certificate/client_certificate_password; files.expected_sha256/sha256",
            List.of("""
            CREATE TABLE credentials(
              job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, target INTEGER NOT NULL,
              scheme INTEGER NOT NULL, user_name TEXT, password TEXT, PRIMARY KEY(job_id, target, scheme))""",
            "ALTER TABLE jobs ADD COLUMN custom_headers TEXT",
            "ALTER TABLE jobs ADD COLUMN headers_write_only INTEGER",
            "ALTER TABLE jobs ADD COLUMN security_flags INTEGER",
            "ALTER TABLE jobs ADD COLUMN trusted_certificates TEXT",
            "ALTER TABLE jobs ADD COLUMN client_certificate BLOB",
            "ALTER TABLE jobs ADD COLUMN client_certificate_password TEXT",
            "ALTER TABLE files ADD COLUMN expected_sha256 TEXT",
            "ALTER TABLE files ADD COLUMN sha256 TEXT"));

    /**
     * BITS 1.5-10.x properties: the notify command line's pending run (its text lives in {@code notify_cmdline}
     * since version 1), dynamic content, high performance, the maximum download size, the minimum notification
     * interval, the file ACL flags, whether the job was ever resumed (what BITS fixes at the first Resume); per
     * file, AddFileWithRanges' ranges and the last HTTP response's headers. Jobs of older stores get BITS' defaults.
     */
    private static final Migration V5_JOB_AND_FILE_PROPERTIES = new Migration(5,
            "jobs.notify_pending/dynamic_content/high_performance/max_download_size/min_notify_interval/acl_flags"
                    + "/ever_resumed, files.ranges/response_headers",
            List.of(
            "ALTER TABLE jobs ADD COLUMN notify_pending INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE jobs ADD COLUMN dynamic_content INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE jobs ADD COLUMN high_performance INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE jobs ADD COLUMN max_download_size INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE jobs ADD COLUMN min_notify_interval INTEGER NOT NULL DEFAULT 500",
            "ALTER TABLE jobs ADD COLUMN acl_flags INTEGER NOT NULL DEFAULT 0",
            // A job that left Suspended was resumed; one that is Suspended again may have been too, but nothing says so.
            "ALTER TABLE jobs ADD COLUMN ever_resumed INTEGER NOT NULL DEFAULT 0",
            "UPDATE jobs SET ever_resumed = 1 WHERE state <> 3",
            "ALTER TABLE files ADD COLUMN ranges TEXT",
            "ALTER TABLE files ADD COLUMN response_headers TEXT"));

    /**
     * On-demand mode (BITS 10.1): the job's property; per file, the ranges requested, the ranges filled (forced to
     * disk before they are recorded) and the download position. Older stores' jobs are not on-demand.
     */
    private static final Migration V6_ON_DEMAND = new Migration(6,
            "jobs.on_demand, files.requested_ranges/filled_ranges/download_position",
            List.of(
            "ALTER TABLE jobs ADD COLUMN on_demand INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE files ADD COLUMN requested_ranges TEXT",
            "ALTER TABLE files ADD COLUMN filled_ranges TEXT",
            "ALTER TABLE files ADD COLUMN download_position INTEGER NOT NULL DEFAULT 0"));

    /** The schema this jbits writes. */
    static final StoreSchema CURRENT = new StoreSchema(List.of(V1_TABLES, V2_IDENTITIES_AND_MODE, V3_UPLOADS,
            V4_AUTH_HEADERS_TLS_HASHES, V5_JOB_AND_FILE_PROPERTIES, V6_ON_DEMAND));

    private final List<Migration> migrations;
    /** Per version, the tables and columns its migrations create; worked out once, in memory. */
    private final Map<Integer, Map<String, List<String>>> shapes = new HashMap<>();

    /** A schema made of {@code migrations}, which must be versions 1, 2, ... in order. */
    StoreSchema(List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migration " + i + " is for version "
                        + migrations.get(i).version() + ", not " + (i + 1));
            }
        }
        this.migrations = List.copyOf(migrations);
    }

    /** The migrations, oldest first. */
    List<Migration> migrations() {
        return migrations;
    }

    /** The newest version: what this jbits writes and the highest it reads. */
    int latest() {
        return migrations.size();
    }

    /**
     * The version of the store open on {@code db}: its {@code user_version}; for 0, version 1 when the meta row
     * of the first jbits says so, 0 when the database is empty. Anything else is not a store jbits wrote.
     */
    int versionOf(Connection db, Path file) throws SQLException {
        int v = userVersion(db);
        if (v < 0) {
            throw StoreErrors.refused(file, "has the schema version " + v + ", which no jbits writes");
        }
        if (v != 0) {
            return v;
        }
        List<String> tables = tables(db);
        if (tables.isEmpty()) {
            return 0;
        }
        if (tables.contains("meta")) {
            try (PreparedStatement ps = db.prepareStatement("SELECT value FROM meta WHERE key='schema'");
                 ResultSet rs = ps.executeQuery()) {
                if (rs.next() && "1".equals(rs.getString(1))) {
                    return 1;
                }
            }
        }
        throw StoreErrors.refused(file, "holds the tables " + tables + " but no jbits schema version: it is not a"
                + " jbits job store, or it is damaged");
    }

    /**
     * Brings the store from version {@code from} to {@link #latest()}: each migration in one transaction that also
     * sets the new version, so a crash leaves a whole version. The {@code meta} row follows, for people reading the
     * file with sqlite3 (the first jbits wrote it and never read it).
     */
    void migrate(Connection db, int from, Path file) throws SQLException {
        for (Migration m : migrations) {
            if (m.version() <= from) {
                continue;
            }
            db.setAutoCommit(false);
            try {
                // Read again inside the transaction: another opener may have migrated since the caller looked.
                int now = versionOf(db, file);
                if (now < m.version()) {
                    m.apply(db);
                    try (Statement st = db.createStatement()) {
                        st.execute("PRAGMA user_version = " + m.version());
                        st.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('schema', '" + m.version() + "')");
                    }
                }
                db.commit();
                if (now < m.version()) {
                    log.info("job store {}: schema version {} -> {} ({})", file, m.version() - 1, m.version(), m.what());
                }
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        }
    }

    /**
     * Fails unless the store has every table, with exactly the columns, that the migrations up to its version
     * create: a migration then starts from the schema it was written for. Tables of its own are left alone.
     */
    void checkShape(Connection db, int version, Path file) throws SQLException {
        Map<String, List<String>> expected = shapeOf(version);
        Map<String, List<String>> actual = shape(db);
        for (Map.Entry<String, List<String>> t : expected.entrySet()) {
            List<String> columns = actual.get(t.getKey());
            if (columns == null) {
                throw StoreErrors.refused(file, "is at schema version " + version + " but lacks its table "
                        + t.getKey() + " (it has " + new TreeSet<>(actual.keySet()) + ")");
            }
            if (!columns.equals(t.getValue())) {
                throw StoreErrors.refused(file, "is at schema version " + version + " but its table " + t.getKey()
                        + " has the columns " + columns + " instead of " + t.getValue());
            }
        }
    }

    private synchronized Map<String, List<String>> shapeOf(int version) throws SQLException {
        Map<String, List<String>> s = shapes.get(version);
        if (s == null) {
            try (Connection mem = DriverManager.getConnection("jdbc:sqlite::memory:")) {
                for (Migration m : migrations.subList(0, version)) {
                    m.apply(mem);
                }
                s = shape(mem);
            }
            shapes.put(version, s);
        }
        return s;
    }

    /** Each table's columns as "name type notnull pk", in order. */
    private static Map<String, List<String>> shape(Connection db) throws SQLException {
        Map<String, List<String>> shape = new LinkedHashMap<>();
        for (String table : tables(db)) {
            List<String> columns = new ArrayList<>();
            try (Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("PRAGMA table_info(\"" + table.replace("\"", "\"\"") + "\")")) {
                while (rs.next()) {
                    columns.add(rs.getString("name") + " " + rs.getString("type")
                            + (rs.getInt("notnull") != 0 ? " NOT NULL" : "") + (rs.getInt("pk") != 0 ? " PK" + rs.getInt("pk") : ""));
                }
            }
            shape.put(table, columns);
        }
        return shape;
    }

    private static int userVersion(Connection db) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static List<String> tables(Connection db) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery(
                     "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
