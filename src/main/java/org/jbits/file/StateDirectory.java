package org.jbits.file;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/** The per-user state directory: created 0700, its files 0600 (on POSIX file systems). */
public final class StateDirectory {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private StateDirectory() {
    }

    /** Creates the directory (and parents) if needed and makes it private to its owner. */
    public static void ensure(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (POSIX) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** Makes one file private to its owner. */
    public static void restrict(Path file) throws IOException {
        if (POSIX && Files.exists(file)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    /** Makes every regular file directly in {@code dir} private to its owner. */
    public static void restrictAll(Path dir) {
        if (!POSIX) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    restrict(p);
                }
            }
        } catch (IOException ignored) {
            // best effort: the directory itself is 0700
        }
    }
}
