package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.SambaServer;
import org.jbits.testing.TcpRelay;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 MiB upload through the packaged CLI and its agent ({@code jbits start --transfer-type upload FILE smb://...})
 * to a real smbd, the agent killed (kill -9) at three points. Each resume must continue from what the share holds:
 * after each kill, once every write of the killed agent has reached smbd (the relay closed, the smbd processes that
 * served it exited, its write counter settled), the temporary file's size on the share is read ({@code held}); the
 * bytes smbd counts as written from the restart to the next kill (or the end) must be at least what the temporary
 * file grew by and at most that plus the writers' window (8 x 1 MiB) per attempt, which is all a resume may write
 * again, plus, for a run the next kill ends, the writes in flight at that kill (4 x 1 MiB: smbd's counter counts
 * writes that never reach the share when the connection ends). The agent's log says where each attempt continued
 * (never more than the window before what the share held) and how many there were (one per kill unless a run met an
 * error). The file arrives byte-identical under its name, through the same temporary file from start to end.
 * A relay holds the client's bytes to 20 MiB/s so that each kill lands mid-file.
 */
class SmbUploadCrashIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 200 * MIB;
    /** SmbUploader.WINDOW x BLOCK: eight blocks of 1 MiB. No byte at or past what the share holds less this was sent. */
    private static final long WINDOW = 8 * MIB;
    /**
     * SmbUploader.WRITERS x BLOCK: the writes in flight when the agent is killed. smbd's counter
     * (syscall_asys_pwrite_bytes) counts writes that never reach the share when the connection ends (seen: 47 writes
     * of 1 MiB counted before the first kill, 46 MiB on the share; likely a write started and dropped with the
     * connection). A run the next kill ends may so be counted up to this much above what it wrote.
     */
    private static final long IN_FLIGHT = 4 * MIB;

    @TempDir
    Path tmp;

    /** smbd's count of bytes written once it has not changed for a second (at most 20 s). */
    private static long settled(SambaServer samba) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        long last = samba.bytesWritten();
        long since = System.nanoTime();
        while (System.nanoTime() - since < 1_000_000_000L && System.nanoTime() < deadline) {
            Thread.sleep(100);
            long now = samba.bytesWritten();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
        }
        return last;
    }

    @Test
    void threeAgentKillsEachResumeFromWhatTheShareHolds() throws Exception {
        SambaServer samba = SambaServer.shared();
        Path src = tmp.resolve("big.bin");
        String sha = TestData.writeRandom(src, SIZE, 2027);
        Path dir = Files.createDirectories(samba.dir("share").resolve("crash-" + System.nanoTime()));
        String path = dir.getFileName() + "/big.bin";
        try (TcpRelay relay = TcpRelay.to(samba.port(), 0);
             Cli cli = new Cli(tmp.resolve("home"))) {
            relay.upstreamRate(20 * MIB);
            long before = samba.bytesWritten();
            String url = samba.userUrl("share", path).replace(":" + samba.port() + "/", ":" + relay.port() + "/");
            Cli.Result started = cli.run("start", "--async", "--json", "--transfer-type", "upload",
                    "--retry-interval", "5", src.toString(), url);
            assertEquals(0, started.exit(), started::toString);
            assertTrue(!started.out().contains(SambaServer.PASSWORD), "no password in the job object");
            String id = started.json().path("jobId").asText();

            List<Long> held = new ArrayList<>();
            List<Long> counter = new ArrayList<>();
            List<Integer> resumes = new ArrayList<>();
            List<String> exits = new ArrayList<>();
            Path temp = null;
            for (long at : new long[]{40 * MIB, 100 * MIB, 160 * MIB}) {
                Await.until(Duration.ofSeconds(180), "the share holding " + at + " bytes",
                        () -> tempSize(dir) >= at);
                // The smbd processes serving the agent (one per connection): the wait below for them to exit is
                // what says that every write the agent sent has been made and counted.
                Set<Long> serving = new HashSet<>();
                Await.until(Duration.ofSeconds(10), "smbd listing the agent's connections through the relay",
                        () -> serving.addAll(servingRelay(samba, relay)) || !serving.isEmpty());
                long pid = cli.agentPid();
                ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
                new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
                agent.onExit().get(30, TimeUnit.SECONDS);
                // What the killed agent had already sent (up to four 1 MiB writes in the relay and the sockets) still
                // reaches smbd after the kill. It counts as the killed run's, so that the bound is the window:
                // the counter and the file's size are read once the relay has forwarded and closed every connection
                // and each smbd process that served them has exited (no write of theirs can land or be counted
                // after that), then once smbd has written nothing for a second. A write smbd had started when the
                // connection ended may be counted with nothing on the share (IN_FLIGHT).
                Await.until(Duration.ofSeconds(30), "the relay closing the killed agent's connections", relay::idle);
                serving.addAll(servingRelay(samba, relay));
                long idle = System.nanoTime();
                Await.until(Duration.ofSeconds(60), "the smbd processes " + serving + " that served the killed "
                        + "agent exiting", () -> serving.stream().noneMatch(SmbUploadCrashIT::alive));
                exits.add(String.format(Locale.ROOT, "kill %d: the %d smbd process(es) that served it exited %d ms "
                        + "after the relay closed", exits.size() + 1, serving.size(),
                        (System.nanoTime() - idle) / 1_000_000));
                counter.add(settled(samba));
                resumes.add(continuations(cli.home()).size());
                Path t = onlyTemporary(dir);
                if (temp != null) {
                    assertEquals(temp, t, "the same temporary file after each kill");
                }
                temp = t;
                held.add(Files.size(t));
                // The next command starts a new agent, which recovers the job and resumes it.
                JsonNode job = cli.run("get", id, "--json").json().get(0);
                assertTrue(List.of("Queued", "Connecting", "Transferring").contains(job.path("jobState").asText()),
                        "the job survived the kill: " + job);
            }
            Await.until(Duration.ofSeconds(300), "Transferred", () -> state(cli, id).equals("Transferred"));
            counter.add(samba.bytesWritten());
            resumes.add(continuations(cli.home()).size());
            held.add(SIZE);
            assertEquals(SIZE, Files.size(onlyTemporary(dir)));
            Cli.Result completed = cli.run("complete", id);
            assertEquals(0, completed.exit(), completed::toString);
            assertEquals(sha, TestData.sha256(dir.resolve("big.bin")), "the share has the file, byte-identical");
            assertEquals(List.of(), temporaries(dir), "no temporary file left");

            StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "before the first kill smbd counted "
                    + "%d bytes written, %d on the share%n", counter.get(0) - before, held.get(0)));
            for (int i = 0; i + 1 < held.size(); i++) {
                long grew = held.get(i + 1) - held.get(i);
                long written = counter.get(i + 1) - counter.get(i);
                report.append(String.format(Locale.ROOT, "kill %d at %d bytes on the share: the next run wrote %d "
                        + "bytes, the file grew by %d (%d again)%n", i + 1, held.get(i), written, grew, written - grew));
            }
            String runs = String.join("\n", exits) + "\n" + runs(cli.home());
            for (long[] c : continuations(cli.home())) {
                assertTrue(c[1] - c[0] <= WINDOW && c[0] <= c[1], () -> "a run continued more than the window before "
                        + "what the share held:\n" + runs);
            }
            for (int i = 0; i + 1 < held.size(); i++) {
                long grew = held.get(i + 1) - held.get(i);
                long written = counter.get(i + 1) - counter.get(i);
                // Each attempt of the run may write the window again: one, unless the run met an error and retried
                // (which the agent's log then shows); and a run that a kill ends, the writes in flight at that kill.
                int attempts = resumes.get(i + 1) - resumes.get(i);
                long killed = i + 2 < held.size() ? IN_FLIGHT : 0;
                assertTrue(attempts >= 1, () -> report + "a run after a kill did not continue the file:\n" + runs);
                assertTrue(written >= grew && written <= grew + attempts * WINDOW + killed, () -> report
                        + "the agents' runs:\n" + runs);
            }
            System.out.print(report + "the agents' runs:\n" + runs + "\n");
        } finally {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The smbd processes serving the relay's connections now. */
    private static Set<Long> servingRelay(SambaServer samba, TcpRelay relay) {
        Set<Integer> ports = relay.upstreamPorts();
        Set<Long> pids = new HashSet<>();
        samba.clientProcesses().forEach((port, pid) -> {
            if (ports.contains(port)) {
                pids.add(pid);
            }
        });
        return pids;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static final java.util.regex.Pattern CONTINUING = java.util.regex.Pattern.compile(
            "continuing at byte (\\d+) of \\d+ \\((\\d+) on the share\\)");

    /** Where each attempt so far continued the file, from the agent's log: {start, what the share held}. */
    private static List<long[]> continuations(Path home) throws IOException {
        List<long[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve("agent.log"))) {
            java.util.regex.Matcher m = CONTINUING.matcher(line);
            if (m.find()) {
                out.add(new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        return out;
    }

    /** The agent log's lines on where each run continued, and its warnings and errors. */
    private static String runs(Path home) {
        try (Stream<String> lines = Files.lines(home.resolve("agent.log"))) {
            return String.join("\n", lines.filter(l -> l.contains("continuing at") || l.contains("from byte 0")
                    || l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Transient")
                    || l.contains("transient")).toList());
        } catch (IOException e) {
            return "no agent log: " + e;
        }
    }

    private static long tempSize(Path dir) {
        try {
            List<Path> t = temporaries(dir);
            return t.isEmpty() ? 0 : Files.size(t.get(0));
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("BIT[0-9A-F]{16}\\.tmp")).toList();
        }
    }

    private static Path onlyTemporary(Path dir) throws IOException {
        List<Path> t = temporaries(dir);
        assertEquals(1, t.size(), "one temporary file: " + t);
        return t.get(0);
    }

    private static String state(Cli cli, String id) {
        try {
            return cli.run("get", id, "--json").json().get(0).path("jobState").asText();
        } catch (RuntimeException e) {
            return "unknown: " + e;
        }
    }
}
