package org.jbits.cli;

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
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the packaged CLI does with careless or hostile input, end to end against its real agent and a real nginx:
 * bad input is one line on stderr ending in its BITS code, a non-zero exit, and nothing created (no job, no file,
 * no directory, not even the agent's state directory when the input is refused before the agent is needed);
 * text from jobs is escaped for people and exact in JSON; a synchronous start says why it waits and what is kept.
 */
class CliInputIT extends NginxCliTest {
    /** The end of an error line: its BITS code and value. */
    private static final Pattern CODE_AT_END = Pattern.compile("\\[[A-Z][A-Z0-9_]+ 0x[0-9A-F]{8}]$");

    static final String SMALL = "hello, jbits\n";

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.builder().limitRate("64k")
                .extraServerConfig("location /unavailable/ { return 503; }\nlocation /auth/ { return 401; }\n")
                .start();
        nginx.put("small.txt", SMALL.getBytes(StandardCharsets.UTF_8));
        nginx.put("other/small.txt", "another small.txt\n".getBytes(StandardCharsets.UTF_8));
        nginx.put("two.txt", "two\n".getBytes(StandardCharsets.UTF_8));
        nginx.put("big.bin", new byte[4 << 20]);
    }

    private String url(String path) {
        return nginx.url(path).toString();
    }

    private JsonNode jobs() {
        Cli.Result r = cli.run("get", "--json");
        assertEquals(0, r.exit(), r::toString);
        return r.json();
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** One refused command: its exit status, exactly one stderr line naming the problem and ending in its code, no stdout. */
    private static void assertRefused(Cli.Result r, int exit, String needle, String what) {
        assertEquals(exit, r.exit(), what + " -> " + r);
        assertEquals(1, r.errLines().size(), "exactly one line on stderr: " + what + " -> " + r);
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("jbits: ") && line.contains(needle), what + " -> " + r);
        assertTrue(CODE_AT_END.matcher(line).find(), "the line ends in its BITS code: " + what + " -> " + r);
        assertFalse(line.contains("\u001b"), "no raw escape character: " + what + " -> " + r);
        assertEquals("", r.out(), what + " -> " + r);
    }

    @Test
    void aDestinationEndingInASlashMustBeAnExistingDirectoryAndNothingIsCreated() throws Exception {
        Cli.Result r = cli.run("start", url("small.txt"), dest + "/newdir/");
        assertRefused(r, 2, "ERROR_PATH_NOT_FOUND 0x80070003", "a missing directory with a trailing slash");
        assertEquals(List.of(), list(dest), "no file called newdir, nothing at all");
        assertFalse(Files.exists(cli.home()), "refused before the agent was needed");

        Files.createDirectory(dest.resolve("newdir"));
        Cli.Result ok = cli.run("start", url("small.txt"), dest + "/newdir/");
        assertEquals(0, ok.exit(), ok::toString);
        assertEquals(SMALL, Files.readString(dest.resolve("newdir/small.txt")));
    }

    @Test
    void aCsvWithAByteOrderMarkCrlfAndQuotedHeadersAsExcelAndPowerShellWriteItIsAccepted() throws Exception {
        Path csv = tmp.resolve("files.csv");
        // PowerShell 5.1: Export-Csv -Encoding UTF8 (no -NoTypeInformation): a BOM, a #TYPE line, quoted fields, CRLF.
        String text = "#TYPE System.Management.Automation.PSCustomObject\r\n\"Source\",\"Destination\"\r\n"
                + "\"" + url("small.txt") + "\",\"" + dest.resolve("one.txt") + "\"\r\n"
                + "\"" + url("two.txt") + "\",\"" + dest + "\"\r\n";
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        Files.write(csv, withBom);
        Cli.Result r = cli.run("start", "--from-csv", csv.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("Transferred 2 file(s)"), r::toString);
        assertEquals(SMALL, Files.readString(dest.resolve("one.txt")));
        assertEquals("two\n", Files.readString(dest.resolve("two.txt")));
    }

    @Test
    void aUrlWithALineBreakIsRefusedAsAnInvalidUrlNotTakenAsALocalPath() throws Exception {
        Cli.Result r = cli.run("start", url("small.txt") + "\nrm -rf /", dest.resolve("x").toString());
        assertRefused(r, 2, "ERROR_WINHTTP_INVALID_URL 0x80072EE5", "a URL with LF");
        assertTrue(r.errLines().get(0).contains("small.txt\\nrm -rf /"), "the line break is shown escaped: " + r);
        assertRefused(cli.run("start", url("small.txt") + "\r", dest.toString()), 2, "ERROR_WINHTTP_INVALID_URL", "a URL with CR");
        assertEquals(List.of(), list(dest));
        assertFalse(Files.exists(cli.home()), "refused before the agent was needed");
    }

    @Test
    void dotDotIsResolvedByTheFileSystemAsTheKernelDoesNotByCuttingText() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real/deep"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        Files.writeString(tmp.resolve("local.txt"), "a local file\n");

        // Through a directory that does not exist: open(2) says ENOENT, so does jbits.
        assertRefused(cli.run("start", url("small.txt"), dest + "/nosuch/../out.txt"), 2, "ERROR_PATH_NOT_FOUND",
                "a destination through a missing directory");
        assertRefused(cli.run("start", tmp + "/nosuch/../local.txt", dest.toString()), 2, "ERROR_PATH_NOT_FOUND",
                "a local source through a missing directory");
        assertEquals(List.of(), list(dest));
        assertFalse(Files.exists(cli.home()), "refused before the agent was needed");

        // After a symbolic link, .. is the parent of the link's target: link/../out.txt is real/out.txt.
        Cli.Result r = cli.run("start", url("small.txt"), link + "/../out.txt");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(SMALL, Files.readString(tmp.resolve("real/out.txt")));
        assertFalse(Files.exists(tmp.resolve("out.txt")), "not where cutting the text would put it");
        Files.writeString(tmp.resolve("real/src.txt"), "under real\n");
        Cli.Result s = cli.run("start", link + "/../src.txt", dest.toString());
        assertEquals(0, s.exit(), s::toString);
        assertEquals("under real\n", Files.readString(dest.resolve("src.txt")));
    }

    @Test
    void everyUsageErrorIsOneLineEndingInItsBitsCode() throws Exception {
        String u = url("small.txt");
        record Case(String needle, String... args) {
        }
        List<Case> cases = List.of(
                new Case("'abc' is not a long", "start", "--retry-interval", "abc", u, dest.toString()),
                new Case("Unknown option: '--bogus'", "start", "--bogus", u, dest.toString()),
                new Case("at least one SOURCE and a DESTINATION", "start", u),
                new Case("at least one SOURCE and a DESTINATION", "start"),
                new Case("give a command"),
                new Case("did you mean 'start'", "strat", u, dest.toString()),
                new Case("Missing required parameter: 'JOB'", "remove"),
                new Case("give at least one property", "set", "some-job"),
                new Case("give one of: run, start, stop, status", "agent"),
                new Case("--from-csv takes no SOURCE", "start", "--from-csv", tmp.resolve("f.csv").toString(), u, dest.toString()),
                new Case("Missing required parameter for option '--display-name'", "start", u, dest.toString(), "--display-name"));
        for (Case c : cases) {
            Cli.Result r = cli.run(c.args());
            assertRefused(r, 2, c.needle(), "jbits " + String.join(" ", c.args()));
            assertTrue(r.errLines().get(0).endsWith("[E_INVALIDARG 0x80070057]"), r::toString);
        }
        assertEquals(List.of(), list(dest));
        assertFalse(Files.exists(cli.home()), "no agent was started and no state directory made");
    }

    @Test
    void carelessInputIsRefusedInOneLineWithItsCodeAndCreatesNothing() throws Exception {
        String u = url("small.txt");
        Path file = Files.writeString(dest.resolve("existing.txt"), "keep me\n");
        Path srcDir = Files.createDirectories(tmp.resolve("srcdir"));
        Files.writeString(srcDir.resolve("small.txt"), "a local small.txt\n");
        Path fifo = dest.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path empty = Files.writeString(tmp.resolve("empty.csv"), "");
        Path headerOnly = Files.writeString(tmp.resolve("header.csv"), "Source,Destination\r\n");
        Path dupCsv = Files.writeString(tmp.resolve("dup.csv"), "Source,Destination\n" + u + "," + dest.resolve("a.txt")
                + "\n" + url("two.txt") + "," + dest.resolve("a.txt") + "\n");
        Path semicolons = Files.writeString(tmp.resolve("semi.csv"), "Source;Destination\n" + u + ";" + dest + "\n");
        List<String> before = list(dest);
        record Case(int exit, String needle, String... args) {
        }
        List<Case> cases = List.of(
                new Case(2, "is a URL", "start", dest.toString(), u),
                new Case(2, "is a directory", "start", srcDir.toString(), dest.toString()),
                new Case(2, "ERROR_FILE_NOT_FOUND", "start", tmp.resolve("missing.bin").toString(), dest.toString()),
                new Case(2, "ERROR_FILE_NOT_FOUND", "start", tmp.resolve("*.nothing").toString(), dest.toString()),
                new Case(2, "must be an existing directory", "start", u, url("two.txt"), file.toString()),
                new Case(2, "must be an existing directory", "start", u, url("two.txt"), dest.resolve("new.txt").toString()),
                new Case(2, "would be written to " + dest.resolve("small.txt"), "start", u, url("other/small.txt"), dest.toString()),
                new Case(2, "would be written to " + dest.resolve("small.txt"), "start", u, srcDir.resolve("small.txt").toString(), dest.toString()),
                new Case(2, "would be written to " + dest.resolve("a.txt"), "start", "--from-csv", dupCsv.toString()),
                new Case(2, "is not a regular file", "start", u, fifo.toString()),
                new Case(2, "the same file", "start", file.toString(), dest.toString()),
                new Case(2, "is empty", "start", "--from-csv", empty.toString()),
                new Case(2, "BG_E_EMPTY", "start", "--from-csv", headerOnly.toString()),
                new Case(2, "';'", "start", "--from-csv", semicolons.toString()),
                new Case(2, "ERROR_FILE_NOT_FOUND", "start", "--from-csv", tmp.resolve("missing.csv").toString()),
                new Case(2, "a SOURCE is empty", "start", "", dest.toString()),
                new Case(2, "the destination is empty", "start", u, ""),
                new Case(2, "control characters", "start", url("a%0Ab.txt"), dest.toString()),
                new Case(2, "the file system allows 255", "start", u, dest.resolve("n".repeat(256)).toString()));
        for (Case c : cases) {
            assertRefused(cli.run(c.args()), c.exit(), c.needle(), "jbits " + String.join(" ", c.args()));
        }
        assertEquals(before, list(dest), "no file was created or replaced");
        assertEquals("keep me\n", Files.readString(file));
        assertFalse(Files.exists(cli.home()), "every case was refused before the agent was needed");
    }

    @Test
    void aSourceTheUserCannotReadOrADirectoryTheyCannotWriteToIsAccessDenied() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "this test switches to user 'nobody' and must run as root, as CI does");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "root only\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path writable = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path jar = Files.copy(Path.of(System.getProperty("jbits.jar")), tmp.resolve("jbits.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Path home = tmp.resolve("nobody-home");
        String[][] cases = {
                {secret.toString(), writable.toString()},
                {url("small.txt"), dest.toString()},
                {url("small.txt"), dest.resolve("x.txt").toString()}};
        for (String[] c : cases) {
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:off", "-jar", jar.toString(),
                    "start"));
            cmd.addAll(List.of(c));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
            pb.environment().put("JBITS_HOME", home.toString());
            Path out = tmp.resolve("out.txt");
            Path err = tmp.resolve("err.txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            Cli.Result r = new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
            assertRefused(r, 4, "E_ACCESSDENIED 0x80070005", "as nobody: start " + String.join(" ", c));
        }
        assertEquals(List.of(), list(dest));
        assertEquals(List.of(), list(writable));
        assertFalse(Files.exists(home), "nobody's agent was never needed");
    }

    @Test
    void controlCharactersInNamesAndErrorTextsAreEscapedForPeopleAndExactInJson() throws Exception {
        String name = "ok\nForged: line\u001b[31m";
        Cli.Result made = cli.run("start", "--suspended", "--display-name", name, url("small.txt"), dest.toString());
        assertEquals(0, made.exit(), made::toString);
        for (Cli.Result r : List.of(made, cli.run("get"))) {
            assertEquals(3, r.out().lines().count(), "a header, a rule and one line for the job: " + r);
            assertFalse(r.out().contains("\u001b"), r::toString);
            assertTrue(r.out().contains("ok\\nForged: line"), r::toString);
        }
        JsonNode job = jobs().get(0);
        assertEquals(name, job.path("displayName").asText(), "--json keeps the exact text");
        assertEquals(0, cli.run("remove", job.path("jobId").asText()).exit());

        // A server-side text: the error of a file:// source whose name holds a line break and an escape.
        Cli.Result failed = cli.run("start", "file://" + tmp + "/no%0Asuch%1B%5B2J.txt", dest.resolve("out.txt").toString());
        assertEquals(1, failed.exit(), failed::toString);
        assertFalse(failed.err().contains("\u001b"), failed::toString);
        String last = failed.errLines().get(failed.errLines().size() - 1);
        assertTrue(last.contains("no\\nsuch\\x1b[2J.txt"), failed::toString);
        Cli.Result table = cli.run("get");
        assertEquals(4, table.out().lines().count(), "the job and its error, one line each: " + table);
        assertTrue(table.out().contains("no\\nsuch\\x1b[2J.txt"), table::toString);
        assertTrue(jobs().get(0).path("errorDescription").asText().contains("no\nsuch\u001b[2J.txt"), "exact in JSON");
    }

    @Test
    void aFailedSynchronousStartSaysTheJobIsKeptInErrorAndHowToRemoveIt() throws Exception {
        try (NginxServer tls = NginxServer.builder().tls().start()) {
            tls.put("secure.txt", SMALL.getBytes(StandardCharsets.UTF_8));
            record Case(String url, String code) {
            }
            for (Case c : List.of(new Case(url("absent.txt"), "BG_E_HTTP_ERROR_404 0x80190194"),
                    new Case(url("auth/x.txt"), "BG_E_HTTP_ERROR_401 0x80190191"),
                    new Case(tls.url("secure.txt").toString(), "ERROR_WINHTTP_SECURE_INVALID_CA 0x80072F0D"))) {
                Cli.Result r = cli.run("start", c.url(), dest.toString());
                assertEquals(1, r.exit(), r::toString);
                JsonNode job = jobs().get(0);
                String id = job.path("jobId").asText();
                assertEquals("Error", job.path("jobState").asText());
                String last = r.errLines().get(r.errLines().size() - 1);
                assertTrue(last.startsWith("jbits: job " + id + " failed: " + c.code()), r::toString);
                assertTrue(last.contains("kept in Error") && last.contains("'jbits remove " + id + "'")
                        && last.contains("'jbits resume " + id + "'"), r::toString);
                assertEquals(1, r.errLines().stream().filter(l -> l.startsWith("jbits:")).count(), "one error line: " + r);
                assertEquals(0, cli.run("remove", id).exit());
                assertEquals(0, jobs().size());
            }
        }
    }

    @Test
    void aTransientErrorSaysWhyAndWhenTheNextRetryComesAndNoLineIsRepeated() throws Exception {
        Cli.Result r = cli.run("start", "--retry-interval", "6", "--retry-timeout", "10", url("unavailable/x.bin"),
                dest.resolve("x.bin").toString());
        assertEquals(1, r.exit(), r::toString);
        List<String> lines = r.errLines();
        for (int i = 1; i < lines.size(); i++) {
            assertNotEquals(lines.get(i - 1), lines.get(i), "a line repeated: " + r);
        }
        // Two attempts (t=0 and t=6), each one line; at t=12 the no-progress timeout of 10 s has passed: Error.
        List<String> waits = lines.stream().filter(l -> l.startsWith("TransientError:")).toList();
        assertEquals(2, waits.size(), "one line per error, not one every few seconds: " + r);
        Pattern at = Pattern.compile("next retry at (\\d\\d:\\d\\d:\\d\\d), 6 s after the error, or later if the server's "
                + "Retry-After asks for longer$");
        for (String w : waits) {
            assertTrue(w.contains("(BG_E_HTTP_ERROR_503 0x801901F7 in RemoteFile: HTTP 503"), r::toString);
            assertTrue(at.matcher(w).find(), r::toString);
            assertFalse(w.contains("null"), r::toString);
        }
        // The announced time is when the second request came (the line has whole seconds).
        Matcher m = at.matcher(waits.get(0));
        assertTrue(m.find());
        LocalTime announced = LocalTime.parse(m.group(1));
        List<NginxServer.AccessLogEntry> hits = nginx.requestsFor("/unavailable/x.bin");
        assertEquals(2, hits.size(), hits::toString);
        LocalTime came = LocalTime.ofInstant(hits.get(1).time(), ZoneId.systemDefault());
        long millis = Math.floorMod(Duration.between(announced, came).toMillis(), 86_400_000L);
        assertTrue(millis < 2_000, "announced " + announced + ", the retry came at " + came);
        String id = jobs().get(0).path("jobId").asText();
        assertTrue(lines.get(lines.size() - 1).contains("'jbits remove " + id + "'"), r::toString);
    }

    @Test
    void anInterruptedSynchronousStartRemovesItsJobAndSaysSo() throws Exception {
        List<String> cmd = new ArrayList<>(cli.javaCommand());
        cmd.addAll(List.of("start", nginx.slowUrl("big.bin").toString(), dest.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(Map.of("JBITS_HOME", cli.home().toString()));
        Path err = tmp.resolve("err.txt");
        Process p = pb.redirectError(err.toFile()).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        Await.until(Duration.ofSeconds(30), "the job is transferring", () ->
                Files.exists(cli.home().resolve("agent.sock")) && jobs().size() == 1
                        && jobs().get(0).path("bytesTransferred").asLong() > 0);
        p.destroy(); // SIGTERM, which runs the same hook as Ctrl-C's SIGINT
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String stderr = Files.readString(err);
        assertTrue(stderr.contains("jbits: interrupted: removed job "), stderr);
        assertFalse(stderr.contains("someone else"), stderr);
        assertEquals(0, jobs().size());
        assertEquals(List.of(), list(dest), "no file and no temporary file is left");
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndEachTransientErrorIsExplainedOnceAboveIt() throws Exception {
        // script(1) (util-linux, on every Debian) gives the CLI a pseudo-terminal, so System.console() is there.
        List<String> java = new ArrayList<>(cli.javaCommand());
        java.addAll(List.of("start", "--retry-interval", "5", "--retry-timeout", "6", url("unavailable/tty.bin"),
                dest.resolve("tty.bin").toString()));
        String command = String.join(" ", java.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", command, "/dev/null");
        pb.environment().put("JBITS_HOME", cli.home().toString());
        Path out = tmp.resolve("tty.txt");
        Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS));
        String tty = Files.readString(out);
        // The bar redrawn in place (\r ... erase to end of line), fitted to the terminal: an unknown size is "?".
        assertTrue(tty.contains("\r   ? [") && tty.contains("]  0 B / unknown")
                && tty.contains("TransientError\033[K"), tty);
        List<String> notices = Pattern.compile("\rTransientError: [^\r\n]*").matcher(tty).results().map(r -> r.group()).toList();
        assertEquals(2, notices.size(), "one explanation per error (attempts at 0 s and 5 s): " + tty);
        for (String n : notices) {
            assertTrue(n.contains("BG_E_HTTP_ERROR_503") && n.contains("next retry at "), tty);
        }
        assertTrue(tty.contains("failed: BG_E_HTTP_ERROR_503") && tty.contains("kept in Error"), tty);
    }
}
