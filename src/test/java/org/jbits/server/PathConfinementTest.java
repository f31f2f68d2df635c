package org.jbits.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every write stays inside the upload directory: each way of naming a place outside it is refused with its BITS
 * code, and links another user plants in the directory are never followed. The upload directory sits in a parent
 * that holds a decoy outside it; after each attempt nothing but the upload directory is in the parent and the
 * decoy is unchanged.
 */
class PathConfinementTest {
    @TempDir(factory = OnTheBuildDisk.class)
    Path parent;

    private Path dir;
    private Path outside;
    private UploadServer server;
    private BitsClient bits;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createDirectory(parent.resolve("uploads"));
        outside = Files.createDirectory(parent.resolve("outside"));
        Files.writeString(outside.resolve("victim.txt"), "untouched");
        server = start(false);
    }

    private UploadServer start(boolean overwrite) throws IOException {
        UploadServer s = UploadServer.builder(dir).port(0).overwrite(overwrite).build().start();
        bits = new BitsClient(s.url());
        return s;
    }

    @AfterEach
    void stop() {
        bits.disconnect();
        server.close();
    }

    /** Every file under the parent, the upload directory's own files excepted. */
    private List<String> outsideTheDirectory() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(parent)) {
            s.filter(p -> !p.startsWith(dir) && !p.equals(parent) && !p.equals(outside)
                    && !p.equals(outside.resolve("victim.txt"))).forEach(p -> found.add(parent.relativize(p).toString()));
        }
        return found;
    }

    private void assertNothingOutside() throws IOException {
        assertEquals(List.of(), outsideTheDirectory());
        assertEquals("untouched", Files.readString(outside.resolve("victim.txt")));
    }

    private RawHttp.Reply createRaw(String target) {
        return RawHttp.send(server.port(), "BITS_POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "BITS-Packet-Type: Create-Session\r\nBITS-Supported-Protocols: " + BitsClient.PROTOCOL + "\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
    }

    @Test
    void everyEscapeFromTheDirectoryIsRefusedWithABitsCodeAndWritesNothing() throws Exception {
        Files.createDirectory(dir.resolve("a"));
        List<String> escapes = List.of(
                "/../outside/x", "/a/../../outside/x", "/%2e%2e/outside/x", "/%2E%2E/outside/x", "/.%2e/outside/x",
                "/a%2f..%2f..%2foutside%2fx", "/a%2F..%2F..%2Foutside%2Fx", "/a%5c..%5c..%5coutside%5cx",
                "/..%5coutside%5cx", "/a\\..\\..\\outside\\x", "//outside/x", "///etc/passwd",
                "/%2foutside/x", "/x%00", "/a/%00/x", "/x%00.txt", "/a/./x", "/./x", "/.hidden",
                "/.jbits-uploads/x", "/" + UploadServer.STATE_DIRECTORY + "/anything.journal", "/a/", "/%zz",
                "/%c0%ae%c0%ae/outside/x", "/tab%09name", "/" + parent.resolve("outside/x"));
        for (String target : escapes) {
            RawHttp.Reply r = createRaw(target);
            assertTrue(r.status() >= 400 && r.status() < 500, target + " -> " + r.status() + " " + r.headers());
            assertNotNull(r.header("BITS-Error-Code"), target + ": " + r.headers());
            assertEquals("0", r.header("Content-Length"), target);
            assertEquals("Ack", r.header("BITS-Packet-Type"), target);
        }
        // An absolute-form request target and a Windows path as the target are refused as well.
        for (String target : List.of("http://127.0.0.1/../outside/x", "C:\\outside\\x", "C:/outside/x", "*")) {
            RawHttp.Reply r = createRaw(target);
            assertTrue(r.status() >= 400 && r.status() < 500, target + " -> " + r.status());
            assertEquals("0", r.header("Content-Length"), target);
        }
        assertNothingOutside();
        assertEquals(0, server.openSessions());
    }

    @Test
    void aNameTheClientEncodedIsDecodedOnceAndStaysInside() throws Exception {
        byte[] file = TestData.random(100, 1);
        bits.upload("/na%20me%2520.bin", file, 100);
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("na me%20.bin")));
        assertNothingOutside();
    }

    /** Runs a command as user 'nobody', the second user of these tests. */
    private static void asNobody(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    /** Opens the upload directory to a second user, as a shared drop directory would be (world-writable, not sticky). */
    private void shareWithNobody() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "this test plants links as user 'nobody' through setpriv and must run as root, as CI does");
        for (Path p = dir; p != null && !p.equals(Path.of("/")); p = p.getParent()) {
            if (p.startsWith(parent.getParent())) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(p.equals(dir) ? "rwxrwxrwx" : "rwxr-xr-x"));
            }
        }
    }

    @Test
    void aLinkToADirectoryOutsidePlantedByAnotherUserIsNeverWalked() throws Exception {
        shareWithNobody();
        asNobody("ln", "-s", outside.toString(), dir.resolve("evil").toString());
        RawHttp.Reply r = createRaw("/evil/x");
        assertEquals(403, r.status(), r.headers().toString());
        assertEquals("0x80070005", r.header("BITS-Error-Code"));
        assertNothingOutside();
    }

    @Test
    void aLinkToAFileOutsideAtTheDestinationIsRefusedOrReplacedButNeverWrittenThrough() throws Exception {
        shareWithNobody();
        asNobody("ln", "-s", outside.resolve("victim.txt").toString(), dir.resolve("file.txt").toString());
        assertEquals(409, bits.create("/file.txt").status(), "the name is taken (by the link) and files are not replaced");
        byte[] file = TestData.random(5000, 2);
        // Planted while a session runs, against a server that does replace files: the link is replaced, not followed.
        bits.disconnect();
        server.close();
        server = start(true);
        String id = bits.session("/file.txt");
        assertEquals(5000, bits.fragment("/file.txt", id, file, 0, 4999).received());
        assertEquals(200, bits.close("/file.txt", id).status());
        assertFalse(Files.isSymbolicLink(dir.resolve("file.txt")));
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("file.txt")));
        assertNothingOutside();
    }

    @Test
    void aLinkPutInPlaceOfTheReceivedFileFailsTheFragmentAndWritesNothingThrough() throws Exception {
        shareWithNobody();
        byte[] file = TestData.random(5000, 3);
        String id = bits.session("/f.bin");
        bits.fragment("/f.bin", id, file, 0, 999);
        String temp = UploadSession.tempNameFor(Packet.canonicalId(id));
        asNobody("rm", "-f", dir.resolve(temp).toString());
        asNobody("ln", "-s", outside.resolve("victim.txt").toString(), dir.resolve(temp).toString());
        BitsClient.Ack a = bits.fragment("/f.bin", id, file, 1000, 4999);
        assertNotEquals(200, a.status(), a.toString());
        assertNotNull(a.errorCode());
        assertNothingOutside();
        assertEquals(200, bits.close("/f.bin", id).status(), "an incomplete session closes by discarding its upload");
        assertFalse(Files.exists(dir.resolve("f.bin")));
        assertTrue(Files.isSymbolicLink(dir.resolve(temp)), "the other user's link is theirs: left alone, not followed");
        assertNothingOutside();
    }

    @Test
    void aSubdirectoryAnotherUserCreatedIsNotUploadedInto() throws Exception {
        shareWithNobody();
        asNobody("mkdir", "-m", "0777", dir.resolve("theirs").toString());
        RawHttp.Reply r = createRaw("/theirs/x");
        assertEquals(403, r.status(), r.headers().toString());
        assertEquals("0x80070005", r.header("BITS-Error-Code"));
        assertFalse(Files.exists(dir.resolve("theirs/x")));
    }

    @Test
    void missingSubdirectoriesAreCreatedThroughTheirParentsHandleWhenAllowed() throws Exception {
        bits.disconnect();
        server.close();
        server = UploadServer.builder(dir).port(0).createDirectories(true).build().start();
        bits = new BitsClient(server.url());
        byte[] file = TestData.random(100, 4);
        bits.upload("/new/deeper/f.bin", file, 100);
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("new/deeper/f.bin")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))));
        assertNothingOutside();
    }
}
