package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jbits.HResult;
import org.jbits.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a process under abuse: floods of connections that never finish a line, a line that never ends, a
 * hung agent, requests that are not quite requests, a removed socket, CLIs racing to start it, another user, and
 * text meant to forge its log. Each test drives the shipped jar and the real agent; the figures they measure are
 * printed (and asserted against bounds).
 */
class AgentHardeningIT {
    @TempDir
    Path tmp;

    // --- Hardening item 3: connection floods ---

    @Test
    void aFloodOfHalfLineConnectionsKeepsThreadsAndMemoryBoundedAndStatusStillAnswersWithinASecond() throws Exception {
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            assertEquals(0, cli.run("get").exit());
            long pid = cli.agentPid();
            Path sock = cli.home().resolve("agent.sock");
            int threadsBefore = procStatus(pid, "Threads");
            long rssBefore = procStatus(pid, "VmRSS");
            List<SocketChannel> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 3000; i++) {
                    try {
                        SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                        c.write(ByteBuffer.wrap("{\"op\":\"get\",\"jobs\":[\"".getBytes(StandardCharsets.UTF_8)));
                        flood.add(c);
                    } catch (IOException closedByTheAgent) {
                        // the agent closes the idlest connections once it holds its limit
                    }
                }
                Thread.sleep(1000);
                int threadsAfter = procStatus(pid, "Threads");
                long rssAfter = procStatus(pid, "VmRSS");
                long t0 = System.nanoTime();
                AgentClient.Probe probe = AgentClient.probe(sock);
                long probeMillis = ms(t0);
                long t1 = System.nanoTime();
                Cli.Result status = cli.run("agent", "status", "--json");
                long cliMillis = ms(t1);
                System.out.printf("flood of 3000 half-line connections: agent threads %d -> %d, RSS %d -> %d MiB;"
                                + " status answered in %d ms (jbits agent status: %d ms, JVM start included)%n",
                        threadsBefore, threadsAfter, rssBefore >> 10, rssAfter >> 10, probeMillis, cliMillis);
                assertEquals(AgentClient.Probe.Outcome.RUNNING, probe.outcome(), String.valueOf(probe));
                assertTrue(probeMillis < 1000, "status answered in " + probeMillis + " ms");
                assertEquals(0, status.exit(), status::toString);
                assertTrue(status.json().path("running").asBoolean(), status::toString);
                assertTrue(threadsAfter <= threadsBefore + 2, "threads " + threadsBefore + " -> " + threadsAfter);
                assertTrue(rssAfter - rssBefore < 64 << 10, "RSS " + rssBefore + " -> " + rssAfter + " KiB");
            } finally {
                for (SocketChannel c : flood) {
                    c.close();
                }
            }
        }
    }

    // --- Hardening item 12: the request limit while streaming ---

    @Test
    void aHundredMegabyteLineWithoutANewlineGetsOneErrorAndTheAgentsMemoryStaysBounded() throws Exception {
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            assertEquals(0, cli.run("get").exit());
            long pid = cli.agentPid();
            long rssBefore = procStatus(pid, "VmRSS");
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(cli.home().resolve("agent.sock")))) {
                long[] sent = {0};
                Thread writer = new Thread(() -> {
                    ByteBuffer chunk = ByteBuffer.wrap("x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII));
                    try {
                        for (int i = 0; i < 100; i++) {
                            chunk.rewind();
                            while (chunk.hasRemaining()) {
                                sent[0] += c.write(chunk);
                            }
                        }
                    } catch (IOException closed) {
                        // the agent stopped reading and closed the connection
                    }
                });
                writer.start();
                String reply = readLine(c, Duration.ofSeconds(30));
                writer.join(30_000);
                long rssAfter = procStatus(pid, "VmRSS");
                System.out.printf("a 100 MB line: the agent replied after %d MiB were sent; RSS %d -> %d MiB%n",
                        sent[0] >> 20, rssBefore >> 10, rssAfter >> 10);
                JsonNode r = Json.parse(reply);
                assertEquals(HResult.E_INVALIDARG, r.path("hresult").asInt(), reply);
                assertTrue(r.path("message").asText().contains("over 1048576 bytes"), reply);
                assertFalse(writer.isAlive(), "the connection was closed, so the writer stopped");
                assertTrue(sent[0] < 100L << 20, "the agent did not take all 100 MB: " + sent[0]);
                assertTrue(rssAfter - rssBefore < 32 << 10, "RSS " + rssBefore + " -> " + rssAfter + " KiB");
            }
            assertEquals(0, cli.run("get").exit(), "the agent still serves");
        }
    }

    // --- Hardening item 3: a hung agent ---

    @Test
    void aHungAgentGivesExitFiveWithOneLineWithinBoundedTime() throws Exception {
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            assertEquals(0, cli.run("get").exit());
            long pid = cli.agentPid();
            signal("STOP", pid);
            try {
                long t0 = System.nanoTime();
                Cli.Result status = run(cli, List.of(), Duration.ofSeconds(60), "agent", "status");
                long statusMillis = ms(t0);
                long t1 = System.nanoTime();
                Cli.Result get = run(cli, List.of("-Djbits.client.replyTimeoutMillis=2000"), Duration.ofSeconds(60), "get");
                long getMillis = ms(t1);
                System.out.printf("a hung (SIGSTOPped) agent: 'agent status' exit %d after %d ms, 'get' exit %d after %d ms%n",
                        status.exit(), statusMillis, get.exit(), getMillis);
                for (Cli.Result r : List.of(status, get)) {
                    assertEquals(5, r.exit(), r::toString);
                    assertEquals(1, r.errLines().size(), r::toString);
                    assertTrue(r.errLines().get(0).contains("does not answer") || r.errLines().get(0).contains("did not answer"),
                            r::toString);
                }
                assertTrue(statusMillis < 20_000 && getMillis < 20_000, statusMillis + " / " + getMillis + " ms");
            } finally {
                signal("CONT", pid);
            }
            assertEquals(0, cli.run("get").exit(), "the agent serves again once it runs");
        }
    }

    // --- Hardening item 9: set is all or nothing ---

    @Test
    void aSetWithAnyBadValueChangesNothing() throws Exception {
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            assertEquals(0, cli.run("start", "--suspended", "--display-name", "atomic", "--description", "before",
                    "http://127.0.0.1:9/f", tmp.resolve("f").toString()).exit());
            JsonNode before = job(cli, "atomic");
            List<String[]> bad = List.of(
                    new String[]{"set", "atomic", "--description", "after", "--priority", "bogus"},
                    new String[]{"set", "atomic", "--description", "after", "--retry-interval", "99999999999"},
                    new String[]{"set", "atomic", "--description", "after", "--priority", "low", "--proxy-usage", "override"},
                    new String[]{"set", "atomic", "--description", "after", "--display-name", "n".repeat(257)});
            for (String[] args : bad) {
                Cli.Result r = cli.run(args);
                assertEquals(2, r.exit(), r::toString);
                assertEquals(1, r.errLines().size(), r::toString);
                assertTrue(r.errLines().get(0).matches("jbits: .*\\[[A-Z_]+ 0x[0-9A-F]{8}]"), r::toString);
                JsonNode now = job(cli, "atomic");
                for (String f : List.of("displayName", "description", "priority", "retryInterval", "proxyUsage")) {
                    assertEquals(before.path(f), now.path(f), f + " after " + String.join(" ", args));
                }
            }
            Cli.Result ok = cli.run("set", "atomic", "--json", "--description", "after", "--priority", "low");
            assertEquals(0, ok.exit(), ok::toString);
            assertEquals("after", ok.json().path("description").asText());
            assertEquals("Low", ok.json().path("priority").asText());
        }
    }

    // --- Engine seams item 4 / hardening item 17: the protocol is strict ---

    @Test
    void requestsWithWrongTypesBadTextOrUnknownFieldsAreRefusedNamingTheFieldAndCreateNothing() throws Exception {
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            assertEquals(0, cli.run("get").exit());
            Path sock = cli.home().resolve("agent.sock");
            String files = "\"files\":[{\"remote\":\"http://127.0.0.1:9/f\",\"local\":\"" + tmp.resolve("f") + "\"}]";
            Map<String, String> cases = Map.of(
                    "{\"op\":\"submit\"," + files + ",\"suspended\":\"yes\"}", "'suspended'",
                    "{\"op\":\"submit\"," + files + ",\"properties\":{\"retryInterval\":\"abc\"}}", "'retryInterval'",
                    "{\"op\":\"submit\"," + files + ",\"properties\":{\"displayName\":\"a\\u0000b\"}}", "NUL",
                    "{\"op\":\"submit\"," + files + ",\"properties\":{\"description\":\"\\ud800\"}}", "lone surrogate",
                    "{\"op\":\"submit\"," + files + ",\"expectedSha256\":[\"00\"]}", "'expectedSha256'",
                    "{\"op\":\"submit\"," + files + ",\"properties\":{\"priority\":\"urgent\"}}", "'priority'");
            for (Map.Entry<String, String> c : cases.entrySet()) {
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                    ch.write(ByteBuffer.wrap((c.getKey() + "\n").getBytes(StandardCharsets.UTF_8)));
                    JsonNode r = Json.parse(readLine(ch, Duration.ofSeconds(30)));
                    assertEquals(HResult.E_INVALIDARG, r.path("hresult").asInt(), c.getKey() + " -> " + r);
                    assertTrue(r.path("message").asText().contains(c.getValue()), c.getKey() + " -> " + r);
                }
            }
            assertEquals(0, cli.run("get", "--json").json().size(), "no request made a job");
        }
    }

    // --- Hardening item 15: races ---

    @Test
    void anAgentWhoseSocketWasRemovedOrReplacedBindsItAgainAndStaysReachable() throws Exception {
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            assertEquals(0, cli.run("start", "--suspended", "--display-name", "kept", "http://127.0.0.1:9/f",
                    tmp.resolve("f").toString()).exit());
            long pid = cli.agentPid();
            Path sock = cli.home().resolve("agent.sock");

            Files.delete(sock);
            Cli.Result status = cli.run("agent", "status", "--json");
            assertEquals(0, status.exit(), status::toString);
            assertTrue(status.json().path("running").asBoolean(), status::toString);
            assertEquals(pid, status.json().path("pid").asLong());
            assertEquals(1, cli.run("get", "--json").json().size(), "the same agent, with its job");

            Files.delete(sock);
            Files.writeString(sock, "someone else's file");
            Cli.Result get = cli.run("get", "kept", "--json");
            assertEquals(0, get.exit(), get::toString);
            assertEquals(pid, cli.agentPid(), "no second agent was started");

            Files.delete(sock);
            Cli.Result stop = cli.run("agent", "stop");
            assertEquals(0, stop.exit(), stop::toString);
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the agent stopped");
        }
    }

    @Test
    void concurrentFirstCommandsOnAFreshStateDirectoryAllSucceedWithOneAgent() throws Exception {
        try (Cli cli = new Cli(tmp.resolve("fresh"))) {
            List<Process> ps = new ArrayList<>();
            List<Path> errs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Path err = tmp.resolve("err" + i);
                ProcessBuilder pb = new ProcessBuilder(cli.javaCommand()).redirectError(err.toFile())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.command().addAll(List.of("get", "--json"));
                pb.environment().put("JBITS_HOME", cli.home().toString());
                ps.add(pb.start());
                errs.add(err);
            }
            for (int i = 0; i < ps.size(); i++) {
                assertTrue(ps.get(i).waitFor(90, TimeUnit.SECONDS), "command " + i + " finished");
                assertEquals(0, ps.get(i).exitValue(), "command " + i + ": " + Files.readString(errs.get(i)));
            }
            long agents = ProcessHandle.allProcesses()
                    .filter(h -> h.info().arguments().map(a -> List.of(a).contains("run")).orElse(false))
                    .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(cli.home().toString())).orElse(false))
                    .count();
            assertEquals(1, agents, "one agent for the state directory");
        }
    }

    @Test
    void aStartFailureNamesTheFileThatHoldsItsDetails() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // An engine that is not an agent (a program embedding jbits) holds the state directory.
        try (FileChannel ch = FileChannel.open(home.resolve("engine.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = ch.lock();
             Cli cli = new Cli(home)) {
            Cli.Result r = cli.run("get");
            assertEquals(5, r.exit(), r::toString);
            assertEquals(1, r.errLines().size(), r::toString);
            String line = r.errLines().get(0);
            assertTrue(line.contains(home.resolve("agent.out").toString()) && line.contains("another jbits engine"), line);
            for (String f : List.of("agent.out", "agent.log")) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(f))), f);
            }
            assertTrue(held.isValid());
        }
    }

    // --- Engine seams item 5: the caller's uid ---

    @Test
    void anotherUsersCommandsGetAccessDeniedExitFour() throws Exception {
        assertEquals("root", System.getProperty("user.name"),
                "this test switches to user 'nobody' and must run as root, as CI does");
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            assertEquals(0, cli.run("get").exit());
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(cli.home(), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(cli.home().resolve("agent.sock"), PosixFilePermissions.fromString("rwxrwxrwx"));
            Path jar = Files.copy(Path.of(System.getProperty("jbits.jar")), tmp.resolve("jbits.jar"));
            Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            for (List<String> args : List.of(List.of("get"), List.of("agent", "status"), List.of("agent", "stop"))) {
                List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
                        "--clear-groups", java, "-Xshare:off", "-jar", jar.toString()));
                cmd.addAll(args);
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true);
                pb.environment().put("JBITS_HOME", cli.home().toString());
                Process p = pb.start();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertEquals(4, p.exitValue(), args + ": " + out);
                assertTrue(out.lines().count() == 1 && out.contains("[E_ACCESSDENIED 0x80070005]"), args + ": " + out);
            }
            assertTrue(ProcessHandle.of(cli.agentPid()).map(ProcessHandle::isAlive).orElse(false), "nobody could not stop it");
        }
    }

    // --- Hardening item 17: the log cannot be forged ---

    @Test
    void controlCharactersInADisplayNameCannotForgeLinesOfTheAgentLog() throws Exception {
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            String name = "evil\n2026-01-01 00:00:00.000 ERROR FORGED line\u001b[31m";
            Cli.Result r = cli.run("start", "--suspended", "--display-name", name, "http://127.0.0.1:9/f",
                    tmp.resolve("f").toString());
            assertEquals(0, r.exit(), r::toString);
            List<String> log = Files.readAllLines(cli.home().resolve("agent.log"));
            assertTrue(log.stream().anyMatch(l -> l.contains("evil\\n2026-01-01 00:00:00.000 ERROR FORGED line\\u001b[31m")),
                    String.join("\n", log));
            for (String l : log) {
                assertFalse(l.startsWith("2026-01-01") || l.contains("\u001b"), l);
            }
        }
    }

    // --- helpers ---

    /** A field of /proc/PID/status, in its unit (kB for sizes). */
    private static int procStatus(long pid, String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (l.startsWith(field + ":")) {
                return Integer.parseInt(l.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError("no " + field + " in /proc/" + pid + "/status");
    }

    private static JsonNode job(Cli cli, String ref) {
        Cli.Result r = cli.run("get", ref, "--json");
        assertEquals(0, r.exit(), r::toString);
        return r.json().get(0);
    }

    private static void signal(String sig, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor());
    }

    /** Runs the CLI with extra JVM options; gives up (and fails) after {@code limit}, which Cli.run would not. */
    private static Cli.Result run(Cli cli, List<String> jvmOptions, Duration limit, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(cli.javaCommand());
        cmd.addAll(1, jvmOptions);
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("jbits-out", ".txt");
        Path err = Files.createTempFile("jbits-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JBITS_HOME", cli.home().toString());
        Process p = pb.start();
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("jbits " + String.join(" ", args) + " hung for " + limit.toSeconds() + " s");
        }
        return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** One line from {@code c}, without its newline; fails after {@code limit} (the old agent never answered). */
    private static String readLine(SocketChannel c, Duration limit) throws IOException {
        c.configureBlocking(false);
        long deadline = System.nanoTime() + limit.toNanos();
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        try (Selector sel = Selector.open()) {
            c.register(sel, SelectionKey.OP_READ);
            while (System.nanoTime() < deadline) {
                sel.select(100);
                b.clear();
                int n = c.read(b);
                if (n < 0) {
                    break;
                }
                sb.append(new String(b.array(), 0, n, StandardCharsets.UTF_8));
                int nl = sb.indexOf("\n");
                if (nl >= 0) {
                    return sb.substring(0, nl);
                }
            }
        }
        throw new AssertionError("no reply line within " + limit.toSeconds() + " s: " + sb);
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
