package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobType;
import org.jbits.testing.Engines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AddFile checks a destination as BITS does, when it is given: special files, read-only file systems, names the
 * file system cannot hold, paths whose meaning depends on links, ports that do not exist. Each refusal names the
 * problem with its code, and the job keeps no file.
 */
class AddFileRulesTest {
    private static final String URL = "http://127.0.0.1:9/f.bin";

    @TempDir
    Path tmp;
    private PortableEngine engine;
    private BitsJob job;

    @BeforeEach
    void open() {
        engine = Engines.open(tmp.resolve("state"));
        job = engine.createJob("rules", JobType.DOWNLOAD);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private BitsException refused(String remote, String local, int hresult) {
        BitsException e = assertThrows(BitsException.class, () -> job.addFile(remote, local));
        assertEquals(HResult.name(hresult), HResult.name(e.hresult()), e.getMessage());
        assertTrue(job.files().isEmpty(), "no file was added");
        return e;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
    }

    @Test
    void aCharacterDeviceOrAFifoIsNeverADestination() throws Exception {
        Path dev = tmp.resolve("null-like");
        run("mknod", dev.toString(), "c", "1", "3");
        BitsException e = refused(URL, dev.toString(), HResult.E_INVALIDARG);
        assertTrue(e.getMessage().contains("a character device"), e.getMessage());
        Path fifo = tmp.resolve("fifo");
        run("mkfifo", fifo.toString());
        e = refused(URL, fifo.toString(), HResult.E_INVALIDARG);
        assertTrue(e.getMessage().contains("a FIFO"), e.getMessage());
        assertFalse(Files.isRegularFile(dev), "the device is still a device");
    }

    @Test
    void aDirectoryOrALinkToOneIsNeverADestination() throws Exception {
        Path sub = Files.createDirectory(tmp.resolve("sub"));
        refused(URL, sub.toString(), HResult.E_INVALIDARG);
        Path link = Files.createSymbolicLink(tmp.resolve("link"), sub);
        BitsException e = refused(URL, link.toString(), HResult.E_INVALIDARG);
        assertTrue(e.getMessage().contains("link to a directory"), e.getMessage());
    }

    @Test
    void aReadOnlyFileSystemIsRefusedWhenTheFileIsAdded() throws Exception {
        Path ro = Files.createDirectory(tmp.resolve("ro"));
        run("mount", "--bind", "-o", "ro", ro.toString(), ro.toString());
        try {
            run("mount", "-o", "remount,bind,ro", ro.toString());
            BitsException e = refused(URL, ro.resolve("f.bin").toString(), HResult.ERROR_WRITE_PROTECT);
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        } finally {
            run("umount", "-l", ro.toString());
        }
    }

    @Test
    void aNameLongerThanTheFileSystemTakesIsRefusedAtOnce() {
        String name = "n".repeat(256);
        BitsException e = refused(URL, tmp.resolve(name).toString(), HResult.ERROR_FILENAME_EXCED_RANGE);
        assertTrue(e.getMessage().contains("255 bytes"), e.getMessage());
        // 128 two-byte characters: 256 bytes, though only 128 characters.
        refused(URL, tmp.resolve("ü".repeat(128)).toString(), HResult.ERROR_FILENAME_EXCED_RANGE);
        job.addFile(URL, tmp.resolve("n".repeat(255)).toString());
    }

    @Test
    void theTemporaryNameFitsTheFileSystemForTheLongestNames() {
        for (String name : new String[] {"n".repeat(255), "ü".repeat(127), "✓".repeat(85)}) {
            String temp = LocalNames.tempNameFor(UUID.randomUUID(), 199, tmp.resolve(name));
            int bytes = Path.of(temp).getFileName().toString().getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes <= 255, temp + " is " + bytes + " bytes");
            assertTrue(Path.of(temp).getFileName().toString().startsWith("." + name.substring(0, 10)));
        }
    }

    @Test
    void dotAndDotDotSegmentsAreRefusedRatherThanResolvedAsText() throws Exception {
        // /tmp/x/nosuch/../f: as text /tmp/x/f, but the kernel would fail at nosuch.
        BitsException e = refused(URL, tmp + "/nosuch/../f.bin", HResult.E_INVALIDARG);
        assertTrue(e.getMessage().contains("'..' segment"), e.getMessage());
        refused(URL, tmp + "/./f.bin", HResult.E_INVALIDARG);
    }

    @Test
    void portsOutsideOneTo65535AreRefused() {
        for (String port : new String[] {"0", "65536", "99999"}) {
            BitsException e = refused("http://127.0.0.1:" + port + "/f", tmp.resolve("f").toString(),
                    HResult.ERROR_WINHTTP_INVALID_URL);
            assertTrue(e.getMessage().contains("port"), e.getMessage());
        }
    }

    @Test
    void aPasswordInABadUrlIsNotRepeatedInTheError() {
        BitsException e = refused("http://alice:S3cret@:80/f", tmp.resolve("f").toString(),
                HResult.ERROR_WINHTTP_INVALID_URL);
        assertFalse(e.getMessage().contains("S3cret"), e.getMessage());
        assertTrue(e.getMessage().contains("alice:***@"), e.getMessage());
    }

    @Test
    void aLinkToAFileIsAcceptedAndWillBeReplacedNotFollowed() throws Exception {
        Path target = Files.writeString(tmp.resolve("target"), "kept");
        Path link = Files.createSymbolicLink(tmp.resolve("latest"), target);
        job.addFile(URL, link.toString());
        assertTrue(Files.isSymbolicLink(link) && Files.exists(link, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aFileSetIsAddedWholeOrNotAtAll() {
        java.util.List<org.jbits.FileInfo> set = java.util.List.of(
                new org.jbits.FileInfo(URL, tmp.resolve("a.bin").toString()),
                new org.jbits.FileInfo(URL, tmp.resolve("b.bin").toString()),
                new org.jbits.FileInfo("http://127.0.0.1:0/c", tmp.resolve("c.bin").toString()));
        BitsException e = assertThrows(BitsException.class, () -> job.addFileSet(set));
        assertEquals(HResult.name(HResult.ERROR_WINHTTP_INVALID_URL), HResult.name(e.hresult()));
        assertTrue(job.files().isEmpty(), "the two good files were not added either");
        job.addFileSet(set.subList(0, 2));
        assertEquals(2, job.files().size());
    }

    @Test
    void anUploadJobsFileSetHoldsOneFileAndASecondInTheSetOrLaterIsTooManyFiles() throws IOException {
        Path a = Files.writeString(tmp.resolve("up-a.bin"), "a");
        Path b = Files.writeString(tmp.resolve("up-b.bin"), "b");
        for (JobType type : java.util.List.of(JobType.UPLOAD, JobType.UPLOAD_REPLY)) {
            BitsJob upload = engine.createJob("upload", type);
            java.util.List<org.jbits.FileInfo> two = java.util.List.of(
                    new org.jbits.FileInfo(URL, a.toString()), new org.jbits.FileInfo(URL, b.toString()));
            BitsException e = assertThrows(BitsException.class, () -> upload.addFileSet(two));
            assertEquals(HResult.name(HResult.BG_E_TOO_MANY_FILES), HResult.name(e.hresult()), type.toString());
            assertTrue(upload.files().isEmpty(), "neither was added");
            upload.addFileSet(two.subList(0, 1));
            assertEquals(1, upload.files().size());
            BitsException later = assertThrows(BitsException.class, () -> upload.addFile(URL, b.toString()));
            assertEquals(HResult.name(HResult.BG_E_TOO_MANY_FILES), HResult.name(later.hresult()));
            assertEquals(1, upload.files().size());
        }
    }
}
