package org.jbits.engine;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.file.FileIdentity;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeFile;

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
        Path p = checkSyntax(localName);
        Path parent = p.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the directory of '" + localName + "' does not exist");
        }
        checkKind(p, localName);
        checkWritable(parent);
        return p;
    }

    /** An upload's local file as AddFile found it: its path (links resolved), identities and size. */
    record Source(Path path, FileIdentity file, FileIdentity directory, long size) {
    }

    /**
     * An upload's local name names its source, which must exist, be a regular file and be readable by this user; its
     * directory need not be writable. Links in the name are followed now, as the user named the file now (the
     * kernel's {@code fs.protected_symlinks} applies), and the file's path, identity and directory's identity are
     * recorded: the upload later opens that file, through that directory, without following a link, and reads
     * nothing from anything else put under the name (BITS' E_INVALIDARG, ERROR_FILE_NOT_FOUND, E_ACCESSDENIED).
     */
    static Source checkSource(String localName) {
        Path given = checkSyntax(localName);
        Path real;
        try {
            real = given.toRealPath();
        } catch (NoSuchFileException e) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "the file to upload, " + localName
                    + ", does not exist");
        } catch (AccessDeniedException e) {
            throw new BitsException(HResult.E_ACCESSDENIED, "the file to upload, " + localName
                    + ", cannot be reached by this user");
        } catch (IOException e) {
            throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the file to upload, " + localName + ": "
                    + e.getMessage());
        }
        if (real.getParent() == null || real.getFileName() == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the file to upload, " + localName + ", is a directory");
        }
        if (!SafeDirectory.supported()) {
            if (!Files.isRegularFile(real)) {
                throw new BitsException(HResult.E_INVALIDARG, "the file to upload, " + localName
                        + ", is not a regular file");
            }
            if (!Files.isReadable(real)) {
                throw new BitsException(HResult.E_ACCESSDENIED, "the file to upload, " + localName
                        + ", is not readable by this user");
            }
            try {
                return new Source(real, null, null, Files.size(real));
            } catch (IOException e) {
                throw new BitsException(HResult.E_ACCESSDENIED, "cannot read " + localName + ": " + e.getMessage());
            }
        }
        try (SafeDirectory dir = SafeDirectory.open(real.getParent(), null);
             SafeFile file = dir.openForReading(real.getFileName().toString(), null)) {
            return new Source(real, file.identity(), dir.identity(), file.size());
        } catch (SafeDirectory.NotOursException e) {
            throw new BitsException(HResult.E_INVALIDARG, "the file to upload, " + localName + ", "
                    + e.getReason() + "; an upload sends a regular file");
        } catch (AccessDeniedException e) {
            throw new BitsException(HResult.E_ACCESSDENIED, "the file to upload, " + localName
                    + ", is not readable by this user");
        } catch (IOException e) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "cannot open the file to upload, " + localName
                    + ": " + e.getMessage());
        }
    }

    /** Absolute, no {@code .} or {@code ..} segments, a name that fits the file system. */
    private static Path checkSyntax(String localName) {
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
        return hiddenNext(local, "." + jobId.toString().substring(0, 8) + "-"
                + (index == UploadRecord.REPLY_INDEX ? "reply" : Integer.toString(index)) + ".jbits");
    }

    /**
     * The name BITS leaves it to the implementation to choose for an upload-reply job's reply when none is set:
     * {@code <upload's file name>.<job>.reply} next to the file it uploads (cut to fit NAME_MAX).
     */
    static String replyNameFor(UUID jobId, Path source) {
        String suffix = "." + jobId.toString().substring(0, 8) + ".reply";
        return source.resolveSibling(cut(source.getFileName().toString(), MAX_NAME_BYTES - bytes(suffix)) + suffix)
                .toString();
    }

    private static String hiddenNext(Path local, String suffix) {
        String name = cut(local.getFileName().toString(), MAX_NAME_BYTES - 1 - bytes(suffix));
        return local.resolveSibling("." + name + suffix).toString();
    }

    /** {@code name} cut at a character boundary to at most {@code room} bytes. */
    private static String cut(String name, int room) {
        String n = name;
        while (bytes(n) > room) {
            n = n.substring(0, n.offsetByCodePoints(n.length(), -1));
        }
        return n;
    }

    private static int bytes(String s) {
        return s.getBytes(NAMES).length;
    }
}
