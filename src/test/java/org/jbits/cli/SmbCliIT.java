package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbits.testing.Cli;
import org.jbits.testing.SambaServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged CLI (the shaded jar, its agent) downloading from a real smbd, as a user would type it. */
class SmbCliIT {
    private static SambaServer samba;
    private static final byte[] ONE = TestData.random(3 << 20, 51);
    private static final byte[] TWO = TestData.random(1 << 20, 52);
    private static final byte[] THREE = TestData.random(200_000, 53);

    @TempDir
    Path tmp;
    Cli cli;
    Path dest;

    @BeforeAll
    static void startSamba() {
        samba = SambaServer.shared();
        samba.put("share", "dir/one.bin", ONE);
        samba.put("share", "dir/Two.bin", TWO);
        samba.put("share", "dir/three.bin", THREE);
        samba.put("share", "dir/readme.txt", new byte[]{'x'});
        samba.put("guest", "pub/open file ü.bin", THREE);
    }

    @BeforeEach
    void setUp() throws Exception {
        cli = new Cli(tmp.resolve("home"));
        dest = Files.createDirectories(tmp.resolve("data"));
    }

    @AfterEach
    void tearDown() {
        cli.close();
    }

    @Test
    void startWithAWildcardDownloadsEveryMatchingFileOfTheShare() throws Exception {
        Cli.Result r = cli.run("start", samba.userUrl("share", "dir/*.bin"), dest + "/");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(TestData.sha256(ONE), TestData.sha256(dest.resolve("one.bin")));
        assertEquals(TestData.sha256(TWO), TestData.sha256(dest.resolve("Two.bin")));
        assertEquals(TestData.sha256(THREE), TestData.sha256(dest.resolve("three.bin")));
        try (var s = Files.list(dest)) {
            assertEquals(List.of("Two.bin", "one.bin", "three.bin"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "only the *.bin files, no temporary file left");
        }
        assertFalse(r.err().contains(SambaServer.PASSWORD), r::toString);
    }

    @Test
    void asyncJobListsTheMatchesInNtfsOrder() {
        Cli.Result r = cli.run("start", "--async", "--suspended", "--json", samba.userUrl("share", "dir/*.bin"),
                dest.toString());
        assertEquals(0, r.exit(), r::toString);
        List<String> names = new java.util.ArrayList<>();
        r.json().get("fileList").forEach(f -> names.add(Path.of(f.get("localName").asText()).getFileName().toString()));
        assertEquals(List.of("one.bin", "three.bin", "Two.bin"), names);
    }

    @Test
    void uncNameFromTheGuestShareDownloadsWithoutCredentials() throws Exception {
        Cli.Result r = cli.run("start", "\\\\127.0.0.1@" + samba.port() + "\\guest\\pub\\open file ü.bin", dest.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals(TestData.sha256(THREE), TestData.sha256(dest.resolve("open file ü.bin")));
    }

    @Test
    void aWildcardThatMatchesNothingFailsWithTheCodeAndCreatesNoJob() {
        Cli.Result r = cli.run("start", samba.userUrl("share", "dir/*.iso"), dest.toString());
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("ERROR_FILE_NOT_FOUND"), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertFalse(r.err().contains(SambaServer.PASSWORD), r::toString);
        Cli.Result jobs = cli.run("get", "--json");
        assertEquals(0, jobs.json().size(), "invalid input creates nothing");
    }

    @Test
    void aWrongPasswordEndsTheJobInErrorWithLogonFailure() {
        samba.put("share", "other/single.bin", ONE);
        Cli.Result r = cli.run("start", samba.urlWithCredentials("share", "other/single.bin", SambaServer.USER, "N0pe-pw"),
                dest.toString());
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("ERROR_LOGON_FAILURE") && r.err().contains("RemoteFile"), r::toString);
        assertFalse(r.err().contains("N0pe-pw"), r::toString);
    }

    @Test
    void anUploadToAShareArrivesUnderItsNameWithNoTemporaryFileLeft() throws Exception {
        Path src = tmp.resolve("data/upload me.bin");
        Files.write(src, ONE);
        Files.createDirectories(samba.dir("share").resolve("cli-up"));
        String url = samba.userUrl("share", "cli-up/ankommen ü.bin");
        Cli.Result r = cli.run("start", "--transfer-type", "upload", src.toString(), url);
        assertEquals(0, r.exit(), r::toString);
        assertEquals(TestData.sha256(ONE), TestData.sha256(samba.dir("share").resolve("cli-up/ankommen ü.bin")));
        try (var s = Files.list(samba.dir("share").resolve("cli-up"))) {
            assertEquals(List.of("ankommen ü.bin"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertFalse(r.err().contains(SambaServer.PASSWORD) || r.out().contains(SambaServer.PASSWORD), r::toString);
    }

    @Test
    void anUploadToTheReadOnlyGuestShareByUncNameEndsInErrorWithAccessDenied() throws Exception {
        Path src = tmp.resolve("data/ro.bin");
        Files.write(src, TWO);
        Cli.Result r = cli.run("start", "--transfer-type", "upload", src.toString(),
                "\\\\127.0.0.1@" + samba.port() + "\\guest\\pub\\ro.bin");
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("E_ACCESSDENIED") && r.err().contains("RemoteFile"), r::toString);
        assertFalse(Files.exists(samba.dir("guest").resolve("pub/ro.bin")));
    }

    @Test
    void anUploadReplyToAShareIsRefusedInOneLineAndCreatesNoJob() throws Exception {
        Path src = tmp.resolve("data/reply.bin");
        Files.write(src, TWO);
        Cli.Result r = cli.run("start", "--transfer-type", "upload-reply", src.toString(),
                samba.userUrl("share", "reply.bin"));
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("BG_E_PROTOCOL_NOT_AVAILABLE"), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertEquals(0, cli.run("get", "--json").json().size(), "invalid input creates nothing");
    }
}
