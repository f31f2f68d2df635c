package org.jbits.agent;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * Points sqlite-jdbc at the native library {@code install} puts beside the jar ({@code native/libsqlitejdbc.so}),
 * instead of letting it extract its own copy into {@code java.io.tmpdir} at every start. That extraction costs an
 * agent's start-up a copy and a byte-for-byte comparison of a 1 MiB file, and a {@code uname -o} child process
 * (sqlite-jdbc's Termux check), about 0.3-0.5 s on the machines this was measured on; and a root agent loading code
 * from a world-writable directory is something to avoid anyway.
 *
 * <p>The library is used only when it cannot be swapped by someone else: a regular file (not a link), owned by root
 * or by this process's user, neither it nor its directory writable by group or others. Otherwise, or when
 * {@code org.sqlite.lib.path} is already set, nothing changes and sqlite-jdbc does what it always does.
 */
public final class InstalledSqliteLibrary {
    static final String DIRECTORY = "native";
    static final String NAME = "libsqlitejdbc.so";
    private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private InstalledSqliteLibrary() {
    }

    /** Uses the installed library beside the jar of {@code classPath}, if there is a safe one; which, if any. */
    public static Optional<Path> use(String classPath) {
        if (System.getProperty("org.sqlite.lib.path") != null) {
            return Optional.empty();
        }
        Optional<Path> lib = find(classPath);
        lib.ifPresent(p -> {
            System.setProperty("org.sqlite.lib.path", p.getParent().toString());
            System.setProperty("org.sqlite.lib.name", NAME);
        });
        return lib;
    }

    /** The installed library beside the jar of {@code classPath}, if it is there and safe to load. */
    static Optional<Path> find(String classPath) {
        if (classPath == null || classPath.isEmpty() || classPath.contains(File.pathSeparator)
                || !classPath.endsWith(".jar")) {
            return Optional.empty();
        }
        Path jarDir = Path.of(classPath).toAbsolutePath().getParent();
        if (jarDir == null) {
            return Optional.empty();
        }
        Path dir = jarDir.resolve(DIRECTORY);
        Path lib = dir.resolve(NAME);
        try {
            int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return safe(dir, me, true) && safe(lib, me, false) ? Optional.of(lib) : Optional.empty();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return Optional.empty();
        }
    }

    private static boolean safe(Path p, int me, boolean directory) throws IOException {
        if (directory ? !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                : !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != 0 && owner != me) {
            return false;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        return perms.stream().noneMatch(OTHERS_WRITE::contains);
    }
}
