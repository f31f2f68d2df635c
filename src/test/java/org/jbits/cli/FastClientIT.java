package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.FastClient;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's fast client ({@code native/jbits-fast.c}, compiled as install compiles it) against the packaged
 * jar's agent and its command host ({@link CommandHost}): a job command runs in the agent with the client's working
 * directory, umask, output charset, exit status and Ctrl-C; whatever it cannot run (no agent, standard input,
 * another build) goes to the JVM launcher, here a script that leaves a mark, so every test says which way the
 * command went.
 */
class FastClientIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Cli cli;
    Path home;
    Path marks;
    Path launcher;
    Path work;

    @BeforeEach
    void setUp() throws Exception {
        home = tmp.resolve("home");
        cli = new Cli(home);
        work = Files.createDirectories(tmp.resolve("work"));
        marks = tmp.resolve("jvm-runs.txt");
        Files.createFile(marks);
        FastClient.command(cli.javaCommand(), jar()); // compiles the client
        launcher = tmp.resolve("jvm-launcher.sh");
        FastClient.writeLauncher(launcher, cli.javaCommand(), "echo \"$*\" >> '" + marks + "'\n");
        assertEquals(0, cli.run("agent", "start").exit());
    }

    @AfterEach
    void tearDown() {
        cli.close();
    }

    private static Path jar() {
        return Path.of(System.getProperty("jbits.jar")).toAbsolutePath();
    }

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private ProcessBuilder builder(Path jarArg, String shellPrefix, String... args) {
        List<String> cmd = new ArrayList<>();
        if (shellPrefix != null) {
            cmd.addAll(List.of("sh", "-c", shellPrefix + "; exec \"$@\"", "sh"));
        }
        return builder(cmd, jarArg, args);
    }

    /**
     * The client with SIGINT at its default disposition, as a terminal's foreground command has it: a test JVM
     * started in the background by a non-interactive shell (CI) has it ignored, and its children with it, and an
     * ignored SIGINT stays ignored (aSignalTheCallerIgnoresStaysIgnoredAsUnderNohup); sh cannot reset one ignored
     * on entry, so python does, then execs the client in the same process.
     */
    private ProcessBuilder builderWithDefaultSigint(String... args) {
        return builder(List.of("python3", "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
                + " os.execv(sys.argv[1], sys.argv[1:])"), jar(), args);
    }

    private ProcessBuilder builder(List<String> prefix, Path jarArg, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(FastClient.binary().toString());
        cmd.add(launcher.toString());
        cmd.add(jarArg.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("JBITS_HOME", home.toString());
        pb.environment().remove("JBITS_NO_FAST");
        return pb;
    }

    private Run run(Map<String, String> env, String stdin, String shellPrefix, String... args) throws Exception {
        ProcessBuilder pb = builder(jar(), shellPrefix, args);
        pb.environment().putAll(env);
        return finish(pb, stdin);
    }

    private Run run(String... args) throws Exception {
        return run(Map.of(), null, null, args);
    }

    private static Run finish(ProcessBuilder pb, String stdin) throws Exception {
        Path out = Files.createTempFile("fast-out", ".txt");
        Path err = Files.createTempFile("fast-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = pb.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the client did not end in 120 s");
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private List<String> jvmRuns() throws IOException {
        return Files.readAllLines(marks);
    }

    @Test
    void aSynchronousStartRunsInTheAgentWithTheClientsDirectoryAndUmask() throws Exception {
        byte[] content = TestData.random(300_000, 7);
        Files.write(work.resolve("src.bin"), content);
        Run r = run(Map.of(), null, "umask 077", "start", "src.bin", "copy.bin");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("Transferred 1 file(s), 293.0 KiB in "), r::toString);
        assertEquals(List.of(), jvmRuns(), "the command ran in the agent, not in a JVM of its own");
        Path copy = work.resolve("copy.bin");
        assertEquals(TestData.sha256(content), TestData.sha256(Files.readAllBytes(copy)),
                "the relative names are the client's working directory's, not the agent's");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)),
                "the file has the client's umask (077), not the agent's");
        Run again = run(Map.of(), null, "umask 022", "start", "src.bin", "copy2.bin");
        assertEquals(0, again.exit(), again::toString);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("copy2.bin"))));
        Run get = run("get", "--json");
        assertEquals(0, get.exit(), get::toString);
        assertEquals("[ ]", get.out().trim(), "completed jobs are gone");
        assertEquals(List.of(), jvmRuns());
    }

    @Test
    void errorsAndExitStatusesAreTheJvmsOwn() throws Exception {
        Files.writeString(work.resolve("src.bin"), "x");
        String[][] commands = {
            {"get", "nosuch"}, {"start"}, {"start", "--bogus"}, {"start", "nosuchfile", "x.bin"},
            {"start", "src.bin", "src.bin"}, {"start", "src.bin", "/nonexistent/dir/x"}, {"remove", "nosuch"},
            {"start", "--help"}, {"get", "--json"}, {"start", "--display-name", "n".repeat(257), "src.bin", "y"},
        };
        for (String[] c : commands) {
            Run fast = run(c);
            Run jvm = run(Map.of("JBITS_NO_FAST", "1"), null, null, c);
            assertEquals(jvm.toString(), fast.toString(), "jbits " + String.join(" ", c));
        }
        assertEquals(commands.length, jvmRuns().size(), "only the JBITS_NO_FAST runs started a JVM: " + jvmRuns());
        for (String[] c : commands) {
            assertTrue(jvmRuns().contains(String.join(" ", c)), "a JVM ran jbits " + String.join(" ", c));
        }
        assertFalse(Files.exists(work.resolve("x.bin")) || Files.exists(work.resolve("y")), "bad input created nothing");
    }

    @Test
    void aCommandThatNeedsStandardInputOrAnotherBuildGoesToTheJvm() throws Exception {
        Files.writeString(work.resolve("a.txt"), "a");
        Run made = run("start", "--suspended", "--json", "--display-name", "held", "a.txt", "b.txt");
        assertEquals(0, made.exit(), made::toString);
        String id = made.json().path("jobId").asText();
        assertEquals(List.of(), jvmRuns());

        Run viaStdin = run(Map.of(), id + "\n", null, "get", "--json", "-");
        assertEquals(0, viaStdin.exit(), viaStdin::toString);
        assertEquals(id, viaStdin.json().get(0).path("jobId").asText());
        assertEquals(List.of("get --json -"), jvmRuns(), "standard input is read by a JVM of the client's own");

        Files.writeString(work.resolve("rows.csv"), "Source, Destination\na.txt, c.txt\n");
        Run csvStdin = run(Map.of(), "Source, Destination\na.txt, d.txt\n", null, "start", "--from-csv", "-");
        assertEquals(0, csvStdin.exit(), csvStdin::toString);
        assertEquals("a", Files.readString(work.resolve("d.txt")));
        Run csvFile = run("start", "--from-csv", "rows.csv");
        assertEquals(0, csvFile.exit(), csvFile::toString);
        assertEquals("a", Files.readString(work.resolve("c.txt")), "a CSV file named relative to the client");
        assertEquals(2, jvmRuns().size(), "only --from-csv - needed a JVM: " + jvmRuns());

        // A client of another build (its jar is another file) never runs in this agent.
        Path other = tmp.resolve("other.jar");
        Files.copy(jar(), other);
        Run otherBuild = finish(builder(other, null, "get", "held", "--json"), null);
        assertEquals(0, otherBuild.exit(), otherBuild::toString);
        assertEquals(3, jvmRuns().size(), "another build's client went to the JVM: " + jvmRuns());
        assertEquals(0, run("remove", id).exit());
    }

    @Test
    void optionsForTheJvmAndAtFilesGoToTheJvm() throws Exception {
        Files.writeString(work.resolve("opts"), "--json\n");
        Run atFile = run("get", "@opts");
        assertEquals(0, atFile.exit(), atFile::toString);
        assertEquals("[ ]", atFile.out().trim(), "picocli read @opts relative to the client's directory");
        Run toolOptions = run(Map.of("JAVA_TOOL_OPTIONS", "-Dx=y"), null, null, "get", "--json");
        assertEquals(0, toolOptions.exit(), toolOptions::toString);
        Run host = run("--host", "ssh://nobody@127.0.0.1:1", "get");
        assertEquals(List.of("get @opts", "get --json", "--host ssh://nobody@127.0.0.1:1 get"), jvmRuns());
        assertTrue(host.exit() != 0, host::toString);
    }

    @Test
    void withNoAgentTheJvmRunsTheCommandAndStartsOne() throws Exception {
        assertEquals(0, cli.run("agent", "stop").exit());
        Files.writeString(work.resolve("a.txt"), "a");
        Run first = run("start", "a.txt", "b.txt");
        assertEquals(0, first.exit(), first::toString);
        assertEquals(List.of("start a.txt b.txt"), jvmRuns());
        Run second = run("start", "a.txt", "c.txt");
        assertEquals(0, second.exit(), second::toString);
        assertEquals(1, jvmRuns().size(), "the agent the first one started runs the second");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("cli.sock"))),
                "the command socket is the user's only, as agent.sock is");
    }

    @Test
    void ctrlCRemovesTheJobAsTheJvmDoesAndKillLeavesIt() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            String url = silent.url();

            Process p = builderWithDefaultSigint("start", url, "never.bin").redirectErrorStream(true).start();
            StringBuffer output = new StringBuffer();
            Thread reader = new Thread(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        output.append(line).append('\n');
                    }
                } catch (IOException ignored) {
                    // ended
                }
            });
            reader.start();
            // Its first progress line comes once it follows the job (and would remove it on Ctrl-C), as in a JVM.
            Await.until(Duration.ofSeconds(30), "the command follows its job", () -> output.indexOf("Connecting") >= 0);
            assertEquals(1, jobCount());
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);
            String said = output.toString();
            assertEquals(130, p.exitValue(), said);
            assertTrue(said.contains("jbits: interrupted: removed job ") && said.contains("[E_ABORT 0x80004004]"), said);
            assertEquals(0, jobCount(), "Ctrl-C removed the job, as Start-BitsTransfer does");

            Process k = builder(jar(), null, "start", url, "never2.bin").redirectErrorStream(true).start();
            Await.until(Duration.ofSeconds(30), "the job is there", () -> jobCount() == 1);
            k.destroyForcibly();
            assertTrue(k.waitFor(30, TimeUnit.SECONDS));
            Thread.sleep(1500); // past the run's next long-poll (1 s): it must have stopped, not completed or removed
            assertEquals(1, jobCount(), "kill -9 of the client leaves the job, as kill -9 of a JVM does");
            assertEquals(List.of(), jvmRuns());
            assertEquals(0, run("remove", jobs().get(0).path("jobId").asText()).exit());
        }
    }

    @Test
    void aSignalTheCallerIgnoresStaysIgnoredAsUnderNohup() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            String url = silent.url();
            // trap '' HUP: SIGHUP ignored, and ignored it stays across exec, as nohup leaves it.
            Process p = builder(jar(), "trap '' HUP", "start", url, "kept.bin").redirectErrorStream(true).start();
            Await.until(Duration.ofSeconds(30), "the job is there", () -> jobCount() == 1);
            Thread.sleep(500);
            new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start().waitFor();
            assertFalse(p.waitFor(3, TimeUnit.SECONDS), "an ignored SIGHUP ended the command");
            assertEquals(1, jobCount(), "and the job is still there");
            new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(143, p.exitValue(), said);
            assertEquals(0, jobCount(), "SIGTERM removed it, as a JVM's hook does: " + said);
            assertEquals(List.of(), jvmRuns());
        }
    }

    /** An HTTP server on loopback that accepts and never answers: a job of it stays Connecting. */
    private static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        SilentServer() throws IOException {
            Thread t = new Thread(() -> {
                while (true) {
                    try {
                        held.add(socket.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/never";
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private JsonNode jobs() throws Exception {
        Run r = run("get", "--json");
        assertEquals(0, r.exit(), r::toString);
        return r.json();
    }

    private int jobCount() {
        try {
            return jobs().size();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void textIsEncodedAsTheClientsLocaleSays() throws Exception {
        Files.writeString(work.resolve("a.txt"), "a");
        Run made = run("start", "--suspended", "--display-name", "Grüße", "a.txt", "b.txt");
        assertEquals(0, made.exit(), made::toString);
        for (String lang : List.of("C.UTF-8", "C")) {
            Map<String, String> env = Map.of("LC_ALL", lang);
            Run fast = run(env, null, null, "get", "Grüße");
            Map<String, String> jvmEnv = new java.util.HashMap<>(env);
            jvmEnv.put("JBITS_NO_FAST", "1");
            Run jvm = run(jvmEnv, null, null, "get", "Grüße");
            assertEquals(jvm.toString(), fast.toString(), "LC_ALL=" + lang);
        }
    }

    @Test
    void manyClientsAtOnceAllGetTheirAnswer() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                runs.add(pool.submit(() -> run("get", "--json")));
            }
            for (Future<Run> f : runs) {
                Run r = f.get(120, TimeUnit.SECONDS);
                assertEquals(0, r.exit(), r::toString);
                assertEquals("[ ]", r.out().trim());
            }
        } finally {
            pool.shutdownNow();
        }
        // Beyond the host's 16 at once, clients go to the JVM: never an error; most run in the agent.
        assertTrue(jvmRuns().size() < 40, jvmRuns()::toString);
    }

    @Test
    void aClientThatSendsNothingIsDroppedAndTheHostServesOn() throws Exception {
        try (java.nio.channels.SocketChannel idle = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(home.resolve("cli.sock")))) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
            long t0 = System.nanoTime();
            int n = idle.read(b); // the host's request deadline (5 s) closes it
            assertEquals(-1, n);
            assertTrue(System.nanoTime() - t0 < 30_000_000_000L);
            Run r = run("get", "--json");
            assertEquals(0, r.exit(), r::toString);
            assertEquals(List.of(), jvmRuns());
        }
    }
}
