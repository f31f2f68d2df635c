package org.jbits.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code get --all-users} (EnumJobs with BG_JOB_ENUM_ALL_USERS) for the portable engine: root's own jobs, then the
 * jobs of every other local user (the accounts in {@code /etc/passwd}) whose default state directory,
 * {@code HOME/.local/state/jbits}, holds a store. Only root may (E_ACCESSDENIED otherwise, as BITS needs an
 * administrator); the other users' jobs are read-only views ({@link StoredJob}).
 *
 * <p>Another user's store is read without writing anything of theirs and without disturbing their agent: SQLite would
 * write their {@code jobs.db-shm} (read marks, the WAL index) even for a read-only connection, and as root it may
 * create a {@code -wal} or {@code -shm} there. So the store and its write-ahead log are copied, by plain reads
 * (opened with O_NOFOLLOW, only regular files owned by that user), into a private 0700 directory, and the copy is
 * opened there. The copy is consistent when the log's header (its salts and checkpoint sequence) and the store's
 * size and modification time are the same before and after: an agent writing meanwhile only appends frames to the
 * log, which the copy may take or leave (SQLite replays whole transactions only), and a checkpoint writes into the
 * store only pages the log still holds, unless the log was restarted, which changes its salts; then the copy is
 * made again (up to {@link #ATTEMPTS} times). Users whose state is elsewhere ({@code JBITS_HOME},
 * {@code XDG_STATE_HOME}) are not found.
 */
final class OtherUsersJobs {
    private static final Logger log = LoggerFactory.getLogger(OtherUsersJobs.class);
    private static final int ATTEMPTS = 5;
    private static final int WAL_HEADER = 32;
    /** A store larger than this is not copied (a user could fill root's temporary directory with one). */
    private static final long MAX_COPY_BYTES = 1L << 30;

    /** A local account: name, uid, home directory. */
    record Account(String name, int uid, Path home) {
    }

    private OtherUsersJobs() {
    }

    static List<BitsJob> list(PortableEngine engine, List<BitsJob> own) {
        int me = uid();
        if (me != 0) {
            throw new BitsException(HResult.E_ACCESSDENIED, "only root may list every user's jobs (--all-users);"
                    + " you are uid " + me);
        }
        List<BitsJob> out = new ArrayList<>(own);
        Path ownDir = engine.stateDirectory().toAbsolutePath().normalize();
        for (Account a : accounts(Path.of("/etc/passwd"))) {
            if (a.uid() == me) {
                continue;
            }
            Path dir = a.home().resolve(".local/state/jbits");
            if (dir.toAbsolutePath().normalize().equals(ownDir)) {
                continue;
            }
            try {
                out.addAll(read(dir, a));
            } catch (NoSuchFileException none) {
                // this user never used jbits (in its default state directory)
            } catch (IOException | BitsException | IllegalStateException e) {
                log.warn("the jobs of {} in {} cannot be read: {}", a.name(), dir, e.getMessage());
            }
        }
        return out;
    }

    /** The accounts of a passwd file, in its order; malformed lines are skipped. */
    static List<Account> accounts(Path passwd) {
        List<Account> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(passwd)) {
                String[] f = line.split(":", -1);
                if (f.length < 7 || f[0].isEmpty() || f[5].isEmpty() || !f[5].startsWith("/")) {
                    continue;
                }
                try {
                    out.add(new Account(f[0], Integer.parseInt(f[2]), Path.of(f[5])));
                } catch (RuntimeException malformed) {
                    // skipped
                }
            }
        } catch (IOException e) {
            throw new BitsException(HResult.E_FAIL, "cannot read " + passwd + ": " + e.getMessage());
        }
        return out;
    }

    /** The jobs in {@code a}'s state directory {@code dir}, read from a private copy; owned by {@code a}. */
    static List<BitsJob> read(Path dir, Account a) throws IOException {
        PosixFileAttributes d = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!d.isDirectory() || uidOf(dir) != a.uid()) {
            throw new IllegalStateException(dir + " is not a directory of " + a.name());
        }
        Path db = dir.resolve("jobs.db");
        if (!Files.exists(db, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(db.toString());
        }
        Path copy = Files.createTempDirectory("jbits-all-users-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            snapshot(dir, copy, a);
            List<BitsJob> out = new ArrayList<>();
            try (JobStore store = new JobStore(copy.resolve("jobs.db"))) {
                for (JobRecord rec : store.loadAll()) {
                    if (!rec.state.isFinal()) {
                        out.add(new StoredJob(rec, a.name()));
                    }
                }
            }
            return out;
        } finally {
            deleteTree(copy);
        }
    }

    /** Copies jobs.db and jobs.db-wal of {@code dir} consistently into {@code copy}. */
    private static void snapshot(Path dir, Path copy, Account a) throws IOException {
        Path db = dir.resolve("jobs.db");
        Path wal = dir.resolve("jobs.db-wal");
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            byte[] walBefore = walHeader(wal, a);
            String dbBefore = stamp(db);
            copyFile(db, copy.resolve("jobs.db"), a);
            Files.deleteIfExists(copy.resolve("jobs.db-wal"));
            if (walBefore != null) {
                copyFile(wal, copy.resolve("jobs.db-wal"), a);
            }
            byte[] walAfter = walHeader(wal, a);
            if (Arrays.equals(walBefore, walAfter) && dbBefore.equals(stamp(db))) {
                return;
            }
            log.debug("{}: its store changed while it was copied (attempt {}); copying again", dir, attempt);
        }
        throw new IllegalStateException("its store kept changing while it was copied (" + ATTEMPTS + " attempts)");
    }

    private static String stamp(Path p) throws IOException {
        PosixFileAttributes at = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return at.size() + "/" + at.lastModifiedTime().toMillis() + "/" + at.fileKey();
    }

    /** The first 32 bytes of the log, or null when there is none (a log shorter than a header is empty). */
    private static byte[] walHeader(Path wal, Account a) throws IOException {
        try (SeekableByteChannel ch = openOwned(wal, a)) {
            ByteBuffer b = ByteBuffer.allocate(WAL_HEADER);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // read the header
            }
            return b.position() < WAL_HEADER ? new byte[0] : b.array();
        } catch (NoSuchFileException none) {
            return null;
        }
    }

    /** Opens a regular file of {@code a}'s for reading, never through a link. */
    private static SeekableByteChannel openOwned(Path p, Account a) throws IOException {
        SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        try {
            PosixFileAttributes at = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!at.isRegularFile() || uidOf(p) != a.uid()) {
                throw new IllegalStateException(p + " is not a regular file of " + a.name());
            }
            if (ch.size() > MAX_COPY_BYTES) {
                throw new IllegalStateException(p + " is over " + (MAX_COPY_BYTES >> 20) + " MiB");
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static void copyFile(Path from, Path to, Account a) throws IOException {
        try (SeekableByteChannel in = openOwned(from, a);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 16);
            while (in.read(b) > 0) {
                b.flip();
                while (b.hasRemaining()) {
                    out.write(b);
                }
                b.clear();
            }
        }
    }

    private static int uidOf(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int uid() {
        try {
            return (int) new com.sun.security.auth.module.UnixSystem().getUid();
        } catch (LinkageError | RuntimeException notUnix) {
            return -1;
        }
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException | RuntimeException e) {
            log.debug("cannot remove {}: {}", dir, e.toString());
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", dir, e.toString());
        }
    }
}
