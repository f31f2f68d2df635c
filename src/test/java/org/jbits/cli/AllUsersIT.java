package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code get --all-users} (BG_JOB_ENUM_ALL_USERS) with a real second account, made here with useradd and used
 * through runuser: root's listing shows that user's job with its owner, reads the user's store without changing a
 * byte of it or leaving a file in their state directory; the user asking for every user's jobs is refused with
 * E_ACCESSDENIED, exit 4. Runs as root, as CI does.
 */
class AllUsersIT {
    static NginxServer nginx;
    static String user;
    static Path userHome;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "this test makes a user and must run as root, as CI does");
        nginx = NginxServer.start();
        nginx.put("u.bin", TestData.random(10_000, 3));
        user = "jbu" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        run(List.of("useradd", "-m", "-s", "/bin/sh", user), 0);
        userHome = Path.of(new String(new ProcessBuilder("sh", "-c", "getent passwd " + user + " | cut -d: -f6")
                .start().getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.copy(Path.of(System.getProperty("jbits.jar")), tmp.resolve("jbits.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (user != null) {
            asUser(-1, "agent", "stop");
            run(List.of("pkill", "-KILL", "-u", user), -1);
            run(List.of("userdel", "-r", "-f", user), -1);
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    private static String run(List<String> cmd, int expect) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), cmd.toString());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (expect >= 0) {
            assertEquals(expect, p.exitValue(), cmd + ": " + out);
        }
        return out;
    }

    /** {@code jbits args} as the second user, in its home, its state in the default place. */
    private static String asUser(int expect, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", user, "--", "env", "-i", "HOME=" + userHome,
                "PATH=/usr/bin:/bin", "USER=" + user,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-jar", tmp.resolve("jbits.jar").toString()));
        cmd.addAll(List.of(args));
        return run(cmd, expect);
    }

    private static TreeMap<String, String> files(Path dir) throws Exception {
        TreeMap<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                m.put(p.getFileName().toString(), Files.isRegularFile(p) ? TestData.sha256(p) : "?");
            }
        }
        return m;
    }

    @Test
    void rootListsEveryUsersJobsReadOnlyAndAnyoneElseIsDenied() throws Exception {
        String started = asUser(0, "start", "--suspended", "--json", "--display-name", "theirs", "--on-demand",
                nginx.url("u.bin").toString(), userHome.resolve("u.bin").toString());
        String theirId = new ObjectMapper().readTree(started).path("jobId").asText();
        String denied = asUser(4, "get", "--all-users");
        assertTrue(denied.contains("E_ACCESSDENIED 0x80070005") && denied.lines().count() == 1, denied);
        asUser(0, "agent", "stop");
        Path state = userHome.resolve(".local/state/jbits");
        TreeMap<String, String> before = files(state);

        try (Cli cli = new Cli(tmp.resolve("roothome"))) {
            Cli.Result mine = cli.run("start", "--suspended", "--display-name", "root's", nginx.url("u.bin").toString(),
                    tmp.resolve("r.bin").toString());
            assertEquals(0, mine.exit(), mine::toString);
            Cli.Result all = cli.run("get", "--all-users", "--json");
            assertEquals(0, all.exit(), all::toString);
            JsonNode theirs = null;
            boolean rootsOwn = false;
            for (JsonNode j : all.json()) {
                if (j.path("jobId").asText().equals(theirId)) {
                    theirs = j;
                }
                rootsOwn |= j.path("displayName").asText().equals("root's");
            }
            assertTrue(rootsOwn, all::toString);
            assertTrue(theirs != null, "the other user's job is listed: " + all);
            assertEquals(user, theirs.path("ownerAccount").asText());
            assertEquals("Suspended", theirs.path("jobState").asText());
            assertEquals("theirs", theirs.path("displayName").asText());
            // Read from the user's store as it is: on-demand, nothing filled yet.
            assertTrue(theirs.path("onDemand").asBoolean(false), theirs::toString);
            assertTrue(theirs.path("fileList").get(0).path("filledRanges").isArray(), theirs::toString);
            assertEquals(0, theirs.path("fileList").get(0).path("filledRanges").size(), theirs::toString);
            Cli.Result byName = cli.run("get", "--all-users", "--json", "theirs");
            assertEquals(0, byName.exit(), byName::toString);
            assertEquals(1, byName.json().size(), byName::toString);
            Cli.Result table = cli.run("get", "--all-users");
            assertTrue(table.out().contains(user), table::toString);
            // Root's own listing is still only root's.
            assertEquals(1, cli.run("get", "--json").json().size());
        }
        assertEquals(before, files(state), "the user's state directory is as it was, byte for byte");
        String again = asUser(0, "get", "--json");
        assertTrue(again.contains(theirId), "the user's own agent still has its job: " + again);
    }
}
