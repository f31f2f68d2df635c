package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent running as root and writing into a directory another user ('nobody', switched to with setpriv) may
 * write: what that user does to the names in it (a link planted for the temporary file, before a resume and
 * across a kill -9), and what careless users and cleaners do (the temporary file deleted before Complete, the
 * destination directory removed mid-transfer, a directory put where the file goes), and whose umask a file gets.
 * Never is a file outside the job written, never is success reported for a file that is not there, and the job is
 * kept with its reason.
 */
class HostileUserIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static NginxServer nginx;
    private static Path htpasswd;
    private static byte[] big;

    @TempDir
    Path tmp;
    private Cli cli;
    private Path shared;
    private Path secret;

    @BeforeAll
    static void start() throws Exception {
        assertEquals("root", System.getProperty("user.name"),
                "this test runs the agent as root against user 'nobody' and must run as root, as CI does");
        htpasswd = Files.createTempFile("jbits-htpasswd", "");
        Process p = new ProcessBuilder("openssl", "passwd", "-apr1", "S3cret").start();
        String hash = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor());
        Files.writeString(htpasswd, "alice:" + hash + "\n");
        Files.setPosixFilePermissions(htpasswd, PosixFilePermissions.fromString("rw-r--r--"));
        nginx = NginxServer.builder().limitRate("512k")
                .extraServerConfig("location /private/ { auth_basic \"jbits\"; auth_basic_user_file " + htpasswd + "; }")
                .start();
        big = TestData.random(6 << 20, 9);
        nginx.put("big.bin", big);
        nginx.put("small.bin", TestData.random(50_000, 10));
        nginx.put("private/p.bin", TestData.random(70_000, 11));
    }

    @AfterAll
    static void stop() throws IOException {
        nginx.close();
        Files.deleteIfExists(htpasswd);
    }

    @BeforeEach
    void setUp() throws Exception {
        // nobody may pass through the test's directory and write the shared one; the secret is root's alone.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        secret = Files.writeString(tmp.resolve("secret"), "root's own file\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        cli = new Cli(tmp.resolve("home"));
    }

    @AfterEach
    void tearDown() {
        cli.close();
    }

    private static void asNobody(String... cmd) throws Exception {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        c.addAll(List.of(cmd));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "as nobody: " + String.join(" ", cmd) + ": " + out);
    }

    private String startAsync(String url, Path dest) {
        Cli.Result r = cli.run("start", "--async", "--json", url, dest.toString());
        assertEquals(0, r.exit(), r.toString());
        return r.json().path("jobId").asText();
    }

    private JsonNode job(String id) {
        Cli.Result r = cli.run("get", "--json", id);
        assertEquals(0, r.exit(), r.toString());
        return r.json().get(0);
    }

    private JsonNode await(String id, String what, Predicate<JsonNode> done) {
        return Await.until(WAIT, what, () -> job(id), done);
    }

    private static Path tempFileOf(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("." + name + ".")).findFirst()
                    .orElseThrow(() -> new AssertionError("no temporary file for " + name + " in " + dir));
        }
    }

    private void assertSecretUntouched() throws IOException {
        assertEquals("root's own file\n", Files.readString(secret), "the file the link points to was written");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
    }

    @Test
    void aLinkPlantedForTheTemporaryFileIsNeverWrittenThroughOnResume() throws Exception {
        Path dest = shared.resolve("big.bin");
        String id = startAsync(nginx.slowUrl("big.bin").toString(), dest);
        await(id, "bytes on disk", j -> j.path("bytesTransferred").asLong() > 0);
        Path temp = tempFileOf(shared, "big.bin");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(temp)),
                "a file being downloaded is readable by its owner only");
        asNobody("sh", "-c", "rm -f '" + temp + "' && ln -s '" + secret + "' '" + temp + "'");
        assertEquals(0, cli.run("suspend", id).exit());
        assertEquals(0, cli.run("resume", id).exit());
        JsonNode j = await(id, "the job refuses the link", x -> x.path("jobState").asText().equals("Error"));
        assertSecretUntouched();
        assertTrue(Files.isSymbolicLink(temp), "the planted link is left as it is");
        assertEquals("E_ACCESSDENIED", j.path("errorCondition").asText(), j.toString());
        assertEquals("LocalFile", j.path("errorContext").asText());
        assertTrue(j.path("errorDescription").asText().contains("symbolic link"), j.toString());
        assertFalse(Files.exists(dest, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aLinkPlantedWhileTheAgentIsDownIsNeitherCutNorWrittenByRecovery() throws Exception {
        Path dest = shared.resolve("big.bin");
        String id = startAsync(nginx.slowUrl("big.bin").toString(), dest);
        await(id, "bytes on disk", j -> j.path("bytesTransferred").asLong() > 300_000);
        Path temp = tempFileOf(shared, "big.bin");
        long pid = cli.agentPid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Await.until(WAIT, "the agent is gone", () -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                alive -> !alive);
        asNobody("sh", "-c", "rm -f '" + temp + "' && ln -s '" + secret + "' '" + temp + "'");
        // The next command starts a new agent, whose recovery cuts temporary files back to their checkpoints.
        JsonNode j = await(id, "the restarted job refuses the link", x -> x.path("jobState").asText().equals("Error"));
        assertSecretUntouched();
        assertTrue(Files.isSymbolicLink(temp));
        assertEquals("E_ACCESSDENIED", j.path("errorCondition").asText(), j.toString());
    }

    @Test
    void aDirectorySwappedForALinkIsRefusedByItsIdentityAndNothingIsWrittenWhereTheLinkPoints() throws Exception {
        Path dir = Files.createDirectory(shared.resolve("d"));
        Path dest = dir.resolve("big.bin");
        String id = startAsync(nginx.slowUrl("big.bin").toString(), dest);
        await(id, "bytes on disk", j -> j.path("bytesTransferred").asLong() > 0);
        Path rootOnly = Files.createDirectory(tmp.resolve("root-only"));
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwx------"));
        // nobody may rename entries of the shared directory: the job's directory goes, a link takes its name.
        asNobody("sh", "-c", "mv '" + dir + "' '" + dir + ".moved' && ln -s '" + rootOnly + "' '" + dir + "'");
        assertEquals(0, cli.run("suspend", id).exit());
        assertEquals(0, cli.run("resume", id).exit());
        JsonNode j = await(id, "the job refuses the directory", x -> x.path("jobState").asText().equals("Error"));
        assertEquals("E_ACCESSDENIED", j.path("errorCondition").asText(), j.toString());
        assertTrue(j.path("errorDescription").asText().contains("no longer the directory"), j.toString());
        try (Stream<Path> s = Files.list(rootOnly)) {
            assertEquals(0, s.count(), "nothing was created where the link points");
        }
        assertTrue(Files.isSymbolicLink(dir), "the link is left as it is");
    }

    @Test
    void aFailedTransferLeavesNoTemporaryFile() throws Exception {
        Cli.Result r = cli.run("start", nginx.url("missing.bin").toString(), shared.resolve("missing.bin").toString());
        assertEquals(1, r.exit(), r.toString());
        try (Stream<Path> s = Files.list(shared)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).toList(),
                    "a 404 before any byte arrived leaves no 0-byte temporary file");
        }
    }

    @Test
    void aTemporaryFileDeletedBeforeCompleteFailsCompleteAndTheJobFetchesItAgain() throws Exception {
        Path dest = shared.resolve("small.bin");
        String id = startAsync(nginx.url("small.bin").toString(), dest);
        await(id, "Transferred", j -> j.path("jobState").asText().equals("Transferred"));
        Files.delete(tempFileOf(shared, "small.bin"));
        Cli.Result r = cli.run("complete", id);
        assertNotEquals(0, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("ERROR_FILE_NOT_FOUND") && r.err().contains("resume"), r.toString());
        assertFalse(Files.exists(dest), "no success and no file");
        JsonNode j = job(id);
        assertEquals("Error", j.path("jobState").asText(), j.toString());
        assertEquals("ERROR_FILE_NOT_FOUND", j.path("errorCondition").asText());
        assertEquals(0, cli.run("resume", id).exit());
        await(id, "Transferred again", x -> x.path("jobState").asText().equals("Transferred"));
        assertEquals(0, cli.run("complete", id).exit());
        assertEquals(TestData.sha256(nginx.docroot().resolve("small.bin")), TestData.sha256(dest));
    }

    @Test
    void theDestinationDirectoryRemovedMidTransferEndsInErrorNotInSuccess() throws Exception {
        Path dir = Files.createDirectory(shared.resolve("gone"));
        Path dest = dir.resolve("big.bin");
        String id = startAsync(nginx.slowUrl("big.bin").toString(), dest);
        await(id, "bytes on disk", j -> j.path("bytesTransferred").asLong() > 0);
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        JsonNode j = await(id, "the job notices", x -> x.path("jobState").asText().equals("Error"));
        assertEquals("ERROR_PATH_NOT_FOUND", j.path("errorCondition").asText(), j.toString());
        assertFalse(Files.exists(dest));
    }

    @Test
    void aDirectoryPutWhereTheFileGoesFailsCompleteAndTheJobIsKept() throws Exception {
        Path dest = shared.resolve("small.bin");
        String id = startAsync(nginx.url("small.bin").toString(), dest);
        await(id, "Transferred", j -> j.path("jobState").asText().equals("Transferred"));
        Files.createDirectory(dest);
        Cli.Result r = cli.run("complete", id);
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("replaces only regular files"), r.toString());
        assertEquals("Error", job(id).path("jobState").asText());
        Files.delete(dest);
        Cli.Result again = cli.run("complete", id);
        assertEquals(0, again.exit(), again.toString());
        assertEquals(TestData.sha256(nginx.docroot().resolve("small.bin")), TestData.sha256(dest));
    }

    @Test
    void aCompletedFileGetsTheUmaskOfWhoStartedItNotTheAgents() throws Exception {
        // The agent is started by a umask-022 command; the jobs come from umask-077 and umask-002 callers.
        assertEquals(0, cli.run("agent", "start").exit());
        Map<String, String> expected = Map.of("077", "rw-------", "002", "rw-rw-r--", "022", "rw-r--r--");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path dest = shared.resolve("umask-" + e.getKey() + ".bin");
            List<String> cmd = new ArrayList<>(cli.javaCommand());
            cmd.addAll(List.of("start", nginx.url("small.bin").toString(), dest.toString()));
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", "umask " + e.getKey() + " && exec \"$@\"", "sh");
            pb.command().addAll(cmd);
            pb.environment().put("JBITS_HOME", cli.home().toString());
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertEquals(e.getValue(), PosixFilePermissions.toString(Files.getPosixFilePermissions(dest)),
                    "umask " + e.getKey());
        }
    }

    @Test
    void aPasswordInTheUrlIsUsedAndShownNowhere() throws Exception {
        Path dest = shared.resolve("p.bin");
        String url = "http://alice:S3cret@127.0.0.1:" + nginx.port() + "/private/p.bin";
        Cli.Result sus = cli.run("start", "--suspended", "--json", url, dest.toString());
        assertEquals(0, sus.exit(), sus.toString());
        String id = sus.json().path("jobId").asText();
        Cli.Result get = cli.run("get", "--json", id);
        String remote = get.json().get(0).path("fileList").get(0).path("remoteName").asText();
        assertEquals("http://127.0.0.1:" + nginx.port() + "/private/p.bin", remote, "the name without its password");
        assertEquals(0, cli.run("resume", id).exit());
        await(id, "Transferred with the URL's credentials", j -> j.path("jobState").asText().equals("Transferred"));
        Cli.Result done = cli.run("complete", id);
        assertEquals(0, done.exit(), done.toString());
        assertEquals(TestData.sha256(nginx.docroot().resolve("private/p.bin")), TestData.sha256(dest));
        for (Cli.Result r : List.of(sus, get, done)) {
            assertFalse((r.out() + r.err()).contains("S3cret"), r.toString());
        }
        for (String log : List.of("agent.log", "agent.out")) {
            Path f = cli.home().resolve(log);
            if (Files.exists(f)) {
                assertFalse(Files.readString(f).contains("S3cret"), log);
            }
        }
        cli.run("agent", "stop");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + cli.home().resolve("jobs.db"));
             Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM jobs")) {
            assertTrue(rs.next());
        }
        assertFalse(new String(Files.readAllBytes(cli.home().resolve("jobs.db")), StandardCharsets.ISO_8859_1)
                .contains("http://alice:S3cret@"), "no name with its password in the store");
    }
}
