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
 * and the bytes it passed on, and the bytes it passed on twice for one offset are the re-sent ones.
 *
 * <p>The bound: after a kill -9 of the agent the resumed session's first fragment is a 5 KiB probe at the offset the
 * store recorded, and its ack says where the server is; so at most 5 KiB go twice per agent kill (the server keeps
 * what reached it of a fragment cut short). After a kill -9 of the server, what it had received but not yet written
 * is lost and sent again: at most its staging (its writes are checkpointed every 4 MiB) plus the probe.
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
        ServerProcess server = ServerProcess.start(logs, "--dir", uploads.toString());
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
            long[] agentKillsAt = {150 * MIB, 400 * MIB, 750 * MIB, 950 * MIB};
            long serverKillAt = 550 * MIB;
            boolean serverKilled = false;
            for (long at : agentKillsAt) {
                if (!serverKilled && at > serverKillAt) {
                    awaitAcked(acked, serverKillAt, cli, id);
                    assertEquals(137, server.signal("KILL"), "the server was killed");
                    Await.sleep(300);
                    boundaries.add(proxy.packets().size());
                    events.add("server kill -9 at " + acked.getAsLong() / MIB + " MiB acknowledged");
                    server = ServerProcess.start(logs, "--dir", uploads.toString());
                    proxy.target(address(server));
                    serverKilled = true;
                }
                awaitAcked(acked, at, cli, id);
                long pid = cli.agentPid();
                ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
                new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
                agent.onExit().get(30, TimeUnit.SECONDS);
                Await.sleep(300);
                boundaries.add(proxy.packets().size());
                events.add("agent kill -9 at " + acked.getAsLong() / MIB + " MiB acknowledged");
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
            StringBuilder report = new StringBuilder();
            long total = 0;
            for (int i = 0; i < events.size(); i++) {
                long before = CountingProxy.resentBytes(fragments(packets.subList(0, boundaries.get(i))));
                long after = CountingProxy.resentBytes(fragments(packets.subList(0, boundaries.get(i + 1))));
                long resent = after - before;
                total += resent;
                report.append(String.format(Locale.ROOT, "%s: %d bytes re-sent%n", events.get(i), resent));
                long bound = events.get(i).startsWith("agent") ? PROBE : 16 * MIB + PROBE;
                assertTrue(resent <= bound, events.get(i) + ": re-sent " + resent + " bytes, bound " + bound
                        + "\n" + report);
            }
            long resentInAll = CountingProxy.resentBytes(fragments(packets));
            report.append(String.format(Locale.ROOT, "in all: %d fragment bytes reached the server for a %d-byte file;"
                    + " %d re-sent (%d of them after the kills)%n", proxy.fragmentBytes(), SIZE, resentInAll, total));
            Path out = Files.createDirectories(Path.of("target", "bench"));
            Files.writeString(out.resolve("upload-crash.txt"), report.toString());
            System.out.print(report);
            assertEquals(SIZE, proxy.fragmentBytes() - resentInAll, "every byte reached the server once or more\n" + report);
            assertEquals(total, resentInAll, "nothing was re-sent but after a kill\n" + report);
        } finally {
            server.close();
        }
    }

    private static List<CountingProxy.Packet> fragments(List<CountingProxy.Packet> packets) {
        return packets.stream().filter(CountingProxy.Packet::isFragment).toList();
    }

    private static String summary(List<CountingProxy.Packet> packets) {
        return packets.stream().map(p -> p.type() + (p.isFragment() ? "@" + p.first() + "+" + p.forwarded() : "")
                + ":" + p.status()).toList().toString();
    }

    private static void awaitAcked(LongSupplier acked, long bytes, Cli cli, String id) {
        Await.until(Duration.ofSeconds(300), () -> "the server acknowledging " + bytes + " bytes; job: "
                + cli.run("get", id, "--json").out(), () -> acked.getAsLong() >= bytes);
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
