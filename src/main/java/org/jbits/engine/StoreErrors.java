package org.jbits.engine;

import java.nio.file.Path;
import java.sql.SQLException;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * The job store's failures as BITS errors: the HRESULT says what went wrong (a damaged file, a store that cannot
 * be written, a full disk) and the message names the store's file and, at open, what the admin can do.
 */
final class StoreErrors {
    /** What an admin can do with a damaged store; jbits itself never moves or rewrites it. */
    static final String SALVAGE_OR_MOVE_ASIDE = "jbits left it untouched and opened nothing. Salvage its jobs from"
            + " a copy (sqlite3 copy.db .recover), or move it aside with its -wal file to start with no jobs"
            + " (mv jobs.db jobs.db.bad; mv jobs.db-wal jobs.db.bad-wal)";

    // SQLite's primary result codes (sqlite3.h).
    private static final int SQLITE_PERM = 3;
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_FULL = 13;
    private static final int SQLITE_CANTOPEN = 14;
    private static final int SQLITE_NOTADB = 26;

    private StoreErrors() {
    }

    /** A failed store operation: "{@code what} in {@code file} failed: (SQLite's message)". */
    static BitsException of(String what, Path file, SQLException e) {
        return new BitsException(hresult(e), what + " in " + file + " failed: " + e.getMessage(), e);
    }

    /** A damaged store, which jbits refuses to open. */
    static BitsException refused(Path file, String problem) {
        return refused(file, problem, SALVAGE_OR_MOVE_ASIDE);
    }

    /** A store jbits refuses to open as it is: damaged, or not one it can read; {@code advice} says what next. */
    static BitsException refused(Path file, String problem, String advice) {
        return new BitsException(HResult.BG_E_DATABASE_CORRUPT, "the job store " + file + " " + problem + "; " + advice);
    }

    /**
     * A store jbits may not write: it commits every state change before reporting it, so it does not start.
     * {@code advice} says what to do.
     */
    static BitsException unwritable(Path file, String problem, String advice, Throwable cause) {
        return new BitsException(HResult.E_ACCESSDENIED, "the job store " + file + " " + problem
                + ": jbits commits every job change to it before reporting it, so it does not start. " + advice, cause);
    }

    /** True when SQLite found the file damaged or not a database at all. */
    static boolean isCorruption(SQLException e) {
        int code = primary(e);
        return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
    }

    /** True when SQLite may not write the file (read-only file system, permissions, immutable file). */
    static boolean isReadOnly(SQLException e) {
        int code = primary(e);
        return code == SQLITE_READONLY || code == SQLITE_PERM || code == SQLITE_CANTOPEN;
    }

    private static int hresult(SQLException e) {
        int code = primary(e);
        if (isReadOnly(e)) {
            return HResult.E_ACCESSDENIED;
        }
        if (code == SQLITE_FULL) {
            return HResult.ERROR_DISK_FULL;
        }
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
            return HResult.ERROR_SHARING_VIOLATION;
        }
        // Damage, I/O errors and anything unforeseen: the store cannot be used as it is.
        return HResult.BG_E_DATABASE_CORRUPT;
    }

    /** sqlite-jdbc reports the result code as the vendor code; the low byte is the primary code. */
    private static int primary(SQLException e) {
        return e.getErrorCode() & 0xFF;
    }
}
