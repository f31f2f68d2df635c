package org.jbits.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calls the upload server added: walking into sub-directories by handle, the no-replace rename, fsync, listing. */
class SafeDirectoryWalkTest {
    @TempDir
    Path dir;

    @Test
    void aSubdirectoryIsOpenedByHandleAndALinkOrFileInItsPlaceIsRefused() throws Exception {
        Files.createDirectory(dir.resolve("real"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        Files.writeString(dir.resolve("file"), "x");
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            try (SafeDirectory real = d.openSubdirectory("real")) {
                assertEquals(dir.resolve("real"), real.path());
            }
            assertThrows(FileSystemException.class, () -> d.openSubdirectory("link"));
            assertThrows(NotDirectoryException.class, () -> d.openSubdirectory("file"));
            assertThrows(NoSuchFileException.class, () -> d.openSubdirectory("missing"));
            assertThrows(IllegalArgumentException.class, () -> d.openSubdirectory(".."));
            try (SafeDirectory made = d.createSubdirectory("made", 0750)) {
                assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("made"))));
                assertNull(made.untrustedReason());
                made.chmod(0777);
                assertNotNull(made.untrustedReason(), "writable by others");
            }
            assertEquals(List.of("file", "link", "made", "real"), d.list().stream().sorted().toList());
            d.force();
        }
    }

    @Test
    void aNoReplaceRenameRefusesAnyExistingNameAndAReplacingOneTakesIt() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileIdentity id;
            try (SafeFile f = d.create("t", 0600)) {
                id = f.identity();
            }
            Files.writeString(dir.resolve("taken"), "theirs");
            Files.createSymbolicLink(dir.resolve("link"), dir.resolve("taken"));
            assertThrows(FileAlreadyExistsException.class, () -> d.rename("t", id, "taken", false));
            assertThrows(FileAlreadyExistsException.class, () -> d.rename("t", id, "link", false));
            assertEquals("theirs", Files.readString(dir.resolve("taken")));
            d.rename("t", id, "free", false);
            assertEquals(0, Files.size(dir.resolve("free")));
            d.rename("free", id, "link", true);
            assertEquals("theirs", Files.readString(dir.resolve("taken")), "the link was replaced, not followed");
        }
    }
}
