package org.jbits.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory handle against what a hostile user who may write the directory can do to the names in it: links
 * planted where a file is expected, files swapped, hard links, FIFOs and devices, the directory itself replaced
 * or deleted. Each time nothing outside is written to, and the operation fails with a message that says why.
 */
class SafeDirectoryTest {
    @TempDir
    Path tmp;
    private Path dir;
    private Path secret;

    @BeforeEach
    void setUp() throws IOException {
        // jbits' production platforms (Linux x86-64, AArch64) must have the calls; anything else is a broken build.
        assertTrue(SafeDirectory.supported(), "openat/statx are not reachable through JNA here");
        dir = Files.createDirectory(tmp.resolve("shared"));
        secret = Files.writeString(tmp.resolve("secret"), "root's own file");
    }

    private static void write(SafeFile f, String text) throws IOException {
        try (FileChannel ch = f.channel(false)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
        }
    }

    @Test
    void createRefusesANameThatExistsEvenAsALinkAndLeavesItsTargetAlone() throws Exception {
        Files.createSymbolicLink(dir.resolve("t"), secret);
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            assertThrows(FileAlreadyExistsException.class, () -> d.create("t", 0600));
        }
        assertEquals("root's own file", Files.readString(secret));
    }

    @Test
    void aPlantedLinkIsNeverOpened() throws Exception {
        Files.createSymbolicLink(dir.resolve("t"), secret);
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> d.openExisting("t", null));
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        }
        assertEquals("root's own file", Files.readString(secret));
    }

    @Test
    void aFileSwappedForAnotherIsRefusedByItsIdentity() throws Exception {
        FileIdentity ours;
        try (SafeDirectory d = SafeDirectory.open(dir, null); SafeFile f = d.create("t", 0600)) {
            ours = f.identity();
        }
        Files.delete(dir.resolve("t"));
        Files.writeString(dir.resolve("t"), "someone else's");
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> d.openExisting("t", ours));
            assertTrue(e.getMessage().contains("replaced"), e.getMessage());
        }
    }

    @Test
    void aHardLinkToAnotherFileIsRefused() throws Exception {
        Files.createLink(dir.resolve("t"), secret);
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> d.openExisting("t", null));
            assertTrue(e.getMessage().contains("2 hard links"), e.getMessage());
        }
        assertEquals("root's own file", Files.readString(secret));
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("t");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> d.openExisting("t", null));
            assertTrue(e.getMessage().contains("a FIFO"), e.getMessage());
        }
    }

    @Test
    void aFileOfAnotherUserIsRefused() throws Exception {
        assumeRoot();
        Path theirs = Files.writeString(dir.resolve("t"), "nobody's");
        UserPrincipal nobody = theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(theirs, nobody);
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> d.openExisting("t", null));
            assertTrue(e.getMessage().contains("belongs to user id"), e.getMessage());
        }
    }

    @Test
    void theChannelWritesTheCheckedFileWhateverHappensToItsName() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null); SafeFile f = d.create("t", 0600)) {
            // The name is swapped for a link to a file the attacker wants written, after the check.
            Files.move(dir.resolve("t"), dir.resolve("moved"));
            Files.createSymbolicLink(dir.resolve("t"), secret);
            write(f, "downloaded bytes");
        }
        assertEquals("root's own file", Files.readString(secret));
        assertEquals("downloaded bytes", Files.readString(dir.resolve("moved")));
    }

    @Test
    void aNewFileIsPrivateWhateverTheUmask() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null); SafeFile f = d.create("t", 0600)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("t"))));
            f.chmod(0644);
        }
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("t"))));
    }

    @Test
    void aReplacedDirectoryIsRefusedByItsIdentity() throws Exception {
        FileIdentity original;
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            original = d.identity();
        }
        Files.move(dir, tmp.resolve("elsewhere"));
        Files.createSymbolicLink(dir, tmp);
        FileSystemException e = assertThrows(FileSystemException.class, () -> SafeDirectory.open(dir, original));
        assertTrue(e.getMessage().contains("no longer the directory"), e.getMessage());
    }

    @Test
    void renameReplacesALinkAtTheDestinationNeverItsTarget() throws Exception {
        Files.createSymbolicLink(dir.resolve("final"), secret);
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileIdentity id;
            try (SafeFile f = d.create("t", 0600)) {
                write(f, "new content");
                id = f.identity();
            }
            d.rename("t", id, "final");
        }
        assertFalse(Files.isSymbolicLink(dir.resolve("final")));
        assertEquals("new content", Files.readString(dir.resolve("final")));
        assertEquals("root's own file", Files.readString(secret));
    }

    @Test
    void renameRefusesToReplaceADeviceAFifoOrADirectory() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("fifo").toString()).start().waitFor());
        Files.createDirectory(dir.resolve("sub"));
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileIdentity id;
            try (SafeFile f = d.create("t", 0600)) {
                id = f.identity();
            }
            for (String target : new String[] {"fifo", "sub"}) {
                FileSystemException e = assertThrows(FileSystemException.class, () -> d.rename("t", id, target));
                assertTrue(e.getMessage().contains("replaces only regular files"), e.getMessage());
            }
            assertTrue(Files.exists(dir.resolve("t")), "nothing was moved");
        }
    }

    @Test
    void renameRefusesAFileSwappedBeforeIt() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileIdentity id;
            try (SafeFile f = d.create("t", 0600)) {
                id = f.identity();
            }
            Files.delete(dir.resolve("t"));
            Files.createSymbolicLink(dir.resolve("t"), secret);
            FileSystemException e = assertThrows(FileSystemException.class, () -> d.rename("t", id, "final"));
            assertTrue(e.getMessage().contains("replaced by a symbolic link"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("final"), LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aDeletedFileOrDirectoryIsNoticedWhileItIsWritten() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null); SafeFile f = d.create("t", 0600)) {
            f.ensureLinked();
            Files.delete(dir.resolve("t"));
            SafeFile.VanishedException e = assertThrows(SafeFile.VanishedException.class, f::ensureLinked);
            assertFalse(e.isDirectory());
            Files.delete(dir);
            e = assertThrows(SafeFile.VanishedException.class, f::ensureLinked);
            assertTrue(e.isDirectory());
        }
    }

    @Test
    void deleteLeavesAFileThatIsNotOursAlone() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileIdentity id;
            try (SafeFile f = d.create("t", 0600)) {
                id = f.identity();
            }
            Files.delete(dir.resolve("t"));
            Files.createLink(dir.resolve("t"), secret);
            assertThrows(FileSystemException.class, () -> d.delete("t", id));
            assertTrue(Files.exists(dir.resolve("t")));
            Files.delete(dir.resolve("t"));
            assertFalse(d.delete("t", id), "nothing has the name any more");
        }
    }

    @Test
    void openOrCreateMakesANewFileWhenTheOldOneIsGone() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            FileIdentity old;
            try (SafeFile f = d.create("t", 0600)) {
                old = f.identity();
            }
            Files.delete(dir.resolve("t"));
            try (SafeFile f = d.openOrCreate("t", old, 0600)) {
                assertEquals(0, f.size());
            }
            assertThrows(NoSuchFileException.class, () -> d.openExisting("gone", null));
        }
    }

    @Test
    void namesWithSeparatorsOrDotsAreRefused() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            for (String bad : new String[] {"../x", "a/b", "..", ".", ""}) {
                assertThrows(IllegalArgumentException.class, () -> d.create(bad, 0600), bad);
            }
        }
    }

    @Test
    void nonAsciiNamesRoundTrip() throws Exception {
        try (SafeDirectory d = SafeDirectory.open(dir, null); SafeFile f = d.create("grüße ✓.bin", 0600)) {
            write(f, "x");
        }
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("grüße ✓.bin")));
    }

    @Test
    void aSourceIsOpenedReadOnlyAndMayBeAnotherUsersFileWithOtherLinks() throws Exception {
        assumeRoot();
        Path theirs = Files.writeString(dir.resolve("t"), "nobody's report");
        Files.setOwner(theirs, theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        Files.createLink(dir.resolve("also-t"), theirs);
        try (SafeDirectory d = SafeDirectory.open(dir, null); SafeFile f = d.openForReading("t", null);
             FileChannel ch = f.readChannel()) {
            ByteBuffer b = ByteBuffer.allocate(64);
            ch.read(b, 0);
            assertEquals("nobody's report", new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
            assertThrows(java.nio.channels.NonWritableChannelException.class, () -> ch.write(ByteBuffer.allocate(1), 0));
        }
        assertEquals("nobody's report", Files.readString(theirs));
    }

    @Test
    void aSourceSwappedForALinkIsNeverReadThrough() throws Exception {
        Files.writeString(dir.resolve("t"), "harmless");
        FileIdentity recorded;
        try (SafeDirectory d = SafeDirectory.open(dir, null); SafeFile f = d.openForReading("t", null)) {
            recorded = f.identity();
        }
        Files.delete(dir.resolve("t"));
        Files.createSymbolicLink(dir.resolve("t"), secret);
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            for (FileIdentity expected : new FileIdentity[] {recorded, null}) {
                SafeDirectory.NotOursException e = assertThrows(SafeDirectory.NotOursException.class,
                        () -> d.openForReading("t", expected));
                assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
            }
        }
    }

    @Test
    void aSourceReplacedByAnotherFileIsRefusedAsReplaced() throws Exception {
        Files.writeString(dir.resolve("t"), "first");
        FileIdentity recorded;
        try (SafeDirectory d = SafeDirectory.open(dir, null); SafeFile f = d.openForReading("t", null)) {
            recorded = f.identity();
        }
        Files.move(Files.writeString(dir.resolve(".t.new"), "second"), dir.resolve("t"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            assertThrows(SafeDirectory.ReplacedException.class, () -> d.openForReading("t", recorded));
        }
    }

    @Test
    void aSourceThatIsAFifoOrADirectoryIsRefusedWithoutBlocking() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("fifo").toString()).start().waitFor());
        Files.createDirectory(dir.resolve("sub"));
        try (SafeDirectory d = SafeDirectory.open(dir, null)) {
            assertTrue(assertThrows(SafeDirectory.NotOursException.class, () -> d.openForReading("fifo", null))
                    .getMessage().contains("a FIFO"));
            assertTrue(assertThrows(SafeDirectory.NotOursException.class, () -> d.openForReading("sub", null))
                    .getMessage().contains("a directory"));
        }
    }

    @Test
    void aSourcesVersionChangesWhenItIsWrittenInPlace() throws Exception {
        Path t = Files.writeString(dir.resolve("t"), "v1");
        try (SafeDirectory d = SafeDirectory.open(dir, null); SafeFile f = d.openForReading("t", null)) {
            FileVersion before = f.version();
            assertEquals(2, before.size());
            assertEquals(before, FileVersion.parse(before.toString()));
            Files.writeString(t, "v2", java.nio.file.StandardOpenOption.APPEND);
            FileVersion after = f.version();
            assertEquals(4, after.size());
            assertTrue(!after.equals(before));
            Files.setLastModifiedTime(t, java.nio.file.attribute.FileTime.fromMillis(1_000));
            assertEquals(1_000_000_000L, f.version().modifiedNanos(), "the modification time, from the handle");
        }
    }

    private static void assumeRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "changing a file's owner needs root");
    }
}
