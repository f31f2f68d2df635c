package org.jbits.engine;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jbits.BitsException;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.file.Segments;

/**
 * The durable job store: one SQLite database in WAL mode with {@code synchronous=FULL}, so a committed state
 * change survives a crash of the agent or of the machine. Every method commits before it returns.
 */
final class JobStore implements AutoCloseable {
    private static final int SCHEMA_VERSION = 1;

    private final Connection db;
    private final Statement pragma;
    private PreparedStatement checkpointStatement;
    private PreparedStatement segmentStatement;

    JobStore(Path file) {
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            pragma = db.createStatement();
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("PRAGMA foreign_keys=ON");
                st.execute("PRAGMA busy_timeout=5000");
                st.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS jobs(
                          id TEXT PRIMARY KEY, seq INTEGER NOT NULL, type INTEGER NOT NULL, state INTEGER NOT NULL,
                          owner TEXT NOT NULL, display_name TEXT NOT NULL, description TEXT NOT NULL,
                          priority INTEGER NOT NULL, notify_flags INTEGER NOT NULL, notify_cmdline TEXT,
                          min_retry_delay INTEGER NOT NULL, no_progress_timeout INTEGER NOT NULL,
                          max_download_time INTEGER NOT NULL, cost_flags INTEGER NOT NULL,
                          proxy_usage INTEGER NOT NULL, proxy_list TEXT NOT NULL, proxy_bypass TEXT NOT NULL,
                          created INTEGER NOT NULL, modified INTEGER NOT NULL, completed INTEGER,
                          error_context INTEGER NOT NULL, error_hresult INTEGER NOT NULL, error_description TEXT,
                          error_file INTEGER NOT NULL, error_count INTEGER NOT NULL,
                          no_progress_since INTEGER, active_millis INTEGER NOT NULL)""");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS files(
                          job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
                          remote TEXT NOT NULL, local TEXT NOT NULL, temp TEXT NOT NULL,
                          bytes_total INTEGER NOT NULL, checkpoint INTEGER NOT NULL, validator TEXT,
                          completed INTEGER NOT NULL, PRIMARY KEY(job_id, idx))""");
                // Bytes written past a file's checkpoint, each range with its CRC-32C: after a crash, the ranges
                // whose bytes still match are kept (see Segments). No foreign key: a file row is replaced in place.
                st.execute("""
                        CREATE TABLE IF NOT EXISTS segments(
                          job_id TEXT NOT NULL, idx INTEGER NOT NULL, start_offset INTEGER NOT NULL,
                          end_offset INTEGER NOT NULL, crc32c INTEGER NOT NULL, PRIMARY KEY(job_id, idx, start_offset))""");
                st.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('schema', '" + SCHEMA_VERSION + "')");
            }
        } catch (SQLException e) {
            throw storeError("opening the job store " + file, e);
        }
    }

    private static BitsException storeError(String what, SQLException e) {
        return new BitsException(HResult.BG_E_DATABASE_CORRUPT, what + " failed: " + e.getMessage(), e);
    }

    private static final String JOB_COLUMNS = "id, seq, type, state, owner, display_name, description, priority,"
            + " notify_flags, notify_cmdline, min_retry_delay, no_progress_timeout, max_download_time, cost_flags,"
            + " proxy_usage, proxy_list, proxy_bypass, created, modified, completed, error_context, error_hresult,"
            + " error_description, error_file, error_count, no_progress_since, active_millis";
    /**
     * An upsert, not INSERT OR REPLACE: REPLACE deletes the old row first, and the foreign key's ON DELETE
     * CASCADE then deletes every file of the job.
     */
    private static final String SAVE_JOB = "INSERT INTO jobs(" + JOB_COLUMNS + ") VALUES("
            + "?,".repeat(26) + "?) ON CONFLICT(id) DO UPDATE SET "
            + Arrays.stream(JOB_COLUMNS.split(",\\s*")).filter(c -> !c.equals("id"))
                    .map(c -> c + "=excluded." + c).collect(Collectors.joining(", "));

    /** Inserts or updates the job's row (not its files). */
    synchronized void saveJob(JobRecord j) {
        try (PreparedStatement ps = db.prepareStatement(SAVE_JOB)) {
            int i = 1;
            ps.setString(i++, j.id.toString());
            ps.setLong(i++, j.sequence);
            ps.setInt(i++, j.type.value());
            ps.setInt(i++, j.state.value());
            ps.setString(i++, j.owner);
            ps.setString(i++, j.displayName);
            ps.setString(i++, j.description);
            ps.setInt(i++, j.priority.value());
            ps.setInt(i++, j.notifyFlags);
            ps.setString(i++, j.notifyCmdLine);
            ps.setLong(i++, j.minimumRetryDelaySeconds);
            ps.setLong(i++, j.noProgressTimeoutSeconds);
            ps.setLong(i++, j.maximumDownloadTimeSeconds);
            ps.setInt(i++, j.costFlags);
            ps.setInt(i++, j.proxy.usage().value());
            ps.setString(i++, String.join(" ", j.proxy.proxyList()));
            ps.setString(i++, String.join(" ", j.proxy.bypassList()));
            ps.setLong(i++, j.created.toEpochMilli());
            ps.setLong(i++, j.modified.toEpochMilli());
            setNullableTime(ps, i++, j.completedAt);
            ps.setInt(i++, j.errorContext.value());
            ps.setInt(i++, j.errorHresult);
            ps.setString(i++, j.errorDescription);
            ps.setInt(i++, j.errorFile);
            ps.setInt(i++, j.errorCount);
            setNullableTime(ps, i++, j.noProgressSince);
            ps.setLong(i, j.activeMillis);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw storeError("saving job " + j.id, e);
        }
    }

    private static void setNullableTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, java.sql.Types.INTEGER);
        } else {
            ps.setLong(i, t.toEpochMilli());
        }
    }

    /** Inserts the job's row and all its file rows in one transaction. */
    synchronized void insertJob(JobRecord j) {
        inTransaction(() -> {
            saveJob(j);
            for (FileRecord f : j.files) {
                saveFile(j.id, f);
            }
        });
    }

    /** Adds or replaces one file row and the job row, atomically. */
    synchronized void saveJobAndFile(JobRecord j, FileRecord f) {
        inTransaction(() -> {
            saveJob(j);
            saveFile(j.id, f);
        });
    }

    synchronized void saveFile(UUID jobId, FileRecord f) {
        try (PreparedStatement ps = db.prepareStatement("""
                INSERT OR REPLACE INTO files(job_id, idx, remote, local, temp, bytes_total, checkpoint, validator, completed)
                VALUES(?,?,?,?,?,?,?,?,?)""")) {
            ps.setString(1, jobId.toString());
            ps.setInt(2, f.index);
            ps.setString(3, f.remoteName);
            ps.setString(4, f.localName);
            ps.setString(5, f.tempName);
            ps.setLong(6, f.bytesTotal);
            ps.setLong(7, f.checkpoint);
            ps.setString(8, f.validator);
            ps.setInt(9, f.completed ? 1 : 0);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw storeError("saving a file of job " + jobId, e);
        }
    }

    /**
     * Records a file's checkpoint: the bytes forced to disk, the size, and the validator they belong to.
     *
     * @param durable commit with an fsync ({@code synchronous=FULL}); false for the periodic progress records,
     *     which only need to survive the agent (a power cut may lose the newest ones, and the engine then resumes
     *     from an older checkpoint whose bytes were forced to disk before it was written)
     */
    synchronized void saveCheckpoint(UUID jobId, FileRecord f, boolean durable) {
        try {
            if (!durable) {
                pragma.execute("PRAGMA synchronous=NORMAL");
            }
            db.setAutoCommit(false);
            try {
                if (checkpointStatement == null) {
                    checkpointStatement = db.prepareStatement(
                            "UPDATE files SET bytes_total=?, checkpoint=?, validator=?, completed=? WHERE job_id=? AND idx=?");
                }
                PreparedStatement ps = checkpointStatement;
                ps.setLong(1, f.bytesTotal);
                ps.setLong(2, f.checkpoint);
                ps.setString(3, f.validator);
                ps.setInt(4, f.completed ? 1 : 0);
                ps.setString(5, jobId.toString());
                ps.setInt(6, f.index);
                ps.executeUpdate();
                // The ranges now behind the checkpoint need no checking any more.
                try (PreparedStatement del = db.prepareStatement(
                        "DELETE FROM segments WHERE job_id=? AND idx=? AND end_offset<=?")) {
                    del.setString(1, jobId.toString());
                    del.setInt(2, f.index);
                    del.setLong(3, f.checkpoint);
                    del.executeUpdate();
                }
                db.commit();
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
                if (!durable) {
                    pragma.execute("PRAGMA synchronous=FULL");
                }
            }
        } catch (SQLException e) {
            throw storeError("saving progress of job " + jobId, e);
        }
    }

    /**
     * Records that {@code [start, end)} of a file was written past its checkpoint, with the bytes' CRC-32C. Not
     * forced ({@code synchronous=NORMAL}): it needs to outlive the agent, not a power cut, because nothing trusts
     * it without reading the bytes back (see {@link Segments#verify}).
     */
    synchronized void addSegment(UUID jobId, int index, long start, long end, long crc32c) {
        try {
            pragma.execute("PRAGMA synchronous=NORMAL");
            try {
                if (segmentStatement == null) {
                    segmentStatement = db.prepareStatement(
                            "INSERT OR REPLACE INTO segments(job_id, idx, start_offset, end_offset, crc32c) VALUES(?,?,?,?,?)");
                }
                PreparedStatement ps = segmentStatement;
                ps.setString(1, jobId.toString());
                ps.setInt(2, index);
                ps.setLong(3, start);
                ps.setLong(4, end);
                ps.setLong(5, crc32c);
                ps.executeUpdate();
            } finally {
                pragma.execute("PRAGMA synchronous=FULL");
            }
        } catch (SQLException e) {
            throw storeError("saving progress of job " + jobId, e);
        }
    }

    /** The recorded ranges of a file past its checkpoint, in file order. */
    synchronized List<Segments.Segment> segments(UUID jobId, int index) {
        List<Segments.Segment> list = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT start_offset, end_offset, crc32c FROM segments WHERE job_id=? AND idx=? ORDER BY start_offset")) {
            ps.setString(1, jobId.toString());
            ps.setInt(2, index);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(new Segments.Segment(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
                }
            }
        } catch (SQLException e) {
            throw storeError("reading the progress of job " + jobId, e);
        }
        return list;
    }

    /** Forgets a file's ranges past its checkpoint (the file was cut back or restarted). */
    synchronized void clearSegments(UUID jobId, int index) {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM segments WHERE job_id=? AND idx=?")) {
            ps.setString(1, jobId.toString());
            ps.setInt(2, index);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw storeError("saving progress of job " + jobId, e);
        }
    }

    /** A durable checkpoint record. */
    synchronized void saveCheckpoint(UUID jobId, FileRecord f) {
        saveCheckpoint(jobId, f, true);
    }

    synchronized void deleteJob(UUID id) {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM jobs WHERE id=?");
             PreparedStatement segs = db.prepareStatement("DELETE FROM segments WHERE job_id=?")) {
            ps.setString(1, id.toString());
            ps.executeUpdate();
            segs.setString(1, id.toString());
            segs.executeUpdate();
        } catch (SQLException e) {
            throw storeError("deleting job " + id, e);
        }
    }

    /** Every stored job with its files, in creation order. */
    synchronized List<JobRecord> loadAll() {
        Map<String, JobRecord> jobs = new LinkedHashMap<>();
        try (Statement st = db.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT * FROM jobs ORDER BY seq")) {
                while (rs.next()) {
                    JobRecord j = new JobRecord(UUID.fromString(rs.getString("id")), JobType.of(rs.getInt("type")),
                            rs.getString("owner"), rs.getString("display_name"),
                            Instant.ofEpochMilli(rs.getLong("created")));
                    j.sequence = rs.getLong("seq");
                    j.state = JobState.of(rs.getInt("state"));
                    j.description = rs.getString("description");
                    j.priority = JobPriority.of(rs.getInt("priority"));
                    j.notifyFlags = rs.getInt("notify_flags");
                    j.notifyCmdLine = rs.getString("notify_cmdline");
                    j.minimumRetryDelaySeconds = rs.getLong("min_retry_delay");
                    j.noProgressTimeoutSeconds = rs.getLong("no_progress_timeout");
                    j.maximumDownloadTimeSeconds = rs.getLong("max_download_time");
                    j.costFlags = rs.getInt("cost_flags");
                    j.proxy = new ProxySettings(ProxyUsage.of(rs.getInt("proxy_usage")),
                            split(rs.getString("proxy_list")), split(rs.getString("proxy_bypass")));
                    j.modified = Instant.ofEpochMilli(rs.getLong("modified"));
                    long completed = rs.getLong("completed");
                    j.completedAt = rs.wasNull() ? null : Instant.ofEpochMilli(completed);
                    j.errorContext = ErrorContext.of(rs.getInt("error_context"));
                    j.errorHresult = rs.getInt("error_hresult");
                    j.errorDescription = rs.getString("error_description");
                    j.errorFile = rs.getInt("error_file");
                    j.errorCount = rs.getInt("error_count");
                    long since = rs.getLong("no_progress_since");
                    j.noProgressSince = rs.wasNull() ? null : Instant.ofEpochMilli(since);
                    j.activeMillis = rs.getLong("active_millis");
                    jobs.put(j.id.toString(), j);
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT * FROM files ORDER BY job_id, idx")) {
                while (rs.next()) {
                    JobRecord j = jobs.get(rs.getString("job_id"));
                    if (j == null) {
                        continue;
                    }
                    String remote = rs.getString("remote");
                    FileRecord f = new FileRecord(rs.getInt("idx"), remote, null, rs.getString("local"), rs.getString("temp"));
                    f.bytesTotal = rs.getLong("bytes_total");
                    f.checkpoint = rs.getLong("checkpoint");
                    f.bytesTransferred = f.checkpoint;
                    f.validator = rs.getString("validator");
                    f.completed = rs.getInt("completed") != 0;
                    j.files.add(f);
                }
            }
        } catch (SQLException e) {
            throw storeError("reading the job store", e);
        }
        return new ArrayList<>(jobs.values());
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }

    private void inTransaction(Runnable work) {
        try {
            db.setAutoCommit(false);
            try {
                work.run();
                db.commit();
            } catch (RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw storeError("a store transaction", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (segmentStatement != null) {
                segmentStatement.close();
            }
            if (checkpointStatement != null) {
                checkpointStatement.close();
            }
            pragma.close();
            db.close();
        } catch (SQLException e) {
            throw storeError("closing the job store", e);
        }
    }
}
