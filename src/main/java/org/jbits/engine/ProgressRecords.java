package org.jbits.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The records a transfer writes as it goes: a file's checkpoint (which drops the ranges it passed) and the
 * checksummed ranges written past it. The statements are prepared once: a transfer makes these calls several times
 * a second. The caller ({@link JobStore}) runs them inside its commit, one thread at a time.
 */
final class ProgressRecords implements AutoCloseable {
    private final PreparedStatement checkpoint;
    private final PreparedStatement rangesBehind;
    private final PreparedStatement range;

    /** A file's checkpoint as it was when the write was queued. */
    record Checkpoint(String jobId, int index, long bytesTotal, long offset, String validator, boolean completed) {
    }

    ProgressRecords(Connection db) throws SQLException {
        checkpoint = db.prepareStatement(
                "UPDATE files SET bytes_total=?, checkpoint=?, validator=?, completed=? WHERE job_id=? AND idx=?");
        // start_offset < checkpoint is implied by end_offset <= checkpoint; stated so the primary key's index finds
        // the rows instead of a scan of every range of the file.
        rangesBehind = db.prepareStatement(
                "DELETE FROM segments WHERE job_id=? AND idx=? AND start_offset<? AND end_offset<=?");
        range = db.prepareStatement(
                "INSERT OR REPLACE INTO segments(job_id, idx, start_offset, end_offset, crc32c) VALUES(?,?,?,?,?)");
    }

    static Checkpoint checkpoint(UUID jobId, FileRecord f) {
        return new Checkpoint(jobId.toString(), f.index, f.bytesTotal, f.checkpoint, f.validator, f.completed);
    }

    /** Records the file's checkpoint and forgets the ranges behind it (inside the caller's transaction). */
    void saveCheckpoint(Checkpoint c) throws SQLException {
        checkpoint.setLong(1, c.bytesTotal());
        checkpoint.setLong(2, c.offset());
        checkpoint.setString(3, c.validator());
        checkpoint.setInt(4, c.completed() ? 1 : 0);
        checkpoint.setString(5, c.jobId());
        checkpoint.setInt(6, c.index());
        checkpoint.executeUpdate();
        rangesBehind.setString(1, c.jobId());
        rangesBehind.setInt(2, c.index());
        rangesBehind.setLong(3, c.offset());
        rangesBehind.setLong(4, c.offset());
        rangesBehind.executeUpdate();
    }

    /** Records that {@code [start, end)} of file {@code index} holds bytes whose CRC-32C is {@code crc32c}. */
    void addSegment(String jobId, int index, long start, long end, long crc32c) throws SQLException {
        range.setString(1, jobId);
        range.setInt(2, index);
        range.setLong(3, start);
        range.setLong(4, end);
        range.setLong(5, crc32c);
        range.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
        range.close();
        rangesBehind.close();
        checkpoint.close();
    }
}
