package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a process: it serves only its own user (checked on the socket's peer credentials), and
 * survives kill -9 at any point of a download without losing the job or corrupting the file.
 */
class AgentIT {
    static final long MIB = 1 << 20;
    static NginxServer nginx;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.builder().limitRate("3m").start();
    }

    @AfterAll
    static void stopNginx() {
        nginx.close();
    }

    @Test
    void refusesAPeerOfAnotherUserEvenWhenTheSocketIsWorldWritable() throws Exception {
        assertEquals("root", System.getProperty("user.name"),
                "this test switches to user 'nobody' and must run as root, as CI does");
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            assertEquals(0, cli.run("start", "--suspended", "--display-name", "secret-job",
                    nginx.url("x").toString(), tmp.toString() + "/x").exit());
            // Open the file modes wide: only the peer-credential check stands between 'nobody' and the agent.
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(cli.home(), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(cli.home().resolve("agent.sock"), PosixFilePermissions.fromString("rwxrwxrwx"));
            // The client is a single-file Java program run by the same JDK as user 'nobody'.
            Path client = tmp.resolve("PeerClient.java");
            Files.writeString(client, """
                    import java.net.*; import java.nio.*; import java.nio.channels.*; import java.nio.charset.*;
                    public class PeerClient {
                        public static void main(String[] a) throws Exception {
                            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                                ch.connect(UnixDomainSocketAddress.of(a[0]));
                                // The agent may refuse before reading the request and close: a failed write is fine, the reply is what counts.
                                try { ch.write(ByteBuffer.wrap("{\\"op\\":\\"get\\"}\\n".getBytes(StandardCharsets.UTF_8))); } catch (java.io.IOException refusedEarly) { }
                                ByteBuffer b = ByteBuffer.allocate(65536);
                                while (ch.read(b) > 0 && b.get(b.position() - 1) != '\\n') { }
                                System.out.println(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim());
                            }
                        }
                    }
                    """);
            Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rw-r--r--"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    java, "-Xshare:off", client.toString(), cli.home().resolve("agent.sock").toString())
                    .directory(tmp.toFile()).redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(reply.contains("\"ok\":false") && reply.contains("E_ACCESSDENIED"), reply);
            assertFalse(reply.contains("secret-job"), "no job leaks to another user: " + reply);
            assertEquals(HResult.E_ACCESSDENIED, new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply)
                    .path("hresult").asInt());
            // The shipped CLI, run as 'nobody' against the same agent, reports the refusal in one line.
            Path jar = Files.copy(Path.of(System.getProperty("jbits.jar")), tmp.resolve("jbits.jar"));
            Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
            ProcessBuilder pb = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    java, "-Xshare:off", "-jar", jar.toString(), "get")
                    .directory(tmp.toFile()).redirectErrorStream(true);
            pb.environment().put("JBITS_HOME", cli.home().toString());
            Process cliAsNobody = pb.start();
            assertTrue(cliAsNobody.waitFor(60, TimeUnit.SECONDS));
            String out = new String(cliAsNobody.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertNotEquals(0, cliAsNobody.exitValue(), out);
            assertTrue(out.contains("E_ACCESSDENIED") && out.lines().count() == 1, out);
            assertFalse(out.contains("secret-job"), out);
            // The owner is still served.
            assertEquals(1, cli.run("get", "--json").json().size());
        }
    }

    @Test
    void sigtermCheckpointsAndTheNextAgentResumesWithARange() throws Exception {
        byte[] content = TestData.random(12 << 20, 7);
        nginx.put("term.bin", content);
        Path dest = Files.createDirectories(tmp.resolve("dest")).resolve("term.bin");
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            String id = cli.run("start", "--async", "--json", nginx.slowUrl("term.bin").toString(), dest.toString())
                    .json().path("jobId").asText();
            Await.until(Duration.ofSeconds(30), "3 MiB transferred", () -> bytes(cli, id) > 3 * MIB);
            long pid = cli.agentPid();
            ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
            new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor();
            assertTrue(agent.onExit().get(30, TimeUnit.SECONDS) != null);
            assertFalse(Files.exists(cli.home().resolve("agent.sock")), "a clean exit removes the socket");
            long kept = Files.size(tempFile(dest));
            assertTrue(kept > 3 * MIB, "the received bytes were kept: " + kept);

            Await.until(Duration.ofSeconds(60), "transferred after restart", () -> state(cli, id).equals("Transferred"));
            assertEquals(0, cli.run("complete", id).exit());
            assertEquals(TestData.sha256(content), TestData.sha256(dest));
            List<NginxServer.AccessLogEntry> log = nginx.requestsFor("/term.bin");
            assertTrue(log.size() >= 2 && log.get(log.size() - 1).rangeStart() >= kept - 4096,
                    "the restarted agent resumed at its checkpoint: " + log);
        }
    }

    /**
     * kill -9 at six points of one download: every restart resumes from the last checkpoint, re-fetching at most
     * 4 MiB of what was already on disk, and the file completes with the right content.
     */
    @Test
    void killDashNineAtSixPointsLosesNoJobAndAtMostFourMiBEachTime() throws Exception {
        byte[] content = TestData.random(64 << 20, 99);
        nginx.put("crash.bin", content);
        Path dest = Files.createDirectories(tmp.resolve("dest")).resolve("crash.bin");
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            String id = cli.run("start", "--async", "--json", "--priority", "high",
                    nginx.rateUrl("crash.bin", "1m").toString(), dest.toString()).json().path("jobId").asText();
            List<Long> onDiskAtKill = new ArrayList<>();
            long next = 2 * MIB;
            for (int kill = 0; kill < 6; kill++) {
                // Never past the file's end: on a loaded machine the agent may be further along when it is killed.
                long threshold = Math.min(next, content.length - 2 * MIB);
                Await.until(Duration.ofSeconds(60), "progress past " + threshold, () -> bytes(cli, id) > threshold);
                long pid = cli.agentPid();
                ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
                new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
                agent.onExit().get(30, TimeUnit.SECONDS);
                onDiskAtKill.add(Files.size(tempFile(dest)));
                next = bytesOnDisk(dest) + 3 * MIB;
                // The next CLI call starts a new agent, which recovers the job and resumes it.
                JsonNode job = cli.run("get", id, "--json").json().get(0);
                assertTrue(List.of("Queued", "Connecting", "Transferring").contains(job.path("jobState").asText()),
                        "the job survived kill -9 #" + (kill + 1) + ": " + job);
            }
            Await.until(Duration.ofSeconds(180), "transferred", () -> state(cli, id).equals("Transferred"));
            assertEquals(0, cli.run("complete", id).exit());
            assertEquals(TestData.sha256(content), TestData.sha256(dest), "the file is intact after six kills");

            List<NginxServer.AccessLogEntry> requests = nginx.requestsFor("/crash.bin");
            assertEquals(7, requests.size(), "one request, then one resume per kill: " + requests);
            for (int i = 0; i < 6; i++) {
                long resumeAt = requests.get(i + 1).rangeStart();
                long refetched = onDiskAtKill.get(i) - resumeAt;
                assertTrue(resumeAt > 0, "resume #" + (i + 1) + " sent Range: bytes=N- with N > 0: " + requests.get(i + 1));
                assertTrue(refetched >= 0 && refetched <= 4 * MIB, "resume #" + (i + 1) + " re-fetched " + refetched
                        + " bytes of the " + onDiskAtKill.get(i) + " on disk (resumed at " + resumeAt + ")");
            }
        }
    }

    /**
     * A server name that does not resolve is a TransientError (ERROR_WINHTTP_NAME_NOT_RESOLVED, GeneralTransport)
     * retried after the minimum retry delay: once the name resolves, the job completes. The agent resolves names
     * from a hosts file of the test's ({@code jdk.net.hosts.file}), so no DNS query leaves the machine.
     */
    @Test
    void aServerNameThatDoesNotResolveIsATransientErrorUntilItResolves() throws Exception {
        byte[] content = TestData.random(1 << 20, 11);
        nginx.put("dns.bin", content);
        Path hosts = Files.writeString(tmp.resolve("hosts"), "127.0.0.1 localhost\n");
        Path dest = Files.createDirectories(tmp.resolve("dest")).resolve("dns.bin");
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            List<String> cmd = new ArrayList<>(cli.javaCommand());
            cmd.add(1, "-Djdk.net.hosts.file=" + hosts);
            cmd.addAll(List.of("agent", "run"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("agent.out").toFile());
            pb.environment().put("JBITS_HOME", cli.home().toString());
            Process agent = pb.start();
            try {
                Await.until(Duration.ofSeconds(30), "the agent's socket", () -> Files.exists(cli.home().resolve("agent.sock")));
                String url = "http://files.jbits.invalid:" + nginx.port() + "/dns.bin";
                String id = cli.run("start", "--async", "--json", "--retry-interval", "5", url, dest.toString())
                        .json().path("jobId").asText();
                Await.until(Duration.ofSeconds(30), "TransientError", () -> state(cli, id).equals("TransientError"));
                JsonNode job = cli.run("get", id, "--json").json().get(0);
                assertEquals("ERROR_WINHTTP_NAME_NOT_RESOLVED", job.path("errorCondition").asText(), job.toString());
                assertEquals(ErrorContext.GENERAL_TRANSPORT.displayName(), job.path("errorContext").asText());
                assertTrue(job.path("errorDescription").asText().contains("files.jbits.invalid"), job.toString());
                assertFalse(Files.exists(dest));

                // The name resolves from now on (the JVM caches a failed lookup for 10 s): a retry completes the job.
                Files.writeString(hosts, "127.0.0.1 localhost\n127.0.0.1 files.jbits.invalid\n");
                Await.until(Duration.ofSeconds(60), "transferred", () -> state(cli, id).equals("Transferred"));
                assertTrue(cli.run("get", id, "--json").json().get(0).path("errorCount").asInt() >= 1);
                assertEquals(0, cli.run("complete", id).exit());
                assertEquals(TestData.sha256(content), TestData.sha256(dest));
                assertEquals(1, nginx.requestsFor("/dns.bin").size(), "nothing reached the server before the name resolved");
            } finally {
                agent.destroy();
                agent.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static long bytesOnDisk(Path dest) throws IOException {
        return Files.size(tempFile(dest));
    }

    private static Path tempFile(Path dest) throws IOException {
        try (var s = Files.list(dest.getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith("." + dest.getFileName() + "."))
                    .findFirst().orElseThrow(() -> new AssertionError("no temporary file for " + dest));
        }
    }

    private static long bytes(Cli cli, String id) {
        return cli.run("get", id, "--json").json().get(0).path("bytesTransferred").asLong();
    }

    private static String state(Cli cli, String id) {
        return cli.run("get", id, "--json").json().get(0).path("jobState").asText();
    }
}
