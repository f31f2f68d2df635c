package org.jbits.engine;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
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
import org.jbits.transport.UploadSession;

/**
 * The durable job store: one SQLite database in WAL mode, so a committed state change survives a crash of the
 * agent or of the machine. Every write returns only once it is committed (see the group commit below).
 *
 * <p>Opening checks the file before anything is written to it ({@link StoreFile}: missing, truncated, not SQLite,
 * not writable; {@link StoreCheck}: SQLite's integrity check, the schema version, the tables) and then brings an
 * older schema up to date ({@link StoreSchema}). A store that fails a check is refused with a BitsException naming
 * the file and the problem, and left as it was; only a missing file starts empty.
 *
 * <p><b>Group commit.</b> A write copies its values and joins a queue; the first caller to wait while no commit is
 * under way takes everything queued so far and commits it in one transaction, and every caller whose write was in
 * it returns after that one commit. So callers on eight threads pay one fsync between them, and each still returns
 * only when its write is committed. Writes are applied in the order they were queued (the order of the engine lock,
 * which the state machine holds while it queues), and a commit covers every write queued before it. Inside a
 * section {@link #beginDeferring}/{@link #endDeferring} (the state machine's lock), a thread's writes are queued and
 * waited for when the section ends, after the lock is released: the engine lock is never held across an fsync.
 *
 * <p>Each write says how it is committed: state changes at {@code synchronous=FULL} (the write-ahead log is forced
 * at the commit), the periodic progress records (checkpoints, checksummed ranges) at
 * {@code NORMAL} (forced only by the next FULL commit or WAL checkpoint), because those only need to outlive the
 * agent. A batch with one FULL write is committed FULL. The log is appended in commit order, so forcing it for a
 * state change also forces every record before it; a power cut can lose only the newest NORMAL records (the newest
 * progress, after which the engine resumes from older progress), and SQLite's
 * recovery never applies a commit without the ones before it. One connection does all of it, under this object's
 * lock, with its statements prepared once.
 */
final class JobStore implements AutoCloseable {
    /** The schema version this code writes. */
    static final int SCHEMA_VERSION = StoreSchema.CURRENT.latest();

    private final Path file;
    /** Every read and write, under this object's lock. */
    private final Connection db;
    /** False where SQLite could not use a write-ahead log: then every commit is FULL. */
    private final boolean wal;
    /** The {@code synchronous} setting the connection has now (FULL at open). Guarded by this. */
    private boolean fullNow = true;
    /**
     * The statements of the writes, prepared at the first commit (a store opened with an older schema, as tests do,
     * has not the columns they name) and kept. Guarded by this.
     */
    private ProgressRecords progressRecords;
    private PreparedStatement saveJobStatement;
    private PreparedStatement saveFileStatement;
    private PreparedStatement tempIdentityStatement;
    private PreparedStatement clearSegmentsStatement;
    private PreparedStatement deleteJobStatement;
    private PreparedStatement deleteSegmentsStatement;

    /** The queue of the group commit; its fields are guarded by it. */
    private final Object queueLock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedSeq;
    private long committedSeq;
    private boolean committing;
    private boolean closed;
    private final ThreadLocal<Deferral> deferral = ThreadLocal.withInitial(Deferral::new);

    /** One write of the queue: its values were copied when it was queued; applied by whoever commits it. */
    @FunctionalInterface
    private interface Write {
        void apply() throws SQLException;
    }

    private static final class Pending {
        final Write write;
        final boolean durable;
        final String what;
        final long seq;
        /** The write its thread queued before it in the same deferred section, if any (its failure is reported too). */
        Pending earlier;
        /** Set before {@link #committedSeq} passes {@link #seq}; null when committed. */
        Throwable failure;

        Pending(Write write, boolean durable, String what, long seq) {
            this.write = write;
            this.durable = durable;
            this.what = what;
            this.seq = seq;
        }
    }

    /** A thread's deferral: on between begin and end; the last write it queued meanwhile. */
    private static final class Deferral {
        int depth;
        Pending last;
    }

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
        try {
            main = StoreConnections.readWrite(this.file, false, true);
            schema.migrate(main, version, this.file);
            // Writes the header: a store SQLite could open only for reading (a file system, permissions or flags
            // jbits did not see) fails here, at open, rather than at the first state change.
            try (Statement st = main.createStatement()) {
                st.execute("PRAGMA user_version = " + schema.latest());
                try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                    wal = rs.next() && "wal".equalsIgnoreCase(rs.getString(1));
                }
            }
        } catch (SQLException | RuntimeException e) {
            StoreConnections.closeQuietly(main);
            if (e instanceof SQLException sql && StoreErrors.isReadOnly(sql)) {
                throw StoreErrors.unwritable(this.file, "cannot be written (" + sql.getMessage() + ")",
                        StoreFile.WRITE_ADVICE, sql);
            }
            throw e instanceof SQLException sql ? StoreErrors.of("opening the job store", this.file, sql)
                    : (RuntimeException) e;
        }
        db = main;
    }

    private BitsException storeError(String what, SQLException e) {
        return StoreErrors.of(what, file, e);
    }

    private static final String JOB_COLUMNS = "id, seq, type, state, owner, display_name, description, priority,"
            + " notify_flags, notify_cmdline, min_retry_delay, no_progress_timeout, max_download_time, cost_flags,"
            + " proxy_usage, proxy_list, proxy_bypass, created, modified, completed, error_context, error_hresult,"
            + " error_description, error_file, error_count, no_progress_since, active_millis, file_mode,"
            + " custom_headers, headers_write_only, security_flags, trusted_certificates, client_certificate,"
            + " client_certificate_password, notify_pending, dynamic_content, high_performance, max_download_size,"
            + " min_notify_interval, acl_flags, ever_resumed, on_demand";
    /**
     * An upsert, not INSERT OR REPLACE: REPLACE deletes the old row first, and the foreign key's ON DELETE
     * CASCADE then deletes every file of the job.
     */
    private static final String SAVE_JOB = "INSERT INTO jobs(" + JOB_COLUMNS + ") VALUES("
            + "?,".repeat(41) + "?) ON CONFLICT(id) DO UPDATE SET "
            + Arrays.stream(JOB_COLUMNS.split(",\\s*")).filter(c -> !c.equals("id"))
                    .map(c -> c + "=excluded." + c).collect(Collectors.joining(", "));

    private static final String SAVE_FILE = """
            INSERT OR REPLACE INTO files(job_id, idx, remote, local, temp, bytes_total, checkpoint, validator, completed,
                                         temp_dev, temp_ino, temp_birth, dir_dev, dir_ino, dir_birth, url_user,
                                         url_password, expected_sha256, sha256, ranges, response_headers,
                                         requested_ranges, filled_ranges, download_position)
            VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""";

    /** The job row's values, copied now (the record changes on under the engine lock after the write is queued). */
    private static Object[] jobRow(JobRecord j) {
        return new Object[] {
            j.id.toString(), j.sequence, j.type.value(), j.state.value(), j.owner, j.displayName, j.description,
            j.priority.value(), j.notifyFlags,
            NotifyColumn.encode(j.notifyProgram, j.notifyParameters),
            j.minimumRetryDelaySeconds, j.noProgressTimeoutSeconds, j.maximumDownloadTimeSeconds, j.costFlags,
            j.proxy.usage().value(), String.join(" ", j.proxy.proxyList()), String.join(" ", j.proxy.bypassList()),
            j.created.toEpochMilli(), j.modified.toEpochMilli(), millis(j.completedAt), j.errorContext.value(),
            j.errorHresult, j.errorDescription, j.errorFile, j.errorCount, millis(j.noProgressSince),
            j.activeMillis, j.fileMode == null ? null : j.fileMode.longValue(), j.customHeaders,
            j.headersWriteOnly ? 1 : 0, j.securityFlags, j.trustedCertificates,
            j.clientCertificate == null ? null : j.clientCertificate.clone(), j.clientCertificatePassword,
            j.notifyPending ? 1 : 0, j.dynamicContent ? 1 : 0, j.highPerformance ? 1 : 0, j.maxDownloadSize,
            j.minNotifyIntervalMillis, j.aclFlags, j.everResumed ? 1 : 0, j.onDemand ? 1 : 0};
    }

    private static Object[] fileRow(UUID jobId, FileRecord f) {
        Credentials c = f.urlCredentials;
        FileIdentity t = f.tempId;
        FileIdentity d = f.dirId;
        return new Object[] {
            jobId.toString(), f.index, f.remoteName, f.localName, f.tempName, f.bytesTotal, f.checkpoint, f.validator,
            f.completed ? 1 : 0, t == null ? null : t.device(), t == null ? null : t.inode(),
            t == null ? null : t.birthNanos(), d == null ? null : d.device(), d == null ? null : d.inode(),
            d == null ? null : d.birthNanos(), c == null ? null : c.userName(), c == null ? null : c.password(),
            f.expectedSha256, f.sha256, RangesColumn.encode(f.ranges), f.responseHeaders,
            f.requested.isEmpty() ? null : RangesColumn.encode(f.requested.toRanges()),
            f.filled.isEmpty() ? null : RangesColumn.encode(f.filled.toRanges()), f.downloadPosition};
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    /** Binds {@code values} (String, Integer, Long, byte[] or null) to the statement's parameters and runs it. */
    private static void run(PreparedStatement ps, Object[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == null) {
                ps.setNull(i + 1, java.sql.Types.NULL);
            } else if (v instanceof String str) {
                ps.setString(i + 1, str);
            } else if (v instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else if (v instanceof byte[] bytes) {
                ps.setBytes(i + 1, bytes);
            } else {
                ps.setLong(i + 1, (Long) v);
            }
        }
        ps.executeUpdate();
    }

    /** Inserts or updates the job's row (not its files). */
    void saveJob(JobRecord j) {
        Object[] row = jobRow(j);
        write(true, "saving job " + j.id, () -> run(saveJobStatement, row));
    }

    /** The column as a Long, null for SQL NULL. */
    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** Updates the job's row and replaces its credentials, in one transaction. */
    void saveJobAndCredentials(JobRecord j) {
        Object[] row = jobRow(j);
        String id = j.id.toString();
        List<Object[]> credentials = new ArrayList<>();
        for (var byTarget : j.credentials.entrySet()) {
            for (var c : byTarget.getValue().entrySet()) {
                credentials.add(new Object[] {id, byTarget.getKey().value(), c.getKey().value(),
                    c.getValue().userName(), c.getValue().password()});
            }
        }
        write(true, "saving the credentials of job " + j.id, () -> {
            run(saveJobStatement, row);
            try (PreparedStatement del = db.prepareStatement("DELETE FROM credentials WHERE job_id=?");
                 PreparedStatement ins = db.prepareStatement(
                         "INSERT INTO credentials(job_id, target, scheme, user_name, password) VALUES(?,?,?,?,?)")) {
                del.setString(1, id);
                del.executeUpdate();
                for (Object[] c : credentials) {
                    run(ins, c);
                }
            }
        });
    }

    /**
     * Inserts the job's row and all its file rows (and an upload job's upload row) in one transaction, committed
     * {@code synchronous=FULL}: a job is durable when CreateJob returns, files or not (group commit shares the fsync
     * between concurrent callers; it does not weaken what each caller is promised).
     */
    void insertJob(JobRecord j) {
        Object[] row = jobRow(j);
        List<Object[]> files = new ArrayList<>(j.files.size());
        for (FileRecord f : j.files) {
            files.add(fileRow(j.id, f));
        }
        Write upload = j.upload == null ? null : uploadWrite(j);
        write(true, "saving job " + j.id, () -> {
            run(saveJobStatement, row);
            for (Object[] f : files) {
                run(saveFileStatement, f);
            }
            if (upload != null) {
                upload.apply();
            }
        });
    }

    /** The upload row and the reply's file row of an upload job, copied now. */
    private Write uploadWrite(JobRecord j) {
        UploadRecord u = j.upload;
        UploadSession session = u.session;
        FileIdentity source = u.sourceId;
        Object[] reply = u.reply == null ? null : fileRow(j.id, u.reply);
        return () -> {
            UploadRecords.save(db, j.id, session, source);
            if (reply != null) {
                run(saveFileStatement, reply);
            }
        };
    }

    /** Inserts or replaces an upload job's upload row: its session and its local file's identity. */
    void saveUpload(UUID jobId, UploadRecord u) {
        UploadSession session = u.session;
        FileIdentity source = u.sourceId;
        write(true, "saving the upload session of job " + jobId, () -> UploadRecords.save(db, jobId, session, source));
    }

    /**
     * An upload job's state in one transaction: its job row (with {@code withJob}), the file row of {@code file},
     * its upload row, and its reply's file row.
     */
    void saveUploadState(JobRecord j, FileRecord file, boolean withJob) {
        Object[] row = withJob ? jobRow(j) : null;
        Object[] fileRow = file == null ? null : fileRow(j.id, file);
        Write upload = uploadWrite(j);
        write(true, "saving the upload session of job " + j.id, () -> {
            if (row != null) {
                run(saveJobStatement, row);
            }
            if (fileRow != null) {
                run(saveFileStatement, fileRow);
            }
            upload.apply();
        });
    }

    /** Forgets an upload-reply job's reply file row (its name changed before any of it was kept). */
    void deleteReply(UUID jobId) {
        write(true, "saving the reply of job " + jobId, () -> {
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM files WHERE job_id=? AND idx=?");
                 PreparedStatement segs = db.prepareStatement("DELETE FROM segments WHERE job_id=? AND idx=?")) {
                for (PreparedStatement p : List.of(ps, segs)) {
                    p.setString(1, jobId.toString());
                    p.setInt(2, UploadRecord.REPLY_INDEX);
                    p.executeUpdate();
                }
            }
        });
    }

    /** Adds or replaces one file row and the job row, atomically. */
    void saveJobAndFile(JobRecord j, FileRecord f) {
        saveJobAndFiles(j, List.of(f));
    }

    /** The job row and several new file rows, in one transaction. */
    void saveJobAndFiles(JobRecord j, List<FileRecord> files) {
        Object[] row = jobRow(j);
        List<Object[]> rows = new ArrayList<>(files.size());
        for (FileRecord f : files) {
            rows.add(fileRow(j.id, f));
        }
        write(true, "saving job " + j.id, () -> {
            run(saveJobStatement, row);
            for (Object[] f : rows) {
                run(saveFileStatement, f);
            }
        });
    }

    void saveFile(UUID jobId, FileRecord f) {
        Object[] row = fileRow(jobId, f);
        write(true, "saving a file of job " + jobId, () -> run(saveFileStatement, row));
    }

    /**
     * Records the identity (device, inode, birth time) of a file's temporary file, once created; committed with an
     * fsync like a state change, since the engine trusts the file's bytes by it.
     */
    void saveTempFileIdentity(UUID jobId, FileRecord f) {
        FileIdentity id = f.tempId;
        Object[] values = {id == null ? null : id.device(), id == null ? null : id.inode(),
            id == null ? null : id.birthNanos(), jobId.toString(), f.index};
        write(true, "saving the temporary file of job " + jobId, () -> run(tempIdentityStatement, values));
    }

    /**
     * Records a file's checkpoint: the bytes forced to disk, the size, and the validator they belong to; the
     * ranges behind it are forgotten in the same transaction.
     *
     * @param durable commit with an fsync ({@code synchronous=FULL}); false for the periodic progress records,
     *     which only need to survive the agent (a power cut may lose the newest ones, and the engine then resumes
     *     from an older checkpoint whose bytes were forced to disk before it was written)
     */
    void saveCheckpoint(UUID jobId, FileRecord f, boolean durable) {
        ProgressRecords.Checkpoint c = ProgressRecords.checkpoint(jobId, f);
        write(durable, "saving progress of job " + jobId, () -> progressRecords.saveCheckpoint(c));
    }

    /**
     * Records that {@code [start, end)} of a file was written past its checkpoint, with the bytes' CRC-32C. Not
     * forced ({@code synchronous=NORMAL}): it needs to outlive the agent, not a power cut, because nothing trusts
     * it without reading the bytes back (see {@link Segments#verify}).
     */
    void addSegment(UUID jobId, int index, long start, long end, long crc32c) {
        String id = jobId.toString();
        write(false, "saving progress of job " + jobId,
                () -> progressRecords.addSegment(id, index, start, end, crc32c));
    }

    /** The recorded ranges of a file past its checkpoint, in file order. */
    List<Segments.Segment> segments(UUID jobId, int index) {
        flush();
        synchronized (this) {
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
    }

    /**
     * Forgets a file's ranges past its checkpoint (the file was cut back or restarted). Not forced: the ranges are
     * checked against the bytes before anything trusts them.
     */
    void clearSegments(UUID jobId, int index) {
        Object[] values = {jobId.toString(), index};
        write(false, "saving progress of job " + jobId, () -> run(clearSegmentsStatement, values));
    }

    /**
     * Records the headers of a file's last HTTP response (File5): once per response, not forced (they are what the
     * server said last, which the next response says again).
     */
    void saveResponseHeaders(UUID jobId, FileRecord f) {
        Object[] values = {f.responseHeaders, jobId.toString(), f.index};
        write(false, "saving the response headers of job " + jobId, () -> {
            try (PreparedStatement ps = db.prepareStatement(
                    "UPDATE files SET response_headers=? WHERE job_id=? AND idx=?")) {
                run(ps, values);
            }
        });
    }

    /** A durable checkpoint record. */
    void saveCheckpoint(UUID jobId, FileRecord f) {
        saveCheckpoint(jobId, f, true);
    }

    void deleteJob(UUID id) {
        Object[] values = {id.toString()};
        write(true, "deleting job " + id, () -> {
            run(deleteJobStatement, values);
            run(deleteSegmentsStatement, values);
        });
    }

    // ---------------------------------------------------------------- the group commit

    /**
     * From here until the matching {@link #endDeferring}, this thread's writes are queued and not waited for (the
     * state machine calls this when it takes its lock). Nests.
     */
    void beginDeferring() {
        deferral.get().depth++;
    }

    /**
     * Ends a {@link #beginDeferring} section; the outermost waits until every write the thread queued in it is
     * committed, and throws the store's error for the first that failed (after the lock it guarded is released).
     */
    void endDeferring() {
        Deferral d = deferral.get();
        if (--d.depth > 0) {
            return;
        }
        Pending last = d.last;
        d.last = null;
        if (last != null) {
            await(last);
        }
    }

    /** Queues a write; waits for its commit unless this thread defers. */
    private void write(boolean durable, String what, Write w) {
        Pending p;
        synchronized (queueLock) {
            if (closed) {
                throw new BitsException(org.jbits.HResult.E_UNEXPECTED, "the job store " + file + " is closed");
            }
            p = new Pending(w, durable || !wal, what, ++queuedSeq);
            queue.add(p);
        }
        Deferral d = deferral.get();
        if (d.depth > 0) {
            // Not waited for alone: the thread's last write is, and a commit covers every write queued before it.
            Pending earlier = d.last;
            d.last = p;
            if (earlier != null) {
                p.earlier = earlier;
            }
        } else {
            await(p);
        }
    }

    /**
     * Returns once {@code p} is committed: leads a commit of everything queued when none is under way, else waits
     * for the one that is (and leads the next if {@code p} was not in it). Not cut short by an interrupt: the
     * caller was promised a committed write.
     */
    private void await(Pending p) {
        List<Pending> batch = null;
        boolean interrupted = false;
        synchronized (queueLock) {
            while (committedSeq < p.seq && committing) {
                try {
                    queueLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (committedSeq < p.seq) {
                committing = true;
                batch = new ArrayList<>(queue);
                queue.clear();
            }
        }
        if (batch != null) {
            Throwable failure = null;
            try {
                commit(batch);
            } catch (SQLException | RuntimeException | Error e) {
                failure = e;
                if (e instanceof Error err && !(e instanceof OutOfMemoryError)) {
                    finishBatch(batch, e);
                    throw err;
                }
            }
            finishBatch(batch, failure);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable failure = firstFailure(p);
        if (failure != null) {
            if (failure instanceof SQLException sql) {
                throw storeError(p.what, sql);
            }
            throw new BitsException(org.jbits.HResult.E_FAIL, p.what + " in the job store " + file + " failed: "
                    + failure, failure);
        }
    }

    /** The failure of {@code p} or of a write its thread queued before it in the same deferred section. */
    private Throwable firstFailure(Pending p) {
        synchronized (queueLock) {
            Throwable first = null;
            for (Pending q = p; q != null; q = q.earlier) {
                if (q.failure != null) {
                    first = q.failure;
                }
            }
            return first;
        }
    }

    private void finishBatch(List<Pending> batch, Throwable failure) {
        synchronized (queueLock) {
            for (Pending q : batch) {
                q.failure = failure;
            }
            committedSeq = batch.get(batch.size() - 1).seq;
            committing = false;
            queueLock.notifyAll();
        }
    }

    /** One transaction of every write in {@code batch}, in order; FULL when one of them asks for it. */
    private synchronized void commit(List<Pending> batch) throws SQLException {
        prepare();
        boolean full = false;
        for (Pending q : batch) {
            full |= q.durable;
        }
        if (full != fullNow) {
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA synchronous=" + (full ? "FULL" : "NORMAL"));
            }
            fullNow = full;
        }
        // BEGIN and COMMIT by hand, the connection left in auto-commit: SQLite may end a transaction itself when a
        // commit fails (a full disk), and the driver's own bookkeeping would then fail the next one, or hide the
        // error under "no transaction is active".
        try (Statement st = db.createStatement()) {
            st.execute("BEGIN");
            try {
                for (Pending q : batch) {
                    q.write.apply();
                }
                st.execute("COMMIT");
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    st.execute("ROLLBACK");
                } catch (SQLException r) {
                    // "no transaction is active" when SQLite ended it already
                    e.addSuppressed(r);
                }
                throw e;
            }
        }
    }

    /** Prepares the write statements once. Call with this object's lock held. */
    private void prepare() throws SQLException {
        if (saveJobStatement != null) {
            return;
        }
        progressRecords = new ProgressRecords(db);
        saveFileStatement = db.prepareStatement(SAVE_FILE);
        tempIdentityStatement = db.prepareStatement(
                "UPDATE files SET temp_dev=?, temp_ino=?, temp_birth=? WHERE job_id=? AND idx=?");
        clearSegmentsStatement = db.prepareStatement("DELETE FROM segments WHERE job_id=? AND idx=?");
        deleteJobStatement = db.prepareStatement("DELETE FROM jobs WHERE id=?");
        deleteSegmentsStatement = db.prepareStatement("DELETE FROM segments WHERE job_id=?");
        saveJobStatement = db.prepareStatement(SAVE_JOB);
    }

    /** The sequence number of the last write queued so far (for {@link #awaitCommitted}). */
    long queuedSoFar() {
        synchronized (queueLock) {
            return queuedSeq;
        }
    }

    /** Waits until every write up to {@code seq} ({@link #queuedSoFar}) has been committed, or has failed. */
    void awaitCommitted(long seq) {
        Pending target = null;
        synchronized (queueLock) {
            if (committedSeq >= seq) {
                return;
            }
            for (Pending q : queue) {
                if (q.seq >= seq) {
                    target = q;
                    break;
                }
            }
        }
        if (target == null) {
            // Taken by a commit under way: wait for it.
            synchronized (queueLock) {
                boolean interrupted = false;
                while (committedSeq < seq && committing) {
                    try {
                        queueLock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return;
        }
        try {
            await(target);
        } catch (BitsException e) {
            // Its caller has the error.
        }
    }

    /** Waits until every write queued so far is committed (before a read, which must see them). */
    private void flush() {
        Pending last;
        synchronized (queueLock) {
            last = queue.peekLast();
        }
        if (last != null) {
            try {
                await(last);
            } catch (BitsException e) {
                // The write's own caller has its error; the read goes on with what is committed.
            }
        }
    }

    /** Every stored job with its files, in creation order. */
    List<JobRecord> loadAll() {
        flush();
        synchronized (this) {
            return loadAllCommitted();
        }
    }

    private List<JobRecord> loadAllCommitted() {
        Map<String, JobRecord> jobs = new LinkedHashMap<>();
        try (Statement st = db.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT * FROM jobs ORDER BY seq")) {
                while (rs.next()) {
                    // Per job memory: the owner (one user's, nearly always) and an empty description shared.
                    JobRecord j = new JobRecord(UUID.fromString(rs.getString("id")), JobType.of(rs.getInt("type")),
                            shared(rs.getString("owner")), rs.getString("display_name"),
                            Instant.ofEpochMilli(rs.getLong("created")));
                    j.sequence = rs.getLong("seq");
                    j.state = JobState.of(rs.getInt("state"));
                    String description = rs.getString("description");
                    j.description = description != null && description.isEmpty() ? "" : description;
                    j.priority = JobPriority.of(rs.getInt("priority"));
                    j.notifyFlags = rs.getInt("notify_flags");
                    j.minimumRetryDelaySeconds = rs.getLong("min_retry_delay");
                    j.noProgressTimeoutSeconds = rs.getLong("no_progress_timeout");
                    j.maximumDownloadTimeSeconds = rs.getLong("max_download_time");
                    j.costFlags = rs.getInt("cost_flags");
                    ProxySettings proxy = new ProxySettings(ProxyUsage.of(rs.getInt("proxy_usage")),
                            split(rs.getString("proxy_list")), split(rs.getString("proxy_bypass")));
                    // The default, as nearly every job has it, is one object for all of them.
                    j.proxy = proxy.equals(ProxySettings.DEFAULT) ? ProxySettings.DEFAULT : proxy;
                    long modified = rs.getLong("modified");
                    j.modified = modified == j.created.toEpochMilli() ? j.created : Instant.ofEpochMilli(modified);
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
                    j.customHeaders = rs.getString("custom_headers");
                    j.headersWriteOnly = rs.getInt("headers_write_only") != 0;
                    j.securityFlags = rs.getInt("security_flags");
                    j.trustedCertificates = rs.getString("trusted_certificates");
                    j.clientCertificate = rs.getBytes("client_certificate");
                    j.clientCertificatePassword = rs.getString("client_certificate_password");
                    String[] notify = NotifyColumn.decode(rs.getString("notify_cmdline"));
                    j.notifyProgram = notify[0];
                    j.notifyParameters = notify[1];
                    j.notifyPending = rs.getInt("notify_pending") != 0;
                    j.dynamicContent = rs.getInt("dynamic_content") != 0;
                    j.onDemand = rs.getInt("on_demand") != 0;
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
                    f.expectedSha256 = rs.getString("expected_sha256");
                    f.sha256 = rs.getString("sha256");
                    f.ranges = RangesColumn.decode(rs.getString("ranges"));
                    f.responseHeaders = rs.getString("response_headers");
                    f.requested = RangeSet.of(RangesColumn.decode(rs.getString("requested_ranges")));
                    f.filled = RangeSet.of(RangesColumn.decode(rs.getString("filled_ranges")));
                    f.downloadPosition = rs.getLong("download_position");
                    if (f.completed && f.expectedSha256 != null && f.sha256 == null) {
                        // Transferred but not checked yet (the agent stopped in between): checked when the job runs.
                        f.completed = false;
                    }
                    if (f.index == UploadRecord.REPLY_INDEX) {
                        if (j.upload != null) {
                            j.upload.reply = f;
                        }
                    } else if (f.index >= 0) {
                        f.uploadSource = j.upload != null;
                        j.files.add(f);
                    }
                }
            }
            UploadRecords.load(db, jobs);
            try (ResultSet rs = st.executeQuery("SELECT * FROM credentials ORDER BY job_id, target, scheme")) {
                while (rs.next()) {
                    JobRecord j = jobs.get(rs.getString("job_id"));
                    if (j == null) {
                        continue;
                    }
                    org.jbits.AuthScheme scheme = org.jbits.AuthScheme.of(rs.getInt("scheme"));
                    j.credentials.computeIfAbsent(org.jbits.AuthTarget.of(rs.getInt("target")),
                            t -> new java.util.EnumMap<>(org.jbits.AuthScheme.class))
                            .put(scheme, JobCredentials.of(scheme, rs.getString("user_name"), rs.getString("password")));
                }
            }
        } catch (SQLException e) {
            throw storeError("reading the job store", e);
        }
        return new ArrayList<>(jobs.values());
    }

    /** {@code <prefix>_dev}, {@code _ino}, {@code _birth}; null when not recorded. */
    private static FileIdentity identity(ResultSet rs, String prefix) throws SQLException {
        Long dev = nullableLong(rs, prefix + "_dev");
        Long ino = nullableLong(rs, prefix + "_ino");
        Long birth = nullableLong(rs, prefix + "_birth");
        return dev == null || ino == null ? null : new FileIdentity(dev, ino, birth == null ? 0 : birth);
    }

    /** The owner's name, one String for every job of that owner. */
    private static String shared(String owner) {
        return owner == null ? null : owner.intern();
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }

    /** Commits what is queued, then closes; a write after this fails. */
    @Override
    public void close() {
        flush();
        synchronized (queueLock) {
            closed = true;
        }
        flush();
        synchronized (this) {
            try {
                if (progressRecords != null) {
                    progressRecords.close();
                }
                for (PreparedStatement ps : java.util.Arrays.asList(saveJobStatement, saveFileStatement,
                        tempIdentityStatement, clearSegmentsStatement, deleteJobStatement, deleteSegmentsStatement)) {
                    if (ps != null) {
                        ps.close();
                    }
                }
                db.close();
            } catch (SQLException e) {
                throw storeError("closing the job store", e);
            }
        }
    }
}
