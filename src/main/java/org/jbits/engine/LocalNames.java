package org.jbits.engine;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.file.FileIdentity;
import org.jbits.file.SafeDirectory;

/**
 * BITS' rules for a file's local name, checked at AddFile as BITS checks them (so a bad destination fails when it
 * is given, not later), and the name of its temporary file next to it.
 */
final class LocalNames {
    /** The longest file name Linux file systems take, in bytes (NAME_MAX). */
    static final int MAX_NAME_BYTES = 255;
    /** The longest path, in bytes (PATH_MAX less the terminating NUL). */
    static final int MAX_PATH_BYTES = 4095;
    private static final Charset NAMES = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private LocalNames() {
    }

    /**
     * An absolute path without {@code .} or {@code ..} segments naming a file (not a directory, not a device, FIFO
     * or socket: jbits writes regular files only, and replaces a link rather than writing through it) whose name
     * fits the file system, in a directory that exists and this user may write. Else E_INVALIDARG,
     * ERROR_PATH_NOT_FOUND, ERROR_FILENAME_EXCED_RANGE, E_ACCESSDENIED or ERROR_WRITE_PROTECT.
     */
    static Path check(String localName) {
        if (localName == null || localName.isBlank()) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name is empty");
        }
        Path p;
        try {
            p = Path.of(localName);
        } catch (RuntimeException e) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + localName + "' is not a valid path");
        }
        if (!p.isAbsolute()) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' is not an absolute path");
        }
        for (Path segment : p) {
            String s = segment.toString();
            if (s.equals(".") || s.equals("..")) {
                // The kernel resolves ".." after a link physically, not as text: the caller resolves it first.
                throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName
                        + "' has a '" + s + "' segment; give the path it stands for");
            }
        }
        if (p.getFileName() == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' names no file");
        }
        if (bytes(p.getFileName().toString()) > MAX_NAME_BYTES || bytes(p.toString()) > MAX_PATH_BYTES) {
            throw new BitsException(HResult.ERROR_FILENAME_EXCED_RANGE, "the local name '" + localName
                    + "' is too long: a file name takes at most " + MAX_NAME_BYTES + " bytes, a path "
                    + MAX_PATH_BYTES);
        }
        Path parent = p.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the directory of '" + localName + "' does not exist");
        }
        checkKind(p, localName);
        checkWritable(parent);
        return p;
    }

    /** What is at the destination now may be replaced only if it is a regular file or a link to one. */
    private static void checkKind(Path p, String localName) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException nothingThere) {
            return;
        }
        if (a.isSymbolicLink()) {
            if (Files.isDirectory(p)) {
                throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName
                        + "' is a link to a directory");
            }
            return;
        }
        if (a.isDirectory()) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' is a directory");
        }
        if (!a.isRegularFile()) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' is " + kind(p)
                    + "; jbits replaces only regular files");
        }
    }

    private static String kind(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int type = (Integer) mode & 0170000;
            return switch (type) {
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0010000 -> "a FIFO";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file";
        }
    }

    /** The file is created in {@code dir} and renamed there: this user must be able to write it. */
    private static void checkWritable(Path dir) {
        try {
            // access(2), whose reason tells a read-only file system (EROFS) from a denied permission (EACCES).
            dir.getFileSystem().provider().checkAccess(dir, AccessMode.WRITE);
        } catch (AccessDeniedException e) {
            throw new BitsException(HResult.E_ACCESSDENIED, "the directory " + dir + " is not writable by this user");
        } catch (IOException e) {
            String reason = String.valueOf(e instanceof FileSystemException f ? f.getReason() : e.getMessage());
            if (reason.contains("Read-only")) {
                throw new BitsException(HResult.ERROR_WRITE_PROTECT, "the directory " + dir
                        + " is on a read-only file system");
            }
            throw new BitsException(HResult.E_ACCESSDENIED, "the directory " + dir + " cannot be written: " + reason);
        }
    }

    /**
     * The identity of the destination directory, recorded at AddFile: the temporary file is created, and the file
     * renamed into place, only in that directory, never in one put under its name later. Null where the platform
     * cannot tell ({@link SafeDirectory#supported()}).
     */
    static FileIdentity directoryIdentity(Path dir) {
        if (!SafeDirectory.supported()) {
            return null;
        }
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            return d.identity();
        } catch (IOException e) {
            throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "cannot open the directory " + dir + ": "
                    + e.getMessage());
        }
    }

    /**
     * A hidden file next to the destination, so the final rename stays on one file system:
     * {@code .<name>.<job>-<n>.jbits}, the name cut (at a character boundary) so the whole fits in NAME_MAX bytes.
     */
    static String tempNameFor(UUID jobId, int index, Path local) {
        String suffix = "." + jobId.toString().substring(0, 8) + "-" + index + ".jbits";
        String name = local.getFileName().toString();
        int room = MAX_NAME_BYTES - 1 - bytes(suffix);
        while (bytes(name) > room) {
            int cut = name.offsetByCodePoints(name.length(), -1);
            name = name.substring(0, cut);
        }
        return local.resolveSibling("." + name + suffix).toString();
    }

    private static int bytes(String s) {
        return s.getBytes(NAMES).length;
    }
}
