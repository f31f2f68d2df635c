package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jbits.server.ServerLog;
import org.jbits.server.ServerProcess;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.CountingProxy;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB upload through the packaged CLI and its agent to {@code jbits serve-uploads}, both processes of their own,
 * with the agent killed (kill -9) at four points and the server killed (kill -9) and restarted once in between. The
 * file must arrive byte-identical in the session the job opened first, and what is sent again must stay within the
 * client's bound, counted where the server sees it: a proxy in front of the server records every fragment's range
 * and the bytes it passed on, and the bytes it passed on twice for one offset are the re-sent ones;
 * and the server's own log (a line per fragment: the bytes that arrived and how many of them it held already) says
 * the same from its side.
 *
 * <p>The bound: after a kill -9 of the agent the resumed session's first fragment is a 5 KiB probe at the offset the
 * store recorded, and its ack says where the server is; so at most 5 KiB go twice per agent kill (the server keeps
 * what reached it of a fragment cut short). After a kill -9 of the server, what it had received but not yet written
 * is lost and sent again: at most its staging (its writes are checkpointed every 4 MiB) plus the probe, plus what
 * its kernel had taken in for it but it had not read (the proxy counts that as forwarded): at most the socket's
 * receive buffer. The server's log cannot show what it received and lost by dying (it logs a fragment when it ends); it shows where it
 * resumed, which must be at or past every byte it called durable before the kill, and the probe's overlap after.
 *
 * <p>Every kill lands in the middle of a fragment: when the bytes the proxy forwarded pass the kill point
 * ({@link CountingProxy#frontier}). Waiting for an ack at or past the point instead tied the kills to the client's
 * fragment size: with fragments of 256 MiB one ack passed two points at once (the agent was killed right after the
 * server, while the job waited out the server's restart in TransientError) or the last point came after the upload
 * had ended.
 */
class UploadCrashIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = Long.getLong("jbits.it.uploadMiB", 1024) * MIB;
    private static final long PROBE = 5 * 1024;

    @TempDir
    Path tmp;

    @Test
    void fourAgentKillsAndAServerRestartDeliverTheFileIdenticalAndResendAtMostTheProbePerKill() throws Exception {
        Path source = tmp.resolve("big.bin");
        String sha = TestData.writeRandom(source, SIZE, 2026);
        Path uploads = Files.createDirectories(Path.of("target", "tmp").toAbsolutePath())
                .resolve("crash-uploads-" + System.nanoTime());
        Files.createDirectories(uploads);
        Path logs = tmp.resolve("logs");
        List<String> jvm = List.of("-Djbits.log.level=INFO");
        ServerProcess server = ServerProcess.start(logs, jvm, "--dir", uploads.toString());
        List<ServerProcess> servers = new ArrayList<>(List.of(server));
        // The fragment lines of every server process, the first's then the second's.
        Supplier<List<ServerLog.Fragment>> logged = () -> servers.stream()
                .flatMap(p -> ServerLog.fragments(p.stderr()).stream()).toList();
        try (CountingProxy proxy = CountingProxy.start(address(server));
             Cli cli = new Cli(tmp.resolve("home"))) {
            String url = proxy.url("/big.bin").toString();
            Cli.Result started = cli.run("start", "--async", "--json", "--transfer-type", "upload",
                    "--retry-interval", "5", source.toString(), url);
            assertEquals(0, started.exit(), started::toString);
            String id = started.json().path("jobId").asText();
            LongSupplier acked = () -> proxy.packets().stream().filter(CountingProxy.Packet::isFragment)
                    .filter(p -> p.received() != null).mapToLong(p -> Long.parseLong(p.received())).max().orElse(0);

            // [kind, index of the first packet after it]
            List<String> events = new ArrayList<>();
            List<Integer> boundaries = new ArrayList<>();
            List<Integer> logBoundaries = new ArrayList<>();
            long[] agentKillsAt = {150 * MIB, 400 * MIB, 750 * MIB, 950 * MIB};
            long serverKillAt = 550 * MIB;
            boolean serverKilled = false;
            for (long at : agentKillsAt) {
                if (!serverKilled && at > serverKillAt) {
                    awaitSent(proxy, serverKillAt, cli, id);
                    assertEquals(137, server.signal("KILL"), "the server was killed");
                    Await.sleep(300);
                    boundaries.add(proxy.packets().size());
                    logBoundaries.add(logged.get().size());
                    events.add("server kill -9 at " + acked.getAsLong() / MIB + " MiB acknowledged, "
                            + proxy.frontier() / MIB + " MiB sent");
                    server = ServerProcess.start(logs, jvm, "--dir", uploads.toString());
                    servers.add(server);
                    proxy.target(address(server));
                    serverKilled = true;
                }
                awaitSent(proxy, at, cli, id);
                long pid = cli.agentPid();
                ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
                new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
                agent.onExit().get(30, TimeUnit.SECONDS);
                Await.sleep(300);
                boundaries.add(proxy.packets().size());
                logBoundaries.add(logged.get().size());
                events.add("agent kill -9 at " + acked.getAsLong() / MIB + " MiB acknowledged, "
                        + proxy.frontier() / MIB + " MiB sent");
                // The next command starts a new agent, which recovers the job and resumes its session.
                JsonNode job = cli.run("get", id, "--json").json().get(0);
                assertTrue(List.of("Queued", "Connecting", "Transferring").contains(job.path("jobState").asText()),
                        "the job survived " + events.get(events.size() - 1) + ": " + job);
            }
            Await.until(Duration.ofSeconds(300), "Transferred", () -> state(cli, id).equals("Transferred"));
            assertEquals(0, cli.run("complete", id).exit());
            assertEquals(sha, TestData.sha256(uploads.resolve("big.bin")), "the server has the file, byte-identical");

            List<CountingProxy.Packet> packets = proxy.packets();
            assertEquals(1, packets.stream().filter(p -> "Create-Session".equals(p.type())).count(),
                    "one session from start to end, across every kill: " + summary(packets));
            boundaries.add(packets.size());
            List<ServerLog.Fragment> serverFragments = logged.get();
            logBoundaries.add(serverFragments.size());
            StringBuilder report = new StringBuilder();
            long total = 0;
            for (int i = 0; i < events.size(); i++) {
                long before = CountingProxy.resentBytes(fragments(packets.subList(0, boundaries.get(i))));
                long after = CountingProxy.resentBytes(fragments(packets.subList(0, boundaries.get(i + 1))));
                long resent = after - before;
                total += resent;
                long held = ServerLog.heldAlready(serverFragments.subList(logBoundaries.get(i), logBoundaries.get(i + 1)));
                report.append(String.format(Locale.ROOT, "%s: %d bytes re-sent (proxy); the server's log: %d bytes"
                        + " it held already%n", events.get(i), resent, held));
                // A server's kill loses what it held but had not made durable (its staging and the range not yet
                // recorded: 16 MiB) and what its kernel had received for it but it had not read yet, which the proxy
                // counts as forwarded: at most the socket's receive buffer, which Linux grows up to tcp_rmem's maximum.
                long bound = events.get(i).startsWith("agent") ? PROBE : 16 * MIB + receiveBufferMax() + PROBE;
                assertTrue(resent <= bound, events.get(i) + ": re-sent " + resent + " bytes, bound " + bound
                        + "\n" + report);
                // The server's own count has no kernel buffer in it.
                long heldBound = events.get(i).startsWith("agent") ? PROBE : 16 * MIB + PROBE;
                assertTrue(held <= heldBound, events.get(i) + ": the server's log: " + held + " bytes held already,"
                        + " bound " + heldBound + "\n" + report);
            }
            // The server's kill, as its two logs tell it: the second resumed at or past every byte the first called
            // durable (its checkpoints survive kill -9).
            List<ServerLog.Fragment> first = ServerLog.fragments(servers.get(0).stderr());
            String session = first.get(0).session();
            long durableBeforeKill = first.stream().mapToLong(ServerLog.Fragment::durable).max().orElse(0);
            long resumedAt = ServerLog.resumedAt(servers.get(1).stderr(), session).orElseThrow(
                    () -> new AssertionError("the restarted server did not log resuming " + session));
            report.append(String.format(Locale.ROOT, "the server's log: %d bytes durable before its kill, resumed at"
                    + " %d after it; %d fragment lines, %d bytes held already in all%n", durableBeforeKill, resumedAt,
                    serverFragments.size(), ServerLog.heldAlready(serverFragments)));
            assertTrue(resumedAt >= durableBeforeKill, "the restarted server lost durable bytes\n" + report);
            assertTrue(serverFragments.stream().allMatch(f -> f.session().equals(session)), "one session\n" + report);
            assertEquals(SIZE, serverFragments.get(serverFragments.size() - 1).durable(), "the last fragment's line"
                    + " says the whole file is durable\n" + report);
            long resentInAll = CountingProxy.resentBytes(fragments(packets));
            report.append(String.format(Locale.ROOT, "in all: %d fragment bytes reached the server for a %d-byte file;"
                    + " %d re-sent (%d of them after the kills)%n", proxy.fragmentBytes(), SIZE, resentInAll, total));
            Path out = Files.createDirectories(Path.of("target", "bench"));
            Files.writeString(out.resolve("upload-crash.txt"), report.toString());
            System.out.print(report);
            assertEquals(SIZE, proxy.fragmentBytes() - resentInAll, "every byte reached the server once or more\n" + report);
            assertEquals(total, resentInAll, "nothing was re-sent but after a kill\n" + report);
        } finally {
            servers.forEach(ServerProcess::close);
            // A GiB or more per run, outside the temporary directory JUnit deletes: removed here, pass or fail.
            deleteTree(uploads);
        }
    }

    /** The largest receive buffer Linux's autotuning gives a TCP socket (tcp_rmem's third field). */
    private static long receiveBufferMax() throws java.io.IOException {
        // Read as a stream: Files.readString trusts the size /proc reports and returned one byte of it here.
        String[] f;
        try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/tcp_rmem"))) {
            f = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().split("\\s+");
        }
        return Long.parseLong(f[2]);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static List<CountingProxy.Packet> fragments(List<CountingProxy.Packet> packets) {
        return packets.stream().filter(CountingProxy.Packet::isFragment).toList();
    }

    private static String summary(List<CountingProxy.Packet> packets) {
        return packets.stream().map(p -> p.type() + (p.isFragment() ? "@" + p.first() + "+" + p.forwarded() : "")
                + ":" + p.status()).toList().toString();
    }

    /**
     * Until the fragment on its way has passed {@code bytes} of the file: the kills land in the middle of a fragment
     * whatever the client's fragment size (waiting for an ack instead would, with fragments of hundreds of MiB, put
     * two kills at one moment, or the last after the upload ended).
     */
    private static void awaitSent(CountingProxy proxy, long bytes, Cli cli, String id) {
        Await.until(Duration.ofSeconds(300), () -> "a fragment passing byte " + bytes + "; job: "
                + cli.run("get", id, "--json").out(), () -> proxy.frontier() >= bytes);
    }

    private static java.net.InetSocketAddress address(ServerProcess server) {
        return new java.net.InetSocketAddress(server.url().getHost(), server.url().getPort());
    }

    private static String state(Cli cli, String id) {
        try {
            return cli.run("get", id, "--json").json().get(0).path("jobState").asText();
        } catch (RuntimeException e) {
            return "unknown: " + e;
        }
    }
}
