package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * What a person sees in a real terminal: tmux (a private server socket, a 70x20 window) runs the packaged CLI, and
 * the screen is read back with capture-pane. The synchronous start's progress line and {@code jbits monitor} must
 * fit the 70 columns (no wrapped, scrolling lines) and show an ETA; Ctrl-C is a key sent to the pane.
 */
class TerminalIT {
    static NginxServer nginx;

    @TempDir
    Path tmp;
    Cli cli;
    Path dest;
    String socket;

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.builder().limitRate("100k").start();
        nginx.put("big.bin", TestData.random(20 << 20, 5));
    }

    @AfterAll
    static void stopNginx() {
        nginx.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        cli = new Cli(tmp.resolve("home"));
        dest = Files.createDirectories(tmp.resolve("dest"));
        socket = "jbits-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void tearDown() throws Exception {
        tmux("kill-server");
        cli.close();
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        Path conf = tmp.resolve("tmux.conf");
        if (!Files.exists(conf)) {
            // The pane stays on screen, with its exit status, when the command ends.
            Files.writeString(conf, "set -g remain-on-exit on\n");
        }
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "-f", conf.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "tmux " + args[0]);
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /**
     * Starts {@code jbits args} in a 70x20 tmux window. A POSIX sh runs it and writes its exit status to a file
     * ({@link #exitStatus}); the shell's {@code trap : INT} is a handler, not SIG_IGN, so the CLI gets Ctrl-C with the
     * default disposition (a handler is reset at exec) and the shell, waiting for it, writes the status after.
     */
    private void inTerminal(String... args) throws Exception {
        inTerminal(false, args);
    }

    /** The same, through the launcher's fast client ({@code fast}: the command runs in the agent) or a JVM. */
    private void inTerminal(boolean fast, String... args) throws Exception {
        Path status = tmp.resolve("exit-status");
        Files.deleteIfExists(status);
        List<String> cmd = new ArrayList<>(List.of("new-session", "-d", "-x", "70", "-y", "20", "-s", "t", "sh", "-c",
                "trap : INT; \"$@\"; echo $? > '" + status + ".part' && mv '" + status + ".part' '" + status + "'",
                "sh", "env", "JBITS_HOME=" + cli.home(), "TERM=xterm"));
        cmd.addAll(fast ? cli.command(args[0]) : cli.javaCommand());
        cmd.addAll(List.of(args));
        tmux(cmd.toArray(String[]::new));
    }

    /**
     * The exit status of the CLI once it ended, else null. Read from the file the shell writes, not from tmux: tmux
     * 3.3a here sometimes misses the SIGCHLD of a JVM that exits on SIGINT (reproduced with a JVM that only sleeps:
     * the pane is dead, its process a zombie, and {@code pane_dead_status} stays empty until tmux gets another
     * SIGCHLD).
     */
    private String exitStatus() {
        try {
            Path status = tmp.resolve("exit-status");
            return Files.exists(status) ? Files.readString(status).trim() : null;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String screen() {
        try {
            return tmux("capture-pane", "-p", "-t", "t");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void fits(String screen) {
        for (String line : screen.lines().toList()) {
            assertTrue(line.length() <= 69, "a line of " + line.length() + " columns in a 70-column terminal:\n"
                    + screen);
        }
    }

    private static long count(String screen, String needle) {
        return screen.lines().filter(l -> l.contains(needle)).count();
    }

    /** In a JVM of its own, and through the fast client in the running agent (its terminal size sent along). */
    @org.junit.jupiter.params.ParameterizedTest(name = "fast client: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void theSynchronousProgressLineFitsSeventyColumnsHasAnEtaAndCtrlCRemovesTheJob(boolean fast) throws Exception {
        if (fast) {
            assertEquals(0, cli.run("agent", "start").exit()); // else the client hands the command to a JVM
        }
        inTerminal(fast, "start", nginx.slowUrl("big.bin").toString(), dest.resolve("big.bin").toString());
        String s = Await.until(Duration.ofSeconds(90), "a progress line with an ETA", this::screen,
                sc -> sc.contains("ETA") && sc.contains("Transferring"));
        Thread.sleep(3000); // a dozen redraws
        s = screen();
        fits(s);
        assertEquals(1, count(s, "Transferring"), "one line, redrawn in place:\n" + s);
        assertTrue(s.contains("ETA ") && s.contains("/s"), s);
        tmux("send-keys", "-t", "t", "C-c");
        Await.until(Duration.ofSeconds(60), "the command's end", this::exitStatus, st -> st != null);
        String end = screen();
        assertTrue(end.contains("interrupted: removed job") && end.contains("E_ABORT"), end);
        assertTrue(!end.contains("someone else"), end);
        assertEquals(0, cli.run("get", "--json").json().size(), "the job was removed");
    }

    @Test
    void monitorRedrawsOneFittedLinePerJobUntilCtrlC() throws Exception {
        List<String> ids = new ArrayList<>();
        for (String name : List.of("first download", "second download with a long display name")) {
            Cli.Result r = cli.run("start", "--async", "--json", "--display-name", name,
                    nginx.slowUrl("big.bin").toString(), dest.resolve(ids.size() + ".bin").toString());
            assertEquals(0, r.exit(), r::toString);
            ids.add(r.json().path("jobId").asText());
        }
        Cli.Result suspended = cli.run("start", "--suspended", "--json", "--display-name", "idle",
                nginx.url("big.bin").toString(), dest.resolve("idle.bin").toString());
        ids.add(suspended.json().path("jobId").asText());

        inTerminal("monitor", "--interval", "0.5");
        Await.until(Duration.ofSeconds(90), "the downloads moving with an ETA", this::screen,
                sc -> count(sc, "Transferring") == 2 && count(sc, "ETA ") == 2 && !sc.contains("ETA --:--"));
        Thread.sleep(3000);
        String s = screen();
        fits(s);
        for (String id : ids) {
            assertEquals(1, count(s, id.substring(0, 8)), "one line for " + id + ":\n" + s);
        }
        assertEquals(1, count(s, "jbits monitor: 3 job(s)"), s);
        assertTrue(s.contains("Suspended"), s);

        tmux("send-keys", "-t", "t", "C-c");
        String status = Await.until(Duration.ofSeconds(60), "monitor's end", this::exitStatus, st -> st != null);
        assertEquals("130", status, "Ctrl-C ends it as it ends any command (128 + SIGINT):\n" + screen());
        assertEquals(3, cli.run("get", "--json").json().size(), "monitor leaves the jobs alone");

        // Not a terminal: plain lines, one per job.
        Cli.Result plain = cli.run("monitor", "--interval", "0.2", "--count", "2");
        assertEquals(0, plain.exit(), plain::toString);
        for (String id : ids) {
            assertTrue(plain.out().contains(id), plain::toString);
        }
        assertTrue(!plain.out().contains("\033"), "no escape sequences off a terminal");
        assertEquals(3, plain.out().lines().collect(Collectors.toList()).size(), plain::toString);
        for (String id : ids) {
            assertEquals(0, cli.run("remove", id).exit());
        }
    }
}
