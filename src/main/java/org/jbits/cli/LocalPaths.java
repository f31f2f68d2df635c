package org.jbits.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * Local paths as the kernel resolves them, for the checks BITS' AddFile makes before a job is created: every
 * directory on the way must exist, {@code ..} goes to the parent of the directory before it as the file system has
 * it (after a symbolic link, the parent of the link's target), never by cutting text, and names must fit the file
 * system. A failed check is a {@link BitsException} with the code BITS gives (ERROR_PATH_NOT_FOUND,
 * E_ACCESSDENIED, E_INVALIDARG).
 */
final class LocalPaths {
    private LocalPaths() {
    }

    /** What stat(2) says of a path (following symbolic links). */
    enum Kind { DIRECTORY, FILE, OTHER, MISSING, DENIED }

    /** {@code p} as stat(2) resolves it: {@code ..} and symbolic links by the kernel, a missing parent as MISSING. */
    static Kind kind(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.isDirectory() ? Kind.DIRECTORY : a.isRegularFile() ? Kind.FILE : Kind.OTHER;
        } catch (AccessDeniedException e) {
            return Kind.DENIED;
        } catch (IOException e) {
            return Kind.MISSING; // ENOENT, or ENOTDIR: a file on the way
        }
    }

    /** The path, or E_INVALIDARG for one the file system cannot name (a NUL character). */
    static Path parse(String path) {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + Output.safe(path) + "' is not a valid path");
        }
    }

    /** A trailing {@code /}, or a last segment {@code .} or {@code ..}, names a directory. */
    static boolean namesDirectory(String raw, Path p) {
        Path last = p.getFileName();
        return raw.endsWith("/") || (last != null && (last.toString().equals(".") || last.toString().equals("..")));
    }

    /**
     * {@code dir} must be a directory as the kernel resolves it ({@code ..} and symbolic links included); else the
     * first directory on the way that is missing or is not one is named (ERROR_PATH_NOT_FOUND).
     */
    static void requireDirectory(Path dir, String role) {
        if (kind(dir) == Kind.DIRECTORY) {
            return;
        }
        Path cur = dir.getRoot();
        for (Path name : dir) {
            cur = cur == null ? name : cur.resolve(name); // ".." kept: the kernel resolves it
            switch (kind(cur)) {
                case DIRECTORY:
                    continue;
                case DENIED:
                    throw new BitsException(HResult.E_ACCESSDENIED, "cannot reach " + Output.safe(cur.toString())
                            + ": permission denied");
                case MISSING:
                    throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the " + role + " directory "
                            + Output.safe(cur.toString()) + " does not exist");
                default:
                    throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the " + role + " directory "
                            + Output.safe(cur.toString()) + " is not a directory");
            }
        }
        throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the " + role + " directory "
                + Output.safe(dir.toString()) + " does not exist");
    }

    /**
     * The path to send: without {@code ..} the user's spelling, tidied ({@code .} and doubled slashes dropped);
     * with {@code ..}, the canonical path of its directory (the last segment kept, so a file yet to be written can
     * be named). {@code names} a directory: the whole path is that directory.
     */
    static Path physical(Path p, boolean isDirectory) {
        boolean dotDot = false;
        for (Path name : p) {
            dotDot |= name.toString().equals("..");
        }
        if (!dotDot) {
            return p.normalize();
        }
        Path dir = isDirectory ? p : p.getParent();
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the directory " + Output.safe(dir.toString())
                    + " does not exist");
        }
        return isDirectory ? real : real.resolve(p.getFileName());
    }

    /** BITS' AddFile refuses a directory the caller cannot write to (E_ACCESSDENIED). */
    static void requireWritable(Path dir) {
        if (dir != null && (!Files.isWritable(dir) || !Files.isExecutable(dir))) {
            throw new BitsException(HResult.E_ACCESSDENIED, "cannot write to the directory " + Output.safe(dir.toString())
                    + ": permission denied");
        }
    }

    /** Linux' NAME_MAX and PATH_MAX, in bytes: longer names fail with ENAMETOOLONG, here at once rather than at Complete. */
    private static final int NAME_MAX = 255;
    private static final int PATH_MAX = 4095;

    static void requireNameFits(Path local) {
        int name = local.getFileName().toString().getBytes(StandardCharsets.UTF_8).length;
        int path = local.toString().getBytes(StandardCharsets.UTF_8).length;
        if (name > NAME_MAX || path > PATH_MAX) {
            String shown = Output.clip(Output.safe(local.getFileName().toString()), 40);
            throw new BitsException(HResult.E_INVALIDARG, name > NAME_MAX
                    ? "the file name '" + shown + "' is " + name + " bytes; the file system allows " + NAME_MAX
                    : "the destination path is " + path + " bytes; the file system allows " + PATH_MAX);
        }
    }
}
