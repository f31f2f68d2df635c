package org.jbits.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The records a transfer writes as it goes, on one connection of the store: a file's checkpoint (which drops the
 * ranges it passed) and the checksummed ranges written past it. The statements are prepared once: a transfer
 * makes these calls several times a second. The caller ({@link JobStore}) serialises the calls.
 */
final class ProgressRecords implements AutoCloseable {
    private final Connection db;
    private final PreparedStatement checkpoint;
    private final PreparedStatement rangesBehind;
    private final PreparedStatement range;

    ProgressRecords(Connection db) throws SQLException {
        this.db = db;
        checkpoint = db.prepareStatement(
                "UPDATE files SET bytes_total=?, checkpoint=?, validator=?, completed=? WHERE job_id=? AND idx=?");
        // start_offset < checkpoint is implied by end_offset <= checkpoint; stated so the primary key's index finds
        // the rows instead of a scan of every range of the file.
        rangesBehind = db.prepareStatement(
                "DELETE FROM segments WHERE job_id=? AND idx=? AND start_offset<? AND end_offset<=?");
        range = db.prepareStatement(
                "INSERT OR REPLACE INTO segments(job_id, idx, start_offset, end_offset, crc32c) VALUES(?,?,?,?,?)");
    }

    /** Records the file's checkpoint and forgets the ranges behind it, in one transaction. */
    void saveCheckpoint(UUID jobId, FileRecord f) throws SQLException {
        db.setAutoCommit(false);
        try {
            checkpoint.setLong(1, f.bytesTotal);
            checkpoint.setLong(2, f.checkpoint);
            checkpoint.setString(3, f.validator);
            checkpoint.setInt(4, f.completed ? 1 : 0);
            checkpoint.setString(5, jobId.toString());
            checkpoint.setInt(6, f.index);
            checkpoint.executeUpdate();
            rangesBehind.setString(1, jobId.toString());
            rangesBehind.setInt(2, f.index);
            rangesBehind.setLong(3, f.checkpoint);
            rangesBehind.setLong(4, f.checkpoint);
            rangesBehind.executeUpdate();
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    /** Records that {@code [start, end)} of file {@code index} holds bytes whose CRC-32C is {@code crc32c}. */
    void addSegment(UUID jobId, int index, long start, long end, long crc32c) throws SQLException {
        range.setString(1, jobId.toString());
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
