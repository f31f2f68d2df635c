package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The command line as a newcomer and a script use it (issue 13 items 7, 14, 15), through the packaged jar and its
 * agent against a real nginx: several jobs at once and ids on standard input, get --state and names shared by two
 * jobs, relative destinations, --from-csv -, --help everywhere, agent status/stop for scripts, the BITS 2.0-10.x
 * properties from set and add-file --range, a notify command line run by the agent.
 */
class CliSurfaceIT extends NginxCliTest {
    static final byte[] CONTENT = TestData.random(300_000, 13);

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.start();
        nginx.put("f.bin", CONTENT);
        nginx.put("small.txt", "hello, jbits\n".getBytes(StandardCharsets.UTF_8));
    }

    private String suspended(String name, String file) {
        Cli.Result r = cli.run("start", "--suspended", "--json", "--display-name", name, nginx.url("f.bin").toString(),
                dest.resolve(file).toString());
        assertEquals(0, r.exit(), r::toString);
        return r.json().path("jobId").asText();
    }

    private JsonNode get(String... args) {
        List<String> a = new ArrayList<>(List.of("get", "--json"));
        a.addAll(Arrays.asList(args));
        Cli.Result r = cli.run(a.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        return r.json();
    }

    @Test
    void severalJobsAtOnceIdsFromStdinAndStateFilter() {
        String a1 = suspended("twin", "a1");
        String a2 = suspended("twin", "a2");
        String b = suspended("other", "b");

        JsonNode twins = get("twin");
        assertEquals(2, twins.size(), "get NAME lists every job of that name: " + twins);
        assertEquals(3, get("--state", "suspended").size());
        assertEquals(0, get("--state", "queued,transferring,transient-error").size());

        Cli.Result two = cli.run("suspend", "--json", a1, b);
        assertEquals(0, two.exit(), two::toString);
        assertEquals(2, two.json().size(), "an array for several jobs");

        // get --json | jq '.[].jobId' | jbits remove -  (quoted lines), with an unknown id among them
        String ids = "\"" + a1 + "\"\n\"" + a2 + "\"\n6f1d0c2e-0000-4000-8000-000000000000\n";
        Cli.Result removed = cli.runIn(null, ids, "remove", "--json", "-");
        assertEquals(3, removed.exit(), removed::toString);
        assertEquals(2, removed.json().size(), removed::toString);
        assertEquals(1, removed.errLines().size(), removed::toString);
        assertTrue(removed.errLines().get(0).contains("6f1d0c2e-0000-4000-8000-000000000000")
                && removed.errLines().get(0).contains("BG_E_NOT_FOUND"), removed::toString);
        JsonNode left = get();
        assertEquals(1, left.size(), left::toString);
        assertEquals(b, left.get(0).path("jobId").asText());
        assertEquals(0, cli.runIn(null, b + "\n", "remove", "-").exit());
        assertEquals(0, get().size());
        Cli.Result bad = cli.run("get", "--state", "paused");
        assertEquals(2, bad.exit(), bad::toString);
        assertTrue(bad.err().contains("transient-error"), bad::toString);
    }

    @Test
    void relativeDestinationsAndCsvFromStdinAreResolvedAgainstTheCallersDirectory() throws Exception {
        Cli.Result r = cli.runIn(dest, null, "start", nginx.url("small.txt").toString(), "rel.txt");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("hello, jbits\n", Files.readString(dest.resolve("rel.txt")));
        Files.createDirectories(dest.resolve("sub"));
        Cli.Result dir = cli.runIn(dest.resolve("sub"), null, "start", nginx.url("small.txt").toString(), ".");
        assertEquals(0, dir.exit(), dir::toString);
        assertTrue(Files.exists(dest.resolve("sub/small.txt")));

        String csv = "Source,Destination\n" + nginx.url("f.bin") + ",csv1.bin\n" + nginx.url("small.txt") + ",csv2.txt\n";
        Cli.Result c = cli.runIn(dest, csv, "start", "--from-csv", "-");
        assertEquals(0, c.exit(), c::toString);
        assertArrayEquals(CONTENT, Files.readAllBytes(dest.resolve("csv1.bin")));
        assertTrue(Files.exists(dest.resolve("csv2.txt")));
    }

    @Test
    void windowsDrivePathsAreNamedAsSuchAndCreateNothing() throws Exception {
        for (String[] args : List.of(new String[]{"start", nginx.url("small.txt").toString(), "C:\\x.txt"},
                new String[]{"start", "C:\\x.txt", dest.toString()})) {
            Cli.Result r = cli.runIn(dest, null, args);
            assertEquals(2, r.exit(), r::toString);
            assertEquals(1, r.errLines().size(), r::toString);
            assertTrue(r.err().contains("Windows drive path") && r.err().contains("E_INVALIDARG 0x80070057"),
                    r::toString);
        }
        assertEquals(0, get().size());
        try (var s = Files.list(dest)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void everySubcommandHasHelpListingValidValues() {
        List<List<String>> commands = List.of(List.of("start"), List.of("get"), List.of("add-file"), List.of("set"),
                List.of("suspend"), List.of("resume"), List.of("complete"), List.of("remove"), List.of("monitor"),
                List.of("agent"), List.of("agent", "run"), List.of("agent", "start"), List.of("agent", "stop"),
                List.of("agent", "status"), List.of("serve-uploads"));
        for (List<String> c : commands) {
            for (String flag : List.of("--help", "-h")) {
                List<String> a = new ArrayList<>(c);
                a.add(flag);
                Cli.Result r = cli.run(a.toArray(String[]::new));
                assertEquals(0, r.exit(), a + " " + r);
                assertTrue(r.out().startsWith("Usage: jbits " + String.join(" ", c)), a + " " + r);
            }
        }
        // Help text wraps at 80 columns: compare with the line breaks and indents folded.
        String start = cli.run("start", "--help").out().replaceAll("\\s+", " ");
        for (String v : List.of("foreground, high, normal or low", "download (default), upload or upload-reply",
                "always, not-roaming, no-surcharge, standard or unrestricted", "--from-csv", "--async",
                "system-default, no-proxy, auto-detect or override", "--notify-cmdline", "--max-download-size")) {
            assertTrue(start.contains(v), v + " in:\n" + start);
        }
        assertTrue(cli.run("get", "--help").out().replaceAll("\\s+", " ").contains("transient-error"));
        assertTrue(cli.run("add-file", "--help").out().contains("OFFSET:LENGTH"));
        Cli.Result usage = cli.run("start", "--bogus");
        assertTrue(usage.err().contains("see 'jbits start --help'"), usage::toString);
    }

    @Test
    void agentStatusExitsThreeWithoutAnAgentAndStopSpeaksJson() throws Exception {
        Cli.Result none = cli.run("agent", "status");
        assertEquals(3, none.exit(), none::toString);
        Cli.Result noneJson = cli.run("agent", "status", "--json");
        assertEquals(3, noneJson.exit(), noneJson::toString);
        assertFalse(noneJson.json().path("running").asBoolean());
        Cli.Result stopNone = cli.run("agent", "stop", "--json");
        assertEquals(0, stopNone.exit(), stopNone::toString);
        assertFalse(stopNone.json().path("wasRunning").asBoolean(), stopNone::toString);

        assertEquals(0, get().size());
        long pid = cli.agentPid();
        assertEquals(0, cli.run("agent", "status").exit());
        Cli.Result stop = cli.run("agent", "stop", "--json");
        assertEquals(0, stop.exit(), stop::toString);
        assertTrue(stop.json().path("stopped").asBoolean() && stop.json().path("wasRunning").asBoolean(), stop::toString);
        assertEquals(pid, stop.json().path("pid").asLong());
    }

    @Test
    void rangesAndTheNewPropertiesFromTheCommandLine() throws Exception {
        String id = suspended("ranged", "whole.bin");
        Cli.Result set = cli.run("set", id, "--json", "--max-download-size", "10000000", "--min-notify-interval",
                "1500", "--file-acl-flags", "owner,dacl", "--notify-cmdline", "/bin/true a 'b c'");
        assertEquals(0, set.exit(), set::toString);
        JsonNode j = set.json();
        assertEquals(10_000_000, j.path("maxDownloadSize").asLong());
        assertEquals(1500, j.path("minNotifyInterval").asLong());
        assertEquals("[\"Owner\",\"Dacl\"]", j.path("fileAclFlags").toString());
        assertEquals("[\"/bin/true\",\"/bin/true a 'b c'\"]", j.path("notifyCmdLine").toString());
        assertFalse(j.path("dynamicContent").asBoolean());

        Cli.Result add = cli.run("add-file", "--json", "--range", "10:100,250000:eof", id,
                nginx.url("f.bin").toString(), dest.resolve("parts.bin").toString());
        assertEquals(0, add.exit(), add::toString);
        assertEquals("[{\"offset\":10,\"length\":100},{\"offset\":250000,\"length\":-1}]",
                add.json().path("fileList").get(1).path("ranges").toString());
        Cli.Result badRange = cli.run("add-file", "--range", "5:0", id, nginx.url("f.bin").toString(),
                dest.resolve("bad.bin").toString());
        assertEquals(2, badRange.exit(), badRange::toString);
        assertTrue(badRange.err().contains("BG_E_INVALID_RANGE"), badRange::toString);
        Cli.Result overlap = cli.run("add-file", "--range", "0:100,50:10", id, nginx.url("f.bin").toString(),
                dest.resolve("bad.bin").toString());
        assertEquals(2, overlap.exit(), overlap::toString);
        assertTrue(overlap.err().contains("BG_E_OVERLAPPING_RANGES"), overlap::toString);

        assertEquals(0, cli.run("set", id, "--notify-cmdline", "").exit());
        assertTrue(get(id).get(0).path("notifyCmdLine").isNull());
        assertEquals(0, cli.run("resume", id).exit());
        Await.until(Duration.ofSeconds(60), "transferred",
                () -> get(id).get(0).path("jobState").asText().equals("Transferred"));
        assertEquals(0, cli.run("complete", id).exit());
        byte[] expect = new byte[100 + CONTENT.length - 250_000];
        System.arraycopy(CONTENT, 10, expect, 0, 100);
        System.arraycopy(CONTENT, 250_000, expect, 100, CONTENT.length - 250_000);
        assertArrayEquals(expect, Files.readAllBytes(dest.resolve("parts.bin")), "the ranges, one after another");
        assertArrayEquals(CONTENT, Files.readAllBytes(dest.resolve("whole.bin")));
    }

    @Test
    void theAgentTakesJobLimitsFromJbitsConf() throws Exception {
        Files.createDirectories(cli.home());
        Files.setPosixFilePermissions(cli.home(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path conf = Files.writeString(cli.home().resolve("jbits.conf"),
                "# a tighter MaxJobsPerUser, for root too (CI runs as root, which BITS' limit exempts)\n"
                        + "engine.maxJobsPerUser = 2\nengine.maxJobsPerUserAppliesToRoot = true\n");
        Files.setPosixFilePermissions(conf, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        suspended("one", "l1");
        suspended("two", "l2");
        Cli.Result third = cli.run("start", "--suspended", nginx.url("f.bin").toString(), dest.resolve("l3").toString());
        assertEquals(2, third.exit(), third::toString);
        assertTrue(third.err().contains("BG_E_TOO_MANY_JOBS_PER_USER"), third::toString);
        assertEquals(2, get().size(), "nothing created by the refused start");
    }

    @Test
    void aMovedServerIsFixedWithReplaceRemotePrefix() throws Exception {
        Cli.Result r = cli.run("start", "--suspended", "--json", "http://127.0.0.1:9/f.bin", dest.resolve("m.bin").toString());
        String id = r.json().path("jobId").asText();
        String base = nginx.url("").toString();
        Cli.Result set = cli.run("set", id, "--json", "--replace-remote-prefix", "http://127.0.0.1:9/=" + base);
        assertEquals(0, set.exit(), set::toString);
        assertEquals(nginx.url("f.bin").toString(), set.json().path("fileList").get(0).path("remoteName").asText());
        Cli.Result rename = cli.run("set", id, "--remote-name", "7=" + base, "--json");
        assertEquals(2, rename.exit(), rename::toString);
        assertEquals(0, cli.run("resume", id).exit());
        Await.until(Duration.ofSeconds(60), "transferred",
                () -> get(id).get(0).path("jobState").asText().equals("Transferred"));
        assertEquals(0, cli.run("complete", id).exit());
        assertArrayEquals(CONTENT, Files.readAllBytes(dest.resolve("m.bin")));
    }

    @Test
    void theNotifyCommandLineRunsWhenTheJobIsTransferredWithItsOutputInTheAgentLog() throws Exception {
        Path marker = tmp.resolve("notified");
        Path script = Files.writeString(tmp.resolve("notify.sh"), "#!/bin/sh\necho \"notify-output-$1\"\n"
                + "echo \"$1\" > '" + marker + "'\n");
        script.toFile().setExecutable(true);
        Cli.Result r = cli.run("start", "--async", "--json", "--notify-flags", "transferred",
                "--notify-cmdline", script + " %jobid%", nginx.url("small.txt").toString(), dest.resolve("n.txt").toString());
        assertEquals(0, r.exit(), r::toString);
        String id = r.json().path("jobId").asText();
        Await.until(Duration.ofSeconds(60), "the notify program ran", () -> Files.exists(marker));
        Await.until(Duration.ofSeconds(10), "it wrote the job id", () -> {
            try {
                return Files.readString(marker).trim().equals(id);
            } catch (java.io.IOException e) {
                return false;
            }
        });
        Path log = cli.home().resolve("agent.log");
        Await.until(Duration.ofSeconds(10), "its output in the agent log", () -> {
            try {
                return Files.readString(log).contains("notify-output-" + id);
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertEquals("Transferred", get(id).get(0).path("jobState").asText(), "the program did not complete it");
        assertEquals(0, cli.run("complete", id).exit());
    }
}
