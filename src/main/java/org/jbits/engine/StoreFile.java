package org.jbits.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's file as bytes on a file system, checked before SQLite opens it: SQLite takes an empty file for an
 * empty database, so a store truncated to nothing would start an agent with no jobs and no warning.
 *
 * <p>A new store is therefore made whole under another name and renamed into place: a {@code jobs.db} that exists
 * was complete once, and one too short to hold a database is damage, never a fresh start. Only a missing file is.
 */
final class StoreFile {
    private static final Logger log = LoggerFactory.getLogger(StoreFile.class);
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_BYTES = 100;
    /** What to look at when SQLite, not jbits' own checks, finds the store unwritable. */
    static final String WRITE_ADVICE = "Check who may write the state directory, jobs.db and its -wal and -shm files"
            + " (ls -l; lsattr for an immutable flag; mount for a read-only file system)";

    private StoreFile() {
    }

    /**
     * Makes sure {@code file} is a store jbits can open for writing: creates a new one when it is missing, and
     * fails with a clear error when it (or its directory) cannot be written or its header shows damage.
     */
    static void prepare(Path file, StoreSchema schema) {
        Path dir = file.getParent();
        checkWritable(dir, file);
        if (!Files.exists(file)) {
            Path wal = sibling(file, "-wal");
            long walSize = sizeOrZero(wal);
            if (walSize > 0) {
                // The log holds commits the missing file never received: starting empty would lose them.
                throw new BitsException(HResult.BG_E_DATABASE_CORRUPT, "the job store " + file + " is missing but"
                        + " its write-ahead log " + wal + " (" + walSize + " bytes) is there: the store was moved or"
                        + " deleted without it. Put jobs.db back next to it, or move " + wal.getFileName()
                        + " aside to start with no jobs");
            }
            create(file, schema);
            return;
        }
        checkHeader(file);
    }

    /**
     * The store and its directory must be writable: SQLite would open an unwritable store read-only without a word,
     * and the first state change would fail. The reason is the system's (a read-only file system, permissions,
     * an immutable flag), found by trying to open for writing, which changes nothing.
     */
    private static void checkWritable(Path dir, Path file) {
        String user = System.getProperty("user.name");
        if (!Files.isWritable(dir)) {
            String why = whyNotWritable(() -> Files.delete(Files.createTempFile(dir, ".jobs.db.", ".probe")));
            throw StoreErrors.unwritable(file, "is in the state directory " + dir + ", which user " + user
                    + " cannot write (" + why + "; SQLite keeps jobs.db-wal and jobs.db-shm there)", advice(why), null);
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            String why = whyNotWritable(() -> FileChannel.open(file, StandardOpenOption.WRITE).close());
            throw StoreErrors.unwritable(file, "cannot be written by user " + user + " (" + why + ", "
                    + permissions(file) + ")", advice(why), null);
        }
    }

    private interface Attempt {
        void run() throws IOException;
    }

    private static String whyNotWritable(Attempt write) {
        try {
            write.run();
            return "access(2) says it is not writable";
        } catch (FileSystemException e) {
            return e.getReason() != null ? e.getReason() : e.toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String advice(String why) {
        return why.contains("Read-only file system")
                ? "Remount it read-write, or use a state directory on a writable file system"
                : "Give back write permission (chmod u+w), or clear an immutable flag (lsattr; chattr -i)";
    }

    /**
     * The SQLite header and the file's length: whole pages of a valid page size. Deeper damage is for SQLite's
     * integrity check ({@link StoreCheck}).
     */
    private static void checkHeader(Path file) {
        byte[] header = new byte[HEADER_BYTES];
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            ByteBuffer b = ByteBuffer.wrap(header);
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // read until the header is full or the file ends
            }
        } catch (IOException e) {
            throw new BitsException(HResult.E_ACCESSDENIED, "the job store " + file + " cannot be read (" + e + "). "
                    + WRITE_ADVICE, e);
        }
        if (size < HEADER_BYTES) {
            throw StoreErrors.refused(file, "is truncated: " + size + " bytes, less than an SQLite header");
        }
        if (!Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw StoreErrors.refused(file, "is not an SQLite database: it does not start with the SQLite header");
        }
        int pageSize = ((header[16] & 0xFF) << 8) | (header[17] & 0xFF);
        if (pageSize == 1) {
            pageSize = 65_536;
        }
        if (pageSize < 512 || pageSize > 65_536 || Integer.bitCount(pageSize) != 1) {
            throw StoreErrors.refused(file, "has a damaged header: page size " + pageSize);
        }
        // SQLite writes whole pages only, also when a checkpoint is cut short: a partial page is a truncation.
        if (size % pageSize != 0) {
            throw StoreErrors.refused(file, "is truncated: " + size + " bytes, not a whole number of its "
                    + pageSize + "-byte pages");
        }
        // The page count in the header (valid when the version-valid-for number equals the change counter, which
        // SQLite since 3.7.0 always keeps). Only a store without a write-ahead log is whole in its file: with one,
        // a checkpoint cut short may have written page 1 before the pages that make the file longer.
        long pages = readInt(header, 28);
        boolean countValid = pages > 0 && readInt(header, 24) == readInt(header, 92);
        if (countValid && sizeOrZero(sibling(file, "-wal")) == 0 && pages * pageSize > size) {
            throw StoreErrors.refused(file, "is truncated: " + size + " bytes, " + size / pageSize + " of the "
                    + pages + " pages its header counts");
        }
    }

    private static long readInt(byte[] b, int at) {
        return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
    }

    /**
     * Creates the store under a temporary name with every migration applied, forces it, and renames it into
     * place (the engine's directory lock keeps two openers from doing this at once).
     */
    private static void create(Path file, StoreSchema schema) {
        Path fresh = sibling(file, ".new");
        try {
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                // A creation cut short by a crash left these: nothing in them was ever a store.
                Files.deleteIfExists(sibling(fresh, suffix));
            }
            try (Connection db = StoreConnections.readWrite(fresh, true, true)) {
                schema.migrate(db, 0, fresh);
            }
            try (FileChannel ch = FileChannel.open(fresh, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                d.force(true);
            }
            log.info("job store {}: created at schema version {}", file, schema.latest());
        } catch (SQLException e) {
            throw StoreErrors.isReadOnly(e) ? StoreErrors.unwritable(file, "cannot be created (" + e.getMessage() + ")",
                    WRITE_ADVICE, e) : StoreErrors.of("creating the job store", file, e);
        } catch (FileSystemException e) {
            throw StoreErrors.unwritable(file, "cannot be created (" + e.getMessage() + ")", WRITE_ADVICE, e);
        } catch (IOException e) {
            throw new BitsException(HResult.BG_E_DATABASE_CORRUPT, "creating the job store " + file + " failed: " + e, e);
        }
    }

    static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String permissions(Path file) {
        try {
            return "mode " + PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) + ", owner "
                    + Files.getOwner(file).getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "its permissions cannot be read";
        }
    }
}
