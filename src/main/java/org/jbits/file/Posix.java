package org.jbits.file;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The few Linux calls that the JDK does not offer and that make file handling safe against other users: opening
 * relative to a directory handle without following a link ({@code openat} with {@code O_NOFOLLOW}), asking what
 * an open handle is ({@code statx} on the descriptor, not on a name someone can swap), renaming and deleting
 * within one directory handle, and setting the mode of an open file. Linux on x86-64 and AArch64 (whose flag
 * values differ); elsewhere {@link #available()} is false.
 */
final class Posix {
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;

    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NOCTTY = 0400;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_DIRECTORY;
    private static final int O_NOFOLLOW;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STATX_BTIME = 0x800;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EEXIST = 17;
    private static final int ENOTDIR = 20;
    private static final int ELOOP = 40;
    private static final int EPERM = 1;

    private static final LibC LIBC;
    private static final Charset NAMES = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    static {
        boolean x86 = Platform.isLinux() && Platform.isIntel() && Platform.is64Bit();
        boolean arm = Platform.isLinux() && Platform.isARM() && Platform.is64Bit();
        O_DIRECTORY = x86 ? 0200000 : 040000;
        O_NOFOLLOW = x86 ? 0400000 : 0100000;
        LibC lib = null;
        if (x86 || arm) {
            try {
                lib = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
            } catch (UnsatisfiedLinkError e) {
                lib = null;
            }
        }
        LIBC = lib;
    }

    /** The C library calls, with errno reported as {@link LastErrorException}. */
    interface LibC extends Library {
        int open(byte[] path, int flags, int mode) throws LastErrorException;

        int openat(int dirfd, byte[] path, int flags, int mode) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int statx(int dirfd, byte[] path, int flags, int mask, Memory buf) throws LastErrorException;

        int renameat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath) throws LastErrorException;

        int unlinkat(int dirfd, byte[] path, int flags) throws LastErrorException;

        int fchmod(int fd, int mode) throws LastErrorException;

        int mkdirat(int dirfd, byte[] path, int mode) throws LastErrorException;

        int renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags) throws LastErrorException;

        int fsync(int fd) throws LastErrorException;

        int geteuid();

        String strerror(int errnum);

        int fstatvfs(int fd, Memory buf) throws LastErrorException;
    }

    /** What {@code statx} says of a file: identity, type, owner, link count, size, modification time. */
    record Stat(long dev, long ino, long birthNanos, int mode, int uid, int nlink, long size, long modifiedNanos) {
        int type() {
            return mode & S_IFMT;
        }

        boolean isRegular() {
            return type() == S_IFREG;
        }

        boolean isDirectory() {
            return type() == S_IFDIR;
        }

        FileIdentity identity() {
            return new FileIdentity(dev, ino, birthNanos);
        }

        /** "a regular file", "a directory", "a symbolic link", "a character device", ... */
        String kind() {
            return switch (type()) {
                case S_IFREG -> "a regular file";
                case S_IFDIR -> "a directory";
                case S_IFLNK -> "a symbolic link";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0010000 -> "a FIFO";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        }
    }

    private Posix() {
    }

    static boolean available() {
        return LIBC != null;
    }

    static int geteuid() {
        return LIBC.geteuid();
    }

    /** Opens a directory by path (links in the path are followed: the caller named it). */
    static int openDirectory(String path) throws IOException {
        try {
            return LIBC.open(cstr(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw error(e, path);
        }
    }

    /**
     * Opens {@code name} in the directory {@code dirfd} for reading and writing, never following a link and never
     * blocking on a FIFO or device; with {@code create}, only if nothing has that name yet, with {@code mode}.
     */
    static int openAt(int dirfd, String name, boolean create, int mode) throws IOException {
        int flags = O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
        try {
            return LIBC.openat(dirfd, cstr(name), flags, mode);
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    /**
     * Opens {@code name} in the directory {@code dirfd} for reading only, never following a link and never blocking
     * on a FIFO or device (what it is gets checked on the descriptor afterwards).
     */
    static int openAtForReading(int dirfd, String name) throws IOException {
        try {
            return LIBC.openat(dirfd, cstr(name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    /** What the open descriptor {@code fd} is. */
    static Stat stat(int fd) throws IOException {
        return statx(fd, "", AT_EMPTY_PATH, "descriptor " + fd);
    }

    /** What {@code name} in {@code dirfd} is, not following a link; null when nothing has that name. */
    static Stat statAt(int dirfd, String name) throws IOException {
        try {
            return statx(dirfd, name, AT_SYMLINK_NOFOLLOW, name);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Stat statx(int dirfd, String name, int flags, String what) throws IOException {
        try (Memory buf = new Memory(256)) {
            buf.clear();
            LIBC.statx(dirfd, cstr(name), flags, STATX_BASIC_STATS | STATX_BTIME, buf);
            boolean hasBirth = (buf.getInt(0) & STATX_BTIME) != 0;
            long birth = hasBirth ? buf.getLong(80) * 1_000_000_000L + (buf.getInt(88) & 0xFFFFFFFFL) : 0;
            int nlink = buf.getInt(16);
            int uid = buf.getInt(20);
            int mode = buf.getShort(28) & 0xFFFF;
            long ino = buf.getLong(32);
            long size = buf.getLong(40);
            long mtime = buf.getLong(112) * 1_000_000_000L + (buf.getInt(120) & 0xFFFFFFFFL);
            long dev = ((long) buf.getInt(136) << 32) | (buf.getInt(140) & 0xFFFFFFFFL);
            return new Stat(dev, ino, birth, mode, uid, nlink, size, mtime);
        } catch (LastErrorException e) {
            throw error(e, what);
        }
    }

    /**
     * The fragment size of the file system holding {@code fd} ({@code f_frsize} of fstatvfs: the unit direct I/O
     * aligns to), without looking the mount up by name as the JDK's FileStore does on every call.
     */
    static long blockSize(int fd) throws IOException {
        try (Memory buf = new Memory(128)) {
            buf.clear();
            LIBC.fstatvfs(fd, buf);
            return buf.getLong(8);
        } catch (LastErrorException e) {
            throw error(e, "descriptor " + fd);
        }
    }

    static void renameAt(int dirfd, String from, String to) throws IOException {
        try {
            LIBC.renameat(dirfd, cstr(from), dirfd, cstr(to));
        } catch (LastErrorException e) {
            throw error(e, from + " -> " + to);
        }
    }

    /** The flag of {@code renameat2} that refuses to replace an existing name (EEXIST instead). */
    private static final int RENAME_NOREPLACE = 1;

    /** Opens the directory {@code name} in {@code dirfd}, refusing a symbolic link (ELOOP) and anything else (ENOTDIR). */
    static int openDirectoryAt(int dirfd, String name) throws IOException {
        try {
            return LIBC.openat(dirfd, cstr(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    static void mkdirAt(int dirfd, String name, int mode) throws IOException {
        try {
            LIBC.mkdirat(dirfd, cstr(name), mode);
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    /** Renames within {@code dirfd} only if nothing has the name {@code to} (atomically: no check-then-act). */
    static void renameAtNoReplace(int dirfd, String from, String to) throws IOException {
        try {
            LIBC.renameat2(dirfd, cstr(from), dirfd, cstr(to), RENAME_NOREPLACE);
        } catch (LastErrorException e) {
            throw error(e, to);
        }
    }

    static void fsync(int fd) throws IOException {
        try {
            LIBC.fsync(fd);
        } catch (LastErrorException e) {
            throw error(e, "descriptor " + fd);
        }
    }

    static void unlinkAt(int dirfd, String name) throws IOException {
        try {
            LIBC.unlinkat(dirfd, cstr(name), 0);
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    static void chmod(int fd, int mode) throws IOException {
        try {
            LIBC.fchmod(fd, mode);
        } catch (LastErrorException e) {
            throw error(e, "descriptor " + fd);
        }
    }

    static void close(int fd) {
        try {
            LIBC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing to recover: the descriptor is gone either way
        }
    }

    private static byte[] cstr(String s) {
        byte[] b = s.getBytes(NAMES);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    /** errno as the exception the JDK would throw for it. */
    private static IOException error(LastErrorException e, String file) {
        int errno = e.getErrorCode();
        String reason = reason(errno);
        return switch (errno) {
            case ENOENT -> new NoSuchFileException(file, null, reason);
            case EACCES, EPERM -> new AccessDeniedException(file, null, reason);
            case EEXIST -> new FileAlreadyExistsException(file, null, reason);
            case ENOTDIR -> new NotDirectoryException(file);
            case ELOOP -> new SafeDirectory.NotOursException(file, "is a symbolic link, which is not followed");
            default -> new FileSystemException(file, null, reason);
        };
    }

    private static String reason(int errno) {
        String text = LIBC.strerror(errno);
        return text != null ? text : "errno " + errno;
    }
}
