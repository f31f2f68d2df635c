package org.jbits.file;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory held open by its handle, so that the files in it are created, opened, renamed and deleted relative to
 * that handle and never through a name another user can swap: a file is opened without following a link, and what
 * was opened (its identity, type, owner, link count) is checked before a byte is written to it; a rename checks
 * what it moves and what it replaces, and then what it produced.
 *
 * <p>This is what keeps an agent that runs as root from being turned against the machine by a user who may write
 * the destination directory (BITS' own CVE-2020-0787 was a rename through a planted link).
 */
public final class SafeDirectory implements AutoCloseable {
    private final Path path;
    private final int fd;
    private final FileIdentity identity;

    /**
     * A name that holds something that is not what the job may write: a link, another user's file, a file with
     * other hard links, a file that replaced the job's own, a replaced directory. Nothing was written through it.
     */
    public static final class NotOursException extends FileSystemException {
        private static final long serialVersionUID = 1L;

        NotOursException(String file, String reason) {
            super(file, null, reason);
        }
    }

    /**
     * A name that now holds another regular file than the one recorded: the file was replaced (an editor that saves
     * by renaming, or someone who swapped it). Nothing was read from it.
     */
    public static final class ReplacedException extends FileSystemException {
        private static final long serialVersionUID = 1L;

        ReplacedException(String file) {
            super(file, null, "is no longer the file it was when it was added to the job (it was replaced)");
        }
    }

    private SafeDirectory(Path path, int fd, FileIdentity identity) {
        this.path = path;
        this.fd = fd;
        this.identity = identity;
    }

    /** Whether this platform offers the calls (Linux on x86-64 or AArch64). */
    public static boolean supported() {
        return Posix.available();
    }

    /**
     * Opens the directory {@code dir}; with {@code expected}, only if it is still the directory it was then (not
     * replaced, not renamed away with another put in its place).
     */
    public static SafeDirectory open(Path dir, FileIdentity expected) throws IOException {
        int fd = Posix.openDirectory(dir.toString());
        try {
            FileIdentity id = Posix.stat(fd).identity();
            if (expected != null && !expected.equals(id)) {
                throw new NotOursException(dir.toString(),
                        "is no longer the directory the job's file was added to (it was replaced or moved)");
            }
            return new SafeDirectory(dir, fd, id);
        } catch (IOException | RuntimeException e) {
            Posix.close(fd);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public FileIdentity identity() {
        return identity;
    }

    /** False once the directory was removed (its handle then names a directory nothing can reach). */
    public boolean isLinked() throws IOException {
        return Posix.stat(fd).nlink() > 0;
    }

    /** What {@code name} is now (a link is not followed), or null when nothing has that name. */
    Posix.Stat stat(String name) throws IOException {
        return Posix.statAt(fd, checkName(name));
    }

    /** Whether something has {@code name}; and if so, describes it ("a symbolic link", "a FIFO", ...). */
    public String describe(String name) throws IOException {
        Posix.Stat st = stat(name);
        return st == null ? null : st.kind();
    }

    /**
     * Creates {@code name}, which must not exist (nothing is followed or reused), with permissions {@code mode}.
     */
    public SafeFile create(String name, int mode) throws IOException {
        int f = Posix.openAt(fd, checkName(name), true, mode);
        return checked(name, f, null);
    }

    /**
     * Opens {@code name} for writing only if it is the file {@code expected} names (null: a file that has no
     * recorded identity yet), a regular file of this user with one link. Anything else is refused, and written to
     * in no way.
     */
    public SafeFile openExisting(String name, FileIdentity expected) throws IOException {
        int f = Posix.openAt(fd, checkName(name), false, 0);
        return checked(name, f, expected);
    }

    /**
     * Opens {@code name} for reading only, if it is a regular file and (with {@code expected}) still the file that
     * identity names. Unlike {@link #openExisting} the file may belong to anyone and have other links: it is a
     * source the user named, not a file the agent wrote. A link is not followed ({@link NotOursException}), anything
     * but a regular file is refused ({@link NotOursException}), another file under the name is refused
     * ({@link ReplacedException}): an agent running as root reads the file it was given, never one swapped in later.
     */
    public SafeFile openForReading(String name, FileIdentity expected) throws IOException {
        int f = Posix.openAtForReading(fd, checkName(name));
        try {
            Posix.Stat st = Posix.stat(f);
            if (!st.isRegular()) {
                throw new NotOursException(path.resolve(name).toString(), "is " + st.kind() + ", not a regular file");
            }
            if (expected != null && !expected.equals(st.identity())) {
                throw new ReplacedException(path.resolve(name).toString());
            }
            return new SafeFile(this, name, f, st.identity());
        } catch (IOException | RuntimeException e) {
            Posix.close(f);
            throw e;
        }
    }

    /** Opens the file {@code expected} names; when nothing has that name any more, creates it anew. */
    public SafeFile openOrCreate(String name, FileIdentity expected, int mode) throws IOException {
        try {
            return openExisting(name, expected);
        } catch (NoSuchFileException gone) {
            try {
                return create(name, mode);
            } catch (FileAlreadyExistsException raced) {
                // Something took the name between the two calls: whatever it is, it is checked like any other.
                return openExisting(name, expected);
            }
        }
    }

    private SafeFile checked(String name, int f, FileIdentity expected) throws IOException {
        try {
            Posix.Stat st = Posix.stat(f);
            String problem = null;
            if (!st.isRegular()) {
                problem = "is " + st.kind() + ", not a regular file";
            } else if (st.uid() != Posix.geteuid()) {
                problem = "belongs to user id " + st.uid() + ", not to this agent's user";
            } else if (st.nlink() != 1) {
                problem = "has " + st.nlink() + " hard links; a file of this agent has one";
            } else if (expected != null && !expected.equals(st.identity())) {
                problem = "is not the file this job created (it was replaced)";
            }
            if (problem != null) {
                throw new NotOursException(path.resolve(name).toString(), problem);
            }
            return new SafeFile(this, name, f, st.identity());
        } catch (IOException | RuntimeException e) {
            Posix.close(f);
            throw e;
        }
    }

    /**
     * Renames the file {@code from} (which must be {@code expected}) to {@code to} in this directory, replacing what
     * has that name if it is a regular file or a link (a link is replaced, never followed); anything else there (a
     * directory, a device, a FIFO, a socket) is refused. Afterwards {@code to} is checked to be {@code expected}:
     * a rename that raced another user's swap fails rather than reporting success.
     */
    public void rename(String from, FileIdentity expected, String to) throws IOException {
        Posix.Stat src = stat(from);
        if (src == null) {
            throw new NoSuchFileException(path.resolve(from).toString(), null, "is gone");
        }
        if (!src.identity().equals(expected) || !src.isRegular()) {
            throw new NotOursException(path.resolve(from).toString(),
                    "is not the file this job wrote (it was replaced by " + src.kind() + ")");
        }
        refuseSpecial(to);
        Posix.renameAt(fd, checkName(from), checkName(to));
        Posix.Stat dst = stat(to);
        if (dst == null || !dst.identity().equals(expected)) {
            throw new NotOursException(path.resolve(to).toString(),
                    "was replaced by another file right after it was moved into place");
        }
    }

    /** Fails when {@code name} exists and is neither a regular file nor a link: jbits never replaces those. */
    public void refuseSpecial(String name) throws IOException {
        Posix.Stat st = stat(name);
        if (st != null && !st.isRegular() && st.type() != Posix.S_IFLNK) {
            throw new NotOursException(path.resolve(name).toString(),
                    "is " + st.kind() + "; jbits replaces only regular files");
        }
    }

    /**
     * Deletes {@code name} if it is the file {@code expected} names (null: any regular file of this user); returns
     * false when nothing had the name. Another user's file put there is left alone (and reported).
     */
    public boolean delete(String name, FileIdentity expected) throws IOException {
        Posix.Stat st = stat(name);
        if (st == null) {
            return false;
        }
        boolean ours = expected != null ? expected.equals(st.identity())
                : st.isRegular() && st.uid() == Posix.geteuid();
        if (!ours) {
            throw new NotOursException(path.resolve(name).toString(),
                    "is not the file this job wrote (" + st.kind() + "); it is left alone");
        }
        Posix.unlinkAt(fd, name);
        return true;
    }

    /**
     * Opens the directory {@code name} in this one through this handle, never following a link: a symbolic link (or
     * anything but a directory) there is refused, so a walk from a trusted directory never leaves it.
     */
    public SafeDirectory openSubdirectory(String name) throws IOException {
        int f = Posix.openDirectoryAt(fd, checkName(name));
        try {
            return new SafeDirectory(path.resolve(name), f, Posix.stat(f).identity());
        } catch (IOException | RuntimeException e) {
            Posix.close(f);
            throw e;
        }
    }

    /** Creates the directory {@code name} (which must not exist) with permissions {@code mode}, and opens it. */
    public SafeDirectory createSubdirectory(String name, int mode) throws IOException {
        Posix.mkdirAt(fd, checkName(name), mode);
        return openSubdirectory(name);
    }

    /**
     * Null when this directory belongs to this process's user and neither its group nor others may write it (so no
     * other user can plant a name in it, or move it elsewhere); otherwise what is wrong, in words.
     */
    public String untrustedReason() throws IOException {
        Posix.Stat st = Posix.stat(fd);
        if (st.uid() != Posix.geteuid()) {
            return "belongs to user id " + st.uid() + ", not to this process's user";
        }
        if ((st.mode() & 0022) != 0) {
            return "may be written by its group or by others (mode " + Integer.toOctalString(st.mode() & 07777) + ")";
        }
        return null;
    }

    /** Sets this directory's permission bits. */
    public void chmod(int mode) throws IOException {
        Posix.chmod(fd, mode);
    }

    /** Forces this directory's entries to disk: a file created or renamed in it survives a power cut. */
    public void force() throws IOException {
        Posix.fsync(fd);
    }

    /** The names in this directory, read through its handle. */
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = java.nio.file.Files.list(Path.of("/proc/self/fd/" + fd))) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    /**
     * As {@link #rename(String, FileIdentity, String)}, but with {@code replace} false the rename fails with
     * {@link FileAlreadyExistsException} when anything has the name {@code to} (checked and done in one call, so
     * nothing can appear there in between).
     */
    public void rename(String from, FileIdentity expected, String to, boolean replace) throws IOException {
        if (replace) {
            rename(from, expected, to);
            return;
        }
        Posix.Stat src = stat(from);
        if (src == null) {
            throw new NoSuchFileException(path.resolve(from).toString(), null, "is gone");
        }
        if (!src.identity().equals(expected) || !src.isRegular()) {
            throw new FileSystemException(path.resolve(from).toString(), null,
                    "is not the file this job wrote (it was replaced by " + src.kind() + ")");
        }
        Posix.renameAtNoReplace(fd, checkName(from), checkName(to));
        Posix.Stat dst = stat(to);
        if (dst == null || !dst.identity().equals(expected)) {
            throw new FileSystemException(path.resolve(to).toString(), null,
                    "was replaced by another file right after it was moved into place");
        }
    }

    /** A name in this directory: one segment, no separators, not "." or "..". */
    private static String checkName(String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a file name: '" + name + "'");
        }
        return name;
    }

    int fd() {
        return fd;
    }

    @Override
    public void close() {
        Posix.close(fd);
    }
}
