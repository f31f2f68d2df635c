package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The packaged CLI and its on-demand agent, end to end against a real nginx. */
class CliIT extends NginxCliTest {
    static byte[] content = TestData.random(6 << 20, 42);

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.builder().limitRate("2m").start();
        nginx.put("six.bin", content);
        nginx.put("small.txt", "hello, jbits\n".getBytes());
    }

    private JsonNode jobs() {
        Cli.Result r = cli.run("get", "--json");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.json().isArray(), r::toString);
        return r.json();
    }

    @Test
    void synchronousStartTransfersCompletesAndLeavesNoJob() throws Exception {
        Cli.Result r = cli.run("start", nginx.url("six.bin").toString(), dest.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals(TestData.sha256(content), TestData.sha256(Files.readAllBytes(dest.resolve("six.bin"))));
        assertEquals(0, jobs().size(), "a completed job is gone from enumeration");
        try (var s = Files.list(dest)) {
            assertEquals(List.of(dest.resolve("six.bin")), s.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void asyncStartPrintsTheContractJobObjectAndCompleteMakesTheFileAppear() throws Exception {
        Path target = dest.resolve("copy.bin");
        Cli.Result r = cli.run("start", "--async", "--json", "--display-name", "nightly", "--priority", "normal",
                nginx.slowUrl("six.bin").toString(), target.toString());
        assertEquals(0, r.exit(), r::toString);
        JsonNode job = r.json();
        Set<String> fields = new TreeSet<>();
        job.fieldNames().forEachRemaining(fields::add);
        for (String f : List.of("jobId", "displayName", "description", "transferType", "jobState", "priority",
                "ownerAccount", "bytesTotal", "bytesTransferred", "filesTotal", "filesTransferred", "creationTime",
                "modificationTime", "transferCompletionTime", "errorContext", "errorCondition", "internalErrorCode",
                "errorDescription", "errorCount", "retryInterval", "retryTimeout", "transferPolicy", "proxyUsage",
                "proxyList", "proxyBypass", "notifyFlags", "notifyCmdLine", "fileList")) {
            assertTrue(fields.contains(f), "job object lacks " + f + ": " + job);
        }
        assertEquals("nightly", job.path("displayName").asText());
        assertEquals("Download", job.path("transferType").asText());
        assertEquals("Normal", job.path("priority").asText());
        assertEquals(600, job.path("retryInterval").asLong());
        assertEquals(1_209_600, job.path("retryTimeout").asLong());
        assertEquals("[\"Transferred\",\"Error\"]", job.path("notifyFlags").toString());
        assertEquals(target.toString(), job.path("fileList").get(0).path("localName").asText());
        String id = job.path("jobId").asText();

        Await.until(Duration.ofSeconds(30), "job " + id + " transferred", () ->
                cli.run("get", id, "--json").json().get(0).path("jobState").asText().equals("Transferred"));
        assertFalse(Files.exists(target), "a download is invisible until the job is completed");
        JsonNode done = cli.run("get", "nightly", "--json").json().get(0);
        assertEquals(content.length, done.path("bytesTotal").asLong());
        assertEquals(content.length, done.path("bytesTransferred").asLong());
        assertTrue(done.path("transferCompletionTime").isTextual());

        Cli.Result c = cli.run("complete", "nightly");
        assertEquals(0, c.exit(), c::toString);
        assertEquals(TestData.sha256(content), TestData.sha256(Files.readAllBytes(target)));
    }

    @Test
    void suspendedJobTakesMoreFilesAndPropertiesThenResumes() throws Exception {
        Cli.Result r = cli.run("start", "--suspended", "--json", "--display-name", "batch",
                nginx.url("small.txt").toString(), dest.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals("Suspended", r.json().path("jobState").asText());

        Cli.Result add = cli.run("add-file", "batch", nginx.url("six.bin").toString(), dest.resolve("b.bin").toString());
        assertEquals(0, add.exit(), add::toString);
        Cli.Result set = cli.run("set", "batch", "--json", "--priority", "high", "--retry-interval", "1",
                "--retry-timeout", "3600", "--description", "two files");
        assertEquals(0, set.exit(), set::toString);
        JsonNode job = set.json();
        assertEquals("High", job.path("priority").asText());
        assertEquals(5, job.path("retryInterval").asLong(), "BITS clamps the retry delay to at least 5 s");
        assertEquals(3600, job.path("retryTimeout").asLong());
        assertEquals(2, job.path("filesTotal").asInt());

        assertEquals(0, cli.run("resume", "batch").exit());
        Await.until(Duration.ofSeconds(30), "job transferred", () ->
                cli.run("get", "batch", "--json").json().get(0).path("jobState").asText().equals("Transferred"));
        assertEquals(0, cli.run("complete", "batch").exit());
        assertEquals("hello, jbits\n", Files.readString(dest.resolve("small.txt")));
        assertEquals(TestData.sha256(content), TestData.sha256(Files.readAllBytes(dest.resolve("b.bin"))));
    }

    @Test
    void startFromCsvPutsEveryRowInOneJob() throws Exception {
        Path csv = tmp.resolve("files.csv");
        Files.writeString(csv, "Source, Destination\n"
                + nginx.url("small.txt") + ", " + dest.resolve("one.txt") + "\n"
                + nginx.url("six.bin") + ", " + dest + "\n");
        Cli.Result r = cli.run("start", "--from-csv", csv.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("Transferred 2 file(s)"), r::toString);
        assertEquals("hello, jbits\n", Files.readString(dest.resolve("one.txt")));
        assertTrue(Files.exists(dest.resolve("six.bin")));
    }

    @Test
    void badInputGetsOneLineAnExitCodeAndCreatesNothing() throws Exception {
        String url = nginx.url("small.txt").toString();
        record Case(int exit, String needle, String[] args) {
        }
        List<Case> cases = List.of(
                new Case(2, "ERROR_PATH_NOT_FOUND", new String[]{"start", url, "relative/out.txt"}),
                new Case(2, "ERROR_PATH_NOT_FOUND", new String[]{"start", url, "/no/such/dir/out.txt"}),
                new Case(2, "BG_E_PROTOCOL_NOT_AVAILABLE", new String[]{"start", "gopher://x/y", dest.resolve("g").toString()}),
                new Case(2, "ERROR_WINHTTP_INVALID_URL", new String[]{"start", "http://[bad", dest.resolve("g").toString()}),
                new Case(2, "BG_E_STRING_TOO_LONG", new String[]{"start", "--display-name", "n".repeat(257), url, dest.toString()}),
                new Case(2, "BG_E_STRING_TOO_LONG", new String[]{"start", "--description", "d".repeat(1025), url, dest.toString()}),
                new Case(2, "unknown priority", new String[]{"start", "--priority", "urgent", url, dest.toString()}),
                new Case(2, "ERROR_FILE_NOT_FOUND", new String[]{"start", tmp.resolve("missing.bin").toString(), dest.toString()}),
                new Case(2, "Unknown option", new String[]{"start", "--bogus", url, dest.toString()}),
                new Case(2, "at least one SOURCE", new String[]{"start", url}),
                new Case(3, "BG_E_NOT_FOUND", new String[]{"get", "no-such-job"}),
                new Case(3, "BG_E_NOT_FOUND", new String[]{"resume", "6f1d0c2e-0000-4000-8000-000000000000"}),
                new Case(3, "BG_E_NOT_FOUND", new String[]{"remove", "no-such-job"}));
        for (Case c : cases) {
            Cli.Result r = cli.run(c.args());
            String what = String.join(" ", c.args()) + " -> " + r;
            assertEquals(c.exit(), r.exit(), what);
            assertEquals(1, r.errLines().size(), "exactly one line on stderr: " + what);
            assertTrue(r.errLines().get(0).startsWith("jbits: ") && r.errLines().get(0).contains(c.needle()), what);
            assertEquals("", r.out(), what);
        }
        assertEquals(0, jobs().size(), "no job was created by bad input");
        try (var s = Files.list(dest)) {
            assertEquals(0, s.count(), "no file was created by bad input");
        }
    }

    @Test
    void synchronousStartOfAMissingFileFailsWithTheHttpError() {
        Cli.Result r = cli.run("start", nginx.url("absent.bin").toString(), dest.toString());
        assertEquals(1, r.exit(), r::toString);
        String last = r.errLines().get(r.errLines().size() - 1);
        assertTrue(last.contains("BG_E_HTTP_ERROR_404") && last.contains("0x80190194") && last.contains("RemoteFile"), r::toString);
        JsonNode job = jobs().get(0);
        assertEquals("Error", job.path("jobState").asText());
        assertEquals("BG_E_HTTP_ERROR_404", job.path("errorCondition").asText());
        assertEquals(0, cli.run("remove", job.path("jobId").asText()).exit());
        assertEquals(0, jobs().size());
    }

    @Test
    void agentStartsOnDemandReportsStatusAndStops() throws Exception {
        Cli.Result before = cli.run("agent", "status", "--json");
        assertEquals(3, before.exit(), before::toString); // systemctl's "not running"
        assertFalse(before.json().path("running").asBoolean());

        assertEquals(0, jobs().size()); // starts the agent on demand
        Cli.Result status = cli.run("agent", "status", "--json");
        JsonNode s = status.json();
        assertTrue(s.path("running").asBoolean(), status::toString);
        assertEquals(cli.agentPid(), s.path("pid").asLong());
        assertEquals("portable", s.path("backend").asText());
        assertFalse(s.path("version").asText().isBlank());
        assertEquals("rwx------", posix(cli.home()));
        assertEquals("rw-------", posix(cli.home().resolve("jobs.db")));

        long pid = cli.agentPid();
        Cli.Result stop = cli.run("agent", "stop");
        assertEquals(0, stop.exit(), stop::toString);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the agent process exited");
        assertFalse(Files.exists(cli.home().resolve("agent.sock")), "the socket is removed");
        assertFalse(cli.run("agent", "status", "--json").json().path("running").asBoolean());
    }

    @Test
    void twoStateDirectoriesHaveIndependentAgents() throws Exception {
        try (Cli other = new Cli(tmp.resolve("home2"))) {
            assertEquals(0, cli.run("start", "--suspended", "--display-name", "mine", nginx.url("small.txt").toString(),
                    dest.toString()).exit());
            assertEquals(1, jobs().size());
            assertEquals(0, other.run("get", "--json").json().size());
            assertTrue(cli.agentPid() != other.agentPid());
        }
    }

    private static String posix(Path p) throws Exception {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
