package org.jbits.engine;

import java.nio.file.Path;
import java.sql.Connection;
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
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.file.FileIdentity;
import org.jbits.file.Segments;
import org.jbits.transport.Credentials;

/**
 * The durable job store: one SQLite database in WAL mode, so a committed state change survives a crash of the
 * agent or of the machine. Every method commits before it returns.
 *
 * <p>Opening checks the file before anything is written to it ({@link StoreFile}: missing, truncated, not SQLite,
 * not writable; {@link StoreCheck}: SQLite's integrity check, the schema version, the tables) and then brings an
 * older schema up to date ({@link StoreSchema}). A store that fails a check is refused with a BitsException naming
 * the file and the problem, and left as it was; only a missing file starts empty.
 *
 * <p>Two connections, each with its own {@code synchronous} setting, set once: state changes go through one at
 * {@code FULL} (the write-ahead log is forced at every commit), the periodic progress records (checkpoints,
 * checksummed ranges) through one at {@code NORMAL} (forced only at WAL checkpoints), because those only need
 * to outlive the agent. Both append to the same log in the order of their commits, so forcing it for a state
 * change also forces every progress record before it; a power cut can lose only the newest progress records, after
 * which the engine resumes from older ones, and SQLite's recovery never applies a commit without the ones before it.
 * Every method holds this object's lock, so the two connections never wait for each other's write lock (SQLite
 * would make the second one sleep and retry).
 */
final class JobStore implements AutoCloseable {
    /** The schema version this code writes. */
    static final int SCHEMA_VERSION = StoreSchema.CURRENT.latest();

    private final Path file;
    /** State changes: {@code synchronous=FULL}. */
    private final Connection db;
    /** Periodic progress records: {@code synchronous=NORMAL}. */
    private final Connection progress;
    private final ProgressRecords durableProgress;
    private final ProgressRecords periodicProgress;

    /** Opens (or, when missing, creates) the store at {@code file} with the current schema. */
    JobStore(Path file) {
        this(file, StoreSchema.CURRENT);
    }

    /** Opens the store with {@code schema} (tests give one with a migration that fails). */
    JobStore(Path file, StoreSchema schema) {
        this.file = file.toAbsolutePath();
        StoreFile.prepare(this.file, schema);
        int version = StoreCheck.check(this.file, schema);
        Connection main = null;
        Connection periodic = null;
        try {
            main = StoreConnections.readWrite(this.file, false, true);
            schema.migrate(main, version, this.file);
            // Writes the header: a store SQLite could open only for reading (a file system, permissions or flags
            // jbits did not see) fails here, at open, rather than at the first state change.
            try (Statement st = main.createStatement()) {
                st.execute("PRAGMA user_version = " + schema.latest());
            }
            periodic = StoreConnections.readWrite(this.file, false, false);
            durableProgress = new ProgressRecords(main);
            periodicProgress = new ProgressRecords(periodic);
        } catch (SQLException | RuntimeException e) {
            StoreConnections.closeQuietly(periodic);
            StoreConnections.closeQuietly(main);
            if (e instanceof SQLException sql && StoreErrors.isReadOnly(sql)) {
                throw StoreErrors.unwritable(this.file, "cannot be written (" + sql.getMessage() + ")",
                        StoreFile.WRITE_ADVICE, sql);
            }
            throw e instanceof SQLException sql ? StoreErrors.of("opening the job store", this.file, sql)
                    : (RuntimeException) e;
        }
        db = main;
        progress = periodic;
    }

    private BitsException storeError(String what, SQLException e) {
        return StoreErrors.of(what, file, e);
    }

    private static final String JOB_COLUMNS = "id, seq, type, state, owner, display_name, description, priority,"
            + " notify_flags, notify_cmdline, min_retry_delay, no_progress_timeout, max_download_time, cost_flags,"
            + " proxy_usage, proxy_list, proxy_bypass, created, modified, completed, error_context, error_hresult,"
            + " error_description, error_file, error_count, no_progress_since, active_millis, file_mode,"
            + " notify_pending, dynamic_content, high_performance, max_download_size, min_notify_interval, acl_flags,"
            + " ever_resumed";
    /**
     * An upsert, not INSERT OR REPLACE: REPLACE deletes the old row first, and the foreign key's ON DELETE
     * CASCADE then deletes every file of the job.
     */
    private static final String SAVE_JOB = "INSERT INTO jobs(" + JOB_COLUMNS + ") VALUES("
            + "?,".repeat(34) + "?) ON CONFLICT(id) DO UPDATE SET "
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
            ps.setString(i++, NotifyColumn.encode(j.notifyProgram, j.notifyParameters));
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
            ps.setLong(i++, j.activeMillis);
            setNullable(ps, i++, j.fileMode == null ? null : j.fileMode.longValue());
            ps.setInt(i++, j.notifyPending ? 1 : 0);
            ps.setInt(i++, j.dynamicContent ? 1 : 0);
            ps.setInt(i++, j.highPerformance ? 1 : 0);
            ps.setLong(i++, j.maxDownloadSize);
            ps.setLong(i++, j.minNotifyIntervalMillis);
            ps.setInt(i++, j.aclFlags);
            ps.setInt(i, j.everResumed ? 1 : 0);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw storeError("saving job " + j.id, e);
        }
    }

    private static void setNullableTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        setNullable(ps, i, t == null ? null : t.toEpochMilli());
    }

    private static void setNullable(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, java.sql.Types.INTEGER);
        } else {
            ps.setLong(i, v);
        }
    }

    /** The column as a Long, null for SQL NULL. */
    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
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

    /** The job row and several new file rows, in one transaction. */
    synchronized void saveJobAndFiles(JobRecord j, List<FileRecord> files) {
        inTransaction(() -> {
            saveJob(j);
            for (FileRecord f : files) {
                saveFile(j.id, f);
            }
        });
    }

    synchronized void saveFile(UUID jobId, FileRecord f) {
        try (PreparedStatement ps = db.prepareStatement("""
                INSERT OR REPLACE INTO files(job_id, idx, remote, local, temp, bytes_total, checkpoint, validator, completed,
                                             temp_dev, temp_ino, temp_birth, dir_dev, dir_ino, dir_birth, url_user,
                                             url_password, ranges, response_headers)
                VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""")) {
            ps.setString(1, jobId.toString());
            ps.setInt(2, f.index);
            ps.setString(3, f.remoteName);
            ps.setString(4, f.localName);
            ps.setString(5, f.tempName);
            ps.setLong(6, f.bytesTotal);
            ps.setLong(7, f.checkpoint);
            ps.setString(8, f.validator);
            ps.setInt(9, f.completed ? 1 : 0);
            setIdentity(ps, 10, f.tempId);
            setIdentity(ps, 13, f.dirId);
            Credentials c = f.urlCredentials;
            ps.setString(16, c == null ? null : c.userName());
            ps.setString(17, c == null ? null : c.password());
            ps.setString(18, RangesColumn.encode(f.ranges));
            ps.setString(19, f.responseHeaders);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw storeError("saving a file of job " + jobId, e);
        }
    }

    /**
     * Records the identity (device, inode, birth time) of a file's temporary file, once created; committed with an
     * fsync like a state change, since the engine trusts the file's bytes by it.
     */
    synchronized void saveTempFileIdentity(UUID jobId, FileRecord f) {
        try (PreparedStatement ps = db.prepareStatement(
                "UPDATE files SET temp_dev=?, temp_ino=?, temp_birth=? WHERE job_id=? AND idx=?")) {
            setIdentity(ps, 1, f.tempId);
            ps.setString(4, jobId.toString());
            ps.setInt(5, f.index);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw storeError("saving the temporary file of job " + jobId, e);
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
            (durable ? durableProgress : periodicProgress).saveCheckpoint(jobId, f);
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
            periodicProgress.addSegment(jobId, index, start, end, crc32c);
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

    /** Records the headers of a file's last HTTP response (File5): once per response, on the periodic connection. */
    synchronized void saveResponseHeaders(UUID jobId, FileRecord f) {
        try (PreparedStatement ps = progress.prepareStatement(
                "UPDATE files SET response_headers=? WHERE job_id=? AND idx=?")) {
            ps.setString(1, f.responseHeaders);
            ps.setString(2, jobId.toString());
            ps.setInt(3, f.index);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw storeError("saving the response headers of job " + jobId, e);
        }
    }

    /** Changes a file's remote name (SetRemoteName, ReplaceRemotePrefix) with its credentials. */
    synchronized void saveRemoteName(UUID jobId, FileRecord f) {
        saveFile(jobId, f);
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
                    Long mode = nullableLong(rs, "file_mode");
                    j.fileMode = mode == null ? null : mode.intValue();
                    String[] notify = NotifyColumn.decode(rs.getString("notify_cmdline"));
                    j.notifyProgram = notify[0];
                    j.notifyParameters = notify[1];
                    j.notifyPending = rs.getInt("notify_pending") != 0;
                    j.dynamicContent = rs.getInt("dynamic_content") != 0;
                    j.highPerformance = rs.getInt("high_performance") != 0;
                    j.maxDownloadSize = rs.getLong("max_download_size");
                    j.minNotifyIntervalMillis = rs.getLong("min_notify_interval");
                    j.aclFlags = rs.getInt("acl_flags");
                    j.everResumed = rs.getInt("ever_resumed") != 0;
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
                    f.tempId = identity(rs, "temp");
                    f.dirId = identity(rs, "dir");
                    String user = rs.getString("url_user");
                    if (user != null) {
                        f.urlCredentials = UrlCredentials.of(remote, user, rs.getString("url_password"));
                    }
                    f.ranges = RangesColumn.decode(rs.getString("ranges"));
                    f.responseHeaders = rs.getString("response_headers");
                    j.files.add(f);
                }
            }
        } catch (SQLException e) {
            throw storeError("reading the job store", e);
        }
        return new ArrayList<>(jobs.values());
    }

    /** Three columns {@code i, i+1, i+2}: device, inode, birth time; all null for an unknown identity. */
    private static void setIdentity(PreparedStatement ps, int i, FileIdentity id) throws SQLException {
        setNullable(ps, i, id == null ? null : id.device());
        setNullable(ps, i + 1, id == null ? null : id.inode());
        setNullable(ps, i + 2, id == null ? null : id.birthNanos());
    }

    /** {@code <prefix>_dev}, {@code _ino}, {@code _birth}; null when not recorded. */
    private static FileIdentity identity(ResultSet rs, String prefix) throws SQLException {
        Long dev = nullableLong(rs, prefix + "_dev");
        Long ino = nullableLong(rs, prefix + "_ino");
        Long birth = nullableLong(rs, prefix + "_birth");
        return dev == null || ino == null ? null : new FileIdentity(dev, ino, birth == null ? 0 : birth);
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }

    /** Runs {@code work} (store calls) in one transaction: all of it is committed, or none. */
    synchronized void inTransaction(Runnable work) {
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
            periodicProgress.close();
            durableProgress.close();
            progress.close();
            db.close();
        } catch (SQLException e) {
            throw storeError("closing the job store", e);
        }
    }
}
