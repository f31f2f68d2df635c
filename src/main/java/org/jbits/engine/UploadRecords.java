package org.jbits.engine;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jbits.file.FileIdentity;
import org.jbits.transport.UploadSession;

/**
 * The {@code uploads} table (schema version 3): an upload job's session and its local file's identity, one row per
 * upload job. The caller ({@link JobStore}) owns the connection, its transactions and the lock.
 */
final class UploadRecords {
    private static final String COLUMNS = "job_id, session_id, session_url, host_id, host_fallback, host_failing_since,"
            + " close_sent, source_dev, source_ino, source_birth";
    private static final String SAVE = "INSERT INTO uploads(" + COLUMNS + ") VALUES(?,?,?,?,?,?,?,?,?,?)"
            + " ON CONFLICT(job_id) DO UPDATE SET session_id=excluded.session_id, session_url=excluded.session_url,"
            + " host_id=excluded.host_id, host_fallback=excluded.host_fallback,"
            + " host_failing_since=excluded.host_failing_since, close_sent=excluded.close_sent,"
            + " source_dev=excluded.source_dev, source_ino=excluded.source_ino, source_birth=excluded.source_birth";

    private UploadRecords() {
    }

    /** Inserts or replaces the job's row. */
    static void save(Connection db, UUID jobId, UploadRecord u) throws SQLException {
        save(db, jobId, u.session, u.sourceId);
    }

    /** The row of an upload whose session and source identity are {@code s} and {@code id} (copied when queued). */
    static void save(Connection db, UUID jobId, UploadSession s, FileIdentity id) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(SAVE)) {
            ps.setString(1, jobId.toString());
            ps.setString(2, s == null ? null : s.id());
            ps.setString(3, s == null ? null : s.url().toString());
            ps.setString(4, s == null ? null : s.hostId());
            setLong(ps, 5, s == null || s.hostFallback() == null ? null : s.hostFallback().toSeconds());
            setLong(ps, 6, s == null || s.hostFailingSince() == null ? null : s.hostFailingSince().toEpochMilli());
            ps.setInt(7, s != null && s.closeSent() ? 1 : 0);
            setLong(ps, 8, id == null ? null : id.device());
            setLong(ps, 9, id == null ? null : id.inode());
            setLong(ps, 10, id == null ? null : id.birthNanos());
            ps.executeUpdate();
        }
    }

    /** Every row, into the upload records of {@code jobs} (by job id); rows of other jobs are ignored. */
    static void load(Connection db, Map<String, JobRecord> jobs) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM uploads")) {
            while (rs.next()) {
                JobRecord j = jobs.get(rs.getString("job_id"));
                if (j == null || j.upload == null) {
                    continue;
                }
                String id = rs.getString("session_id");
                String url = rs.getString("session_url");
                if (id != null && url != null) {
                    Long fallback = nullable(rs, "host_fallback");
                    Long failing = nullable(rs, "host_failing_since");
                    j.upload.session = new UploadSession(id, URI.create(url), rs.getString("host_id"),
                            fallback == null ? null : Duration.ofSeconds(fallback),
                            failing == null ? null : Instant.ofEpochMilli(failing), rs.getInt("close_sent") != 0);
                }
                Long dev = nullable(rs, "source_dev");
                Long ino = nullable(rs, "source_ino");
                Long birth = nullable(rs, "source_birth");
                j.upload.sourceId = dev == null || ino == null ? null : new FileIdentity(dev, ino, birth == null ? 0 : birth);
            }
        }
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setLong(i, v);
        }
    }

    private static Long nullable(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
