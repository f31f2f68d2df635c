package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.jbits.testing.SshServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbits --host ssh://USER@127.0.0.1:PORT ...} against a real sshd started by the test (its own host key,
 * a test user created with useradd, the user's key in an AuthorizedKeysFile of the test's, jbits installed for
 * that user by the project's install script): the commands run against that user's agent, started there on
 * demand through {@code jbits agent bridge}; jobs belong to the remote user; paths are checked there, as that
 * user; a job goes on when the client is killed or its ssh connection drops; and every way of not getting there
 * (the authentication refused, an unknown host key, nothing listening, no jbits there, no ssh here, a bad
 * {@code --host}) is one line, its code and exit status.
 */
class RemoteHostIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String USER = "jbitsssh";
    private static SshServer ssh;
    private static NginxServer nginx;
    private static byte[] small;
    private static byte[] big;

    @TempDir
    Path tmp;
    private Cli cli;
    /** A directory of the remote user's, for the jobs' files. */
    private Path remoteDir;

    @BeforeAll
    static void start() {
        assertEquals("root", System.getProperty("user.name"),
                "this test creates a user and runs sshd, and must run as root, as CI does");
        ssh = SshServer.start(USER, Path.of("").toAbsolutePath());
        stopRemoteAgent();
        deleteTree(remoteState());
        nginx = NginxServer.start();
        small = TestData.random(120_000, 31);
        big = TestData.random(3 << 20, 32);
        nginx.put("small.bin", small);
        nginx.put("big.bin", big);
    }

    @AfterAll
    static void stop() {
        try {
            stopRemoteAgent();
            deleteTree(remoteState());
        } finally {
            if (nginx != null) {
                nginx.close();
            }
            if (ssh != null) {
                ssh.close();
            }
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp.resolve("local-home"));
        remoteDir = Files.createDirectory(ssh.home().resolve("jbits-it-" + System.nanoTime()));
        UserPrincipal owner = remoteDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
        Files.setOwner(remoteDir, owner);
        Files.setPosixFilePermissions(remoteDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void tearDown() {
        for (JsonNode j : remote("get", "--json").json()) {
            remote("remove", j.path("jobId").asText());
        }
        deleteTree(remoteDir);
        assertFalse(Files.exists(cli.home().resolve("agent.sock")), "no command started an agent on this side");
        cli.close();
    }

    private static Path remoteState() {
        return ssh.home().resolve(".local/state/jbits");
    }

    private static Optional<ProcessHandle> remoteAgent() {
        try {
            long pid = Long.parseLong(Files.readString(remoteState().resolve("agent.pid")).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void stopRemoteAgent() {
        remoteAgent().ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // best effort: a temporary tree
        }
    }

    /** {@code jbits --host ssh://jbitsssh@127.0.0.1:PORT args...} with the test's ssh config. */
    private Cli.Result remote(String... args) {
        return remoteWith(Map.of(), args);
    }

    private Cli.Result remoteWith(Map<String, String> env, String... args) {
        List<String> a = new ArrayList<>(List.of("--host", ssh.url()));
        a.addAll(List.of(args));
        Map<String, String> e = new HashMap<>(ssh.env());
        e.putAll(env);
        return cli.run(e, a.toArray(String[]::new));
    }

    private JsonNode job(String id) {
        Cli.Result r = remote("get", "--json", id);
        assertEquals(0, r.exit(), r.toString());
        return r.json().get(0);
    }

    private JsonNode await(String id, String what, Predicate<JsonNode> done) {
        return Await.until(WAIT, what, () -> job(id), done);
    }

    private static String state(JsonNode j) {
        return j.path("jobState").asText();
    }

    private static String owner(Path p) throws IOException {
        return Files.getOwner(p).getName();
    }

    @Test
    void aSynchronousStartRunsOnTheRemoteAgentAsTheRemoteUser() throws Exception {
        Path dest = remoteDir.resolve("small.bin");
        Cli.Result r = remote("start", nginx.url("small.bin").toString(), dest.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("Transferred 1 file(s)"), r.toString());
        assertArrayEquals(small, Files.readAllBytes(dest));
        assertEquals(USER, owner(dest), "the remote agent, running as the remote user, wrote the file");
        ProcessHandle agent = remoteAgent().orElseThrow(() -> new AssertionError("no agent runs for " + USER));
        assertEquals(USER, agent.info().user().orElse("?"), "the agent the bridge started runs as the remote user");
        assertEquals(0, remote("get", "--json").json().size(), "the completed job is gone");
    }

    @Test
    void anAsynchronousJobIsCreatedListedAndCompletedRemotely() throws Exception {
        Path dest = remoteDir.resolve("async.bin");
        Cli.Result r = remote("start", "--async", "--json", nginx.url("small.bin").toString(), dest.toString());
        assertEquals(0, r.exit(), r.toString());
        String id = r.json().path("jobId").asText();
        assertEquals(USER, r.json().path("ownerAccount").asText(), "the job's owner is the remote user");
        assertEquals(dest.toString(), r.json().path("fileList").get(0).path("localName").asText());
        JsonNode done = await(id, "Transferred", j -> state(j).equals("Transferred"));
        assertEquals(small.length, done.path("bytesTransferred").asLong());
        Cli.Result table = remote("get");
        assertEquals(0, table.exit(), table.toString());
        assertTrue(table.out().contains(id) && table.out().contains(USER), table.toString());
        Cli.Result c = remote("complete", id);
        assertEquals(0, c.exit(), c.toString());
        assertArrayEquals(small, Files.readAllBytes(dest));
        // The local user (root) has no job: the job is the remote agent's alone.
        Cli.Result local = cli.run("get", "--json");
        assertEquals(0, local.exit(), local.toString());
        assertEquals(0, local.json().size(), local.toString());
        cli.close();
    }

    @Test
    void pathsAreCheckedOnTheRemoteMachineAsTheRemoteUser() throws Exception {
        // Root may write here, the remote user may not: the check is the remote user's.
        Path rootOnly = Files.createDirectory(tmp.resolve("root-only"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwx------"));
        Cli.Result denied = remote("start", "--async", nginx.url("small.bin").toString(), rootOnly.resolve("x.bin").toString());
        assertEquals(4, denied.exit(), denied.toString());
        assertEquals(1, denied.errLines().size(), denied.toString());
        assertTrue(denied.err().contains("E_ACCESSDENIED 0x80070005"), denied.toString());
        // A relative destination is the remote session's working directory's (the remote user's home), as a local
        // command takes it from the caller's.
        Cli.Result relative = remote("start", "--suspended", "--json", nginx.url("small.bin").toString(), "x.bin");
        assertEquals(0, relative.exit(), relative.toString());
        assertEquals(ssh.home().resolve("x.bin").toString(),
                relative.json().path("fileList").get(0).path("localName").asText(), relative.toString());
        assertEquals(0, remote("remove", relative.json().path("jobId").asText()).exit());
        Cli.Result missing = remote("start", "--async", nginx.url("small.bin").toString(),
                remoteDir.resolve("no/such/dir/x.bin").toString());
        assertEquals(2, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("ERROR_PATH_NOT_FOUND"), missing.toString());
        assertEquals(0, remote("get", "--json").json().size(), "bad input created no job");

        // A relative upload source is the remote user's home's; the file exists only there.
        Path inHome = ssh.home().resolve("jbits-it-upload-" + System.nanoTime() + ".txt");
        Files.writeString(inHome, "from the remote home\n");
        try {
            Cli.Result up = remote("start", "--suspended", "--json", "--transfer-type", "upload",
                    inHome.getFileName().toString(), nginx.url("up/x.txt").toString());
            assertEquals(0, up.exit(), up.toString());
            assertEquals(inHome.toString(), up.json().path("fileList").get(0).path("localName").asText());
        } finally {
            Files.deleteIfExists(inHome);
        }

        // --from-csv: the file is read here (the remote user could not read it), its paths are the remote ones.
        Path csv = rootOnly.resolve("files.csv");
        Files.writeString(csv, "Source,Destination\n" + nginx.url("small.bin") + "," + remoteDir.resolve("c1.bin") + "\n"
                + nginx.url("big.bin") + "," + remoteDir.resolve("c2.bin") + "\n", StandardCharsets.UTF_8);
        Cli.Result fromCsv = remote("start", "--suspended", "--json", "--from-csv", csv.toString());
        assertEquals(0, fromCsv.exit(), fromCsv.toString());
        JsonNode files = fromCsv.json().path("fileList");
        assertEquals(2, files.size(), fromCsv.toString());
        assertEquals(remoteDir.resolve("c2.bin").toString(), files.get(1).path("localName").asText());
        Path badCsv = rootOnly.resolve("bad.csv");
        Files.writeString(badCsv, "Source,Destination\n" + nginx.url("small.bin") + "," + rootOnly.resolve("c.bin") + "\n");
        Cli.Result bad = remote("start", "--suspended", "--from-csv", badCsv.toString());
        assertEquals(4, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("line 2") && bad.err().contains("E_ACCESSDENIED"), bad.toString());
    }

    /** {@code jbits --host ... start URL DEST} as a process of its own, for killing. */
    private Process startClient(Path dest, Path out) throws IOException {
        List<String> cmd = new ArrayList<>(cli.javaCommand());
        cmd.addAll(List.of("--host", ssh.url(), "start", nginx.rateUrl("big.bin", "256k").toString(), dest.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("JBITS_HOME", cli.home().toString());
        pb.environment().putAll(ssh.env());
        return pb.start();
    }

    /** The one job of the remote user, once it has bytes. */
    private String awaitTransferring() {
        JsonNode j = Await.until(WAIT, "a remote job with bytes", () -> remote("get", "--json").json(),
                a -> a.size() == 1 && a.get(0).path("bytesTransferred").asLong() > 0);
        return j.get(0).path("jobId").asText();
    }

    @Test
    void aJobKeepsRunningWhenTheClientIsKilled() throws Exception {
        Path dest = remoteDir.resolve("big.bin");
        Process client = startClient(dest, tmp.resolve("client.out"));
        String id = awaitTransferring();
        client.destroyForcibly();
        assertTrue(client.waitFor(30, TimeUnit.SECONDS));
        long before = job(id).path("bytesTransferred").asLong();
        JsonNode done = await(id, "the job goes on to Transferred", j -> state(j).equals("Transferred"));
        assertTrue(done.path("bytesTransferred").asLong() > before, done.toString());
        assertEquals(0, remote("complete", id).exit());
        assertArrayEquals(big, Files.readAllBytes(dest));
    }

    @Test
    void aDroppedConnectionIsReportedAndTheJobKeepsRunning() throws Exception {
        Path dest = remoteDir.resolve("big.bin");
        Path out = tmp.resolve("client.out");
        Process client = startClient(dest, out);
        String id = awaitTransferring();
        ProcessHandle sshProcess = Await.until(WAIT, "the client's ssh", () -> client.toHandle().children()
                .filter(c -> c.info().command().orElse("").endsWith("/ssh")).findFirst(), Optional::isPresent).get();
        sshProcess.destroyForcibly();
        assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the client ends when its connection does");
        String said = Files.readString(out);
        assertEquals(5, client.exitValue(), said);
        assertTrue(said.contains("lost the ssh connection to " + USER + "@127.0.0.1:" + ssh.port()), said);
        assertTrue(said.contains("keep running there") && said.contains("RPC_S_CALL_FAILED 0x800706BE"), said);
        JsonNode done = await(id, "the job goes on to Transferred", j -> state(j).equals("Transferred"));
        assertEquals(big.length, done.path("bytesTransferred").asLong());
        assertEquals(0, remote("complete", id).exit());
        assertArrayEquals(big, Files.readAllBytes(dest));
    }

    @Test
    void ctrlCOfASynchronousStartRemovesTheRemoteJobAsStartBitsTransferDoes() throws Exception {
        Path dest = remoteDir.resolve("big.bin");
        Path out = tmp.resolve("client.out");
        Process client = startClient(dest, out);
        String id = awaitTransferring();
        client.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook runs
        assertTrue(client.waitFor(60, TimeUnit.SECONDS));
        String said = Files.readString(out);
        assertTrue(said.contains("interrupted: removed job " + id), said);
        Cli.Result r = remote("get", "--json", id);
        assertEquals(3, r.exit(), "the job is gone on the remote host: " + r);
        assertFalse(Files.exists(dest));
    }

    @Test
    void anAgentThatCannotStartThereIsTheRemoteJbitsOwnError() throws Exception {
        stopRemoteAgent();
        Path state = remoteState();
        Path aside = state.resolveSibling("jbits.aside");
        Files.move(state, aside);
        try {
            // A root-owned file where the remote user's state directory goes: its agent cannot start.
            Files.writeString(state, "not a directory\n");
            Cli.Result r = remote("get");
            assertEquals(5, r.exit(), r.toString());
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.err().startsWith("jbits: on " + USER + "@127.0.0.1:" + ssh.port() + ": cannot create the state"
                    + " directory " + state), r.toString());
        } finally {
            Files.deleteIfExists(state);
            Files.move(aside, state);
        }
        assertEquals(0, remote("get").exit(), "the agent starts again once it can");
    }

    @Test
    void aShellStartupFilePrintingToStdoutIsNamed() throws Exception {
        Path bashrc = ssh.home().resolve(".bashrc");
        byte[] before = Files.exists(bashrc) ? Files.readAllBytes(bashrc) : null;
        // bash sources ~/.bashrc for a command run by sshd; one that prints before its "interactive?" check
        // would put text into the protocol.
        Files.writeString(bashrc, "echo 'Welcome to the build host'\n" + (before == null ? ""
                : new String(before, StandardCharsets.UTF_8)));
        try {
            Cli.Result r = remote("get");
            assertEquals(5, r.exit(), r.toString());
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.err().contains("sent 'Welcome to the build host', not the agent's protocol")
                    && r.err().contains("~/.bashrc"), r.toString());
        } finally {
            if (before == null) {
                Files.delete(bashrc);
            } else {
                Files.write(bashrc, before);
            }
        }
    }

    @Test
    void aRefusedAuthenticationIsAccessDenied() {
        Cli.Result r = remoteWith(Map.of("JBITS_SSH_CONFIG", ssh.strangerConfig().toString()), "get");
        assertEquals(4, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().startsWith("jbits: ssh could not log in to " + USER + "@127.0.0.1:" + ssh.port()), r.toString());
        assertTrue(r.err().contains("Permission denied (publickey)") && r.err().contains("E_ACCESSDENIED 0x80070005"),
                r.toString());
        assertFalse(r.err().toLowerCase().contains("password:"), "no password prompt");
    }

    @Test
    void anUnknownHostKeyIsRefused() {
        Cli.Result r = remoteWith(Map.of("JBITS_SSH_CONFIG", ssh.unknownHostConfig().toString()), "get");
        assertEquals(5, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("refused the host key") && r.err().contains("Host key verification failed"),
                r.toString());
    }

    @Test
    void aHostThatIsDownIsUnreachable() {
        String url = "ssh://" + USER + "@127.0.0.1:" + org.jbits.testing.Ports.free();
        Cli.Result r = cli.run(ssh.env(), "--host", url, "get");
        assertEquals(5, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("cannot reach " + USER + "@127.0.0.1") && r.err().contains("Connection refused")
                && r.err().contains("RPC_S_SERVER_UNAVAILABLE 0x800706BA"), r.toString());
        // The same through JBITS_HOST.
        Map<String, String> env = new HashMap<>(ssh.env());
        env.put("JBITS_HOST", url);
        Cli.Result viaEnv = cli.run(env, "get");
        assertEquals(5, viaEnv.exit(), viaEnv.toString());
    }

    @Test
    void jbitsMissingOnTheHostIsNamed() {
        Cli.Result r = remote("--remote-jbits", "/nonexistent/jbits", "get");
        assertEquals(5, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("jbits is not found on " + USER + "@127.0.0.1") && r.err().contains("--remote-jbits"),
                r.toString());
        Cli.Result viaEnv = remoteWith(Map.of("JBITS_REMOTE_PATH", "/nonexistent/jbits"), "get");
        assertEquals(5, viaEnv.exit(), viaEnv.toString());
        // The installed launcher named by its full path works as the one on the PATH does.
        Cli.Result named = remote("--remote-jbits", ssh.remoteJbits().toString(), "get", "--json");
        assertEquals(0, named.exit(), named.toString());
    }

    @Test
    void sshMissingHereIsNamed() {
        Cli.Result r = remoteWith(Map.of("PATH", "/nonexistent"), "get");
        assertEquals(5, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("cannot run ssh") && r.err().contains("openssh-client"), r.toString());
    }

    @Test
    void aBadHostIsBadInputAndStartsNothing() {
        for (String bad : List.of("http://127.0.0.1", "127.0.0.1", "ssh://", "ssh://127.0.0.1/path",
                "ssh://u:secret@127.0.0.1", "ssh://127.0.0.1:0", "ssh://127.0.0.1:70000", "ssh://-oProxyCommand=x",
                "ssh://-l@127.0.0.1")) {
            Cli.Result r = cli.run(ssh.env(), "--host", bad, "get");
            assertEquals(2, r.exit(), bad + ": " + r);
            assertEquals(1, r.errLines().size(), bad + ": " + r);
            assertTrue(r.err().contains("E_INVALIDARG 0x80070057"), bad + ": " + r);
            assertFalse(r.err().contains("secret"), "a password in the URL is never shown: " + r);
        }
        Map<String, String> env = new HashMap<>(ssh.env());
        env.put("JBITS_HOST", "ftp://127.0.0.1");
        Cli.Result r = cli.run(env, "get");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("JBITS_HOST") && r.err().contains("only ssh://"), r.toString());
        env.put("JBITS_HOST", "");
        Cli.Result local = cli.run(env, "get", "--json");
        assertEquals(0, local.exit(), "an empty JBITS_HOST is this machine: " + local);
        cli.close();
        Cli.Result agent = remote("agent", "status");
        assertEquals(2, agent.exit(), agent.toString());
        assertTrue(agent.err().contains("acts on this machine"), agent.toString());
        assertEquals(0, remote("get").exit(), "the remote agent runs");
        long agentPid = remoteAgent().orElseThrow().pid();
        Cli.Result stop = remote("agent", "stop");
        assertEquals(2, stop.exit(), stop.toString());
        assertEquals(Optional.of(agentPid), remoteAgent().map(ProcessHandle::pid),
                "--host with 'agent stop' stopped no agent, here or there");
    }
}
