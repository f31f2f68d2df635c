package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installed sqlite library is used only where nobody else can swap it. */
class InstalledSqliteLibraryTest {
    @TempDir
    Path tmp;

    private Path install() throws Exception {
        Path jar = Files.createFile(tmp.resolve("jbits.jar"));
        Path dir = Files.createDirectory(tmp.resolve(InstalledSqliteLibrary.DIRECTORY));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path lib = Files.write(dir.resolve(InstalledSqliteLibrary.NAME), new byte[] {0x7f, 'E', 'L', 'F'});
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rw-r--r--"));
        return jar;
    }

    @Test
    void aLibraryOnlyItsOwnerCanWriteIsFound() throws Exception {
        Path jar = install();
        assertEquals(Optional.of(tmp.resolve("native/libsqlitejdbc.so").toAbsolutePath()),
                InstalledSqliteLibrary.find(jar.toString()));
    }

    @Test
    void aWritableOrLinkedLibraryOrDirectoryIsNotUsed() throws Exception {
        Path jar = install();
        Path lib = tmp.resolve("native/libsqlitejdbc.so");
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rw-rw-r--"));
        assertTrue(InstalledSqliteLibrary.find(jar.toString()).isEmpty(), "group-writable library");
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(lib.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(InstalledSqliteLibrary.find(jar.toString()).isEmpty(), "world-writable directory");
        Files.setPosixFilePermissions(lib.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path real = Files.move(lib, tmp.resolve("elsewhere.so"));
        Files.createSymbolicLink(lib, real);
        assertTrue(InstalledSqliteLibrary.find(jar.toString()).isEmpty(), "a link");
    }

    @Test
    void noJarOrNoLibraryChangesNothing() throws Exception {
        assertTrue(InstalledSqliteLibrary.find(null).isEmpty());
        assertTrue(InstalledSqliteLibrary.find("target/classes").isEmpty(), "classes, not a jar");
        Path jar = install();
        assertTrue(InstalledSqliteLibrary.find(jar + File.pathSeparator + "other.jar").isEmpty(), "a class path");
        Files.delete(tmp.resolve("native/libsqlitejdbc.so"));
        assertTrue(InstalledSqliteLibrary.find(jar.toString()).isEmpty(), "not installed");
    }
}
