package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On-demand mode from the command line, through the packaged jar and its agent against a real nginx:
 * {@code start --on-demand}, {@code set --download-position} and {@code --request-ranges}, {@code get --json}'s
 * filled ranges, a kill -9 of the agent while ranges are being fetched (every range reported filled before the kill
 * is on disk, intact, after it), and the command line's refusals.
 */
class OnDemandIT extends NginxCliTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final byte[] CONTENT = TestData.random(3 << 20, 31);
    private static final int POSITION = 1 << 20;

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.start();
        nginx.put("od.bin", CONTENT);
    }

    private JsonNode job(String id) {
        Cli.Result r = cli.run("get", "--json", id);
        assertEquals(0, r.exit(), r::toString);
        return r.json().get(0);
    }

    private static String state(JsonNode job) {
        return job.path("jobState").asText();
    }

    /** Every filled range of the job's file holds the remote file's bytes at that offset. */
    private static void assertFilledRangesIntact(JsonNode job) throws Exception {
        JsonNode file = job.path("fileList").get(0);
        Path temp = Path.of(file.path("temporaryName").asText());
        try (FileChannel ch = FileChannel.open(temp)) {
            for (JsonNode r : file.path("filledRanges")) {
                int off = r.path("offset").asInt();
                int len = r.path("length").asInt();
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(len);
                while (b.hasRemaining() && ch.read(b, off + b.position()) > 0) {
                    // reads on
                }
                assertArrayEquals(Arrays.copyOfRange(CONTENT, off, off + len), b.array(), "range " + r);
            }
        }
    }

    @Test
    void rangesAskedForAreFetchedAndAKillOfTheAgentKeepsEveryFilledRange() throws Exception {
        // 512 KiB/s: the 2 MiB from the position take about 4 s, time enough to kill the agent among them.
        Cli.Result started = cli.run("start", "--suspended", "--json", "--on-demand", "--priority", "foreground",
                nginx.rateUrl("od.bin", "512k").toString(), dest.resolve("od.bin").toString());
        assertEquals(0, started.exit(), started::toString);
        String id = started.json().path("jobId").asText();
        assertTrue(started.json().path("onDemand").asBoolean(), started::toString);
        assertTrue(started.json().path("fileList").get(0).path("filledRanges").isArray(), started::toString);

        Cli.Result pos = cli.run("set", id, "--download-position", "0=" + POSITION);
        assertEquals(0, pos.exit(), pos::toString);
        assertEquals(0, cli.run("resume", id).exit());
        JsonNode before = Await.until(TIMEOUT, "a filled range", () -> job(id),
                j -> j.path("fileList").get(0).path("filledRanges").size() > 0);
        long filledAtKill = before.path("fileList").get(0).path("filledRanges").get(0).path("length").asLong();
        assertTrue(!state(before).equals("Suspended") && filledAtKill < CONTENT.length - POSITION,
                "the kill comes while the ranges are being fetched: " + before);
        long pid = cli.agentPid();
        assertTrue(pid > 0);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Await.until(TIMEOUT, "the agent to be gone", () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));

        JsonNode after = job(id);
        long filledBefore = filledAtKill;
        JsonNode kept = after.path("fileList").get(0).path("filledRanges");
        assertTrue(kept.size() > 0 && kept.get(0).path("offset").asLong() == POSITION
                && kept.get(0).path("length").asLong() >= filledBefore,
                "every range reported before the kill is still there: " + before + " -> " + after);
        assertFilledRangesIntact(after);

        JsonNode met = Await.until(TIMEOUT, "the requests met", () -> job(id), j -> state(j).equals("Suspended"));
        JsonNode filled = met.path("fileList").get(0).path("filledRanges");
        assertEquals(1, filled.size(), met::toString);
        assertEquals(POSITION, filled.get(0).path("offset").asLong());
        assertEquals(CONTENT.length - POSITION, filled.get(0).path("length").asLong());
        assertFilledRangesIntact(met);
        assertEquals(CONTENT.length - POSITION, met.path("bytesTransferred").asLong(), met::toString);

        Cli.Result rest = cli.run("set", id, "--json", "--request-ranges", "0=0:100,50:eof");
        assertEquals(0, rest.exit(), rest::toString);
        assertEquals(0, cli.run("resume", id).exit());
        Await.until(TIMEOUT, "Transferred", () -> job(id), j -> state(j).equals("Transferred"));
        assertEquals(0, cli.run("complete", id).exit());
        assertArrayEquals(CONTENT, Files.readAllBytes(dest.resolve("od.bin")));
    }

    @Test
    void theCommandLineRefusesWhatBitsRefuses() {
        Cli.Result plain = cli.run("start", "--suspended", "--json", nginx.url("od.bin").toString(),
                dest.resolve("plain.bin").toString());
        assertEquals(0, plain.exit(), plain::toString);
        String id = plain.json().path("jobId").asText();
        assertTrue(plain.json().path("fileList").get(0).path("filledRanges").isNull(), plain::toString);

        Cli.Result notOnDemand = cli.run("set", id, "--request-ranges", "0=0:10");
        assertEquals(2, notOnDemand.exit(), notOnDemand::toString);
        assertTrue(notOnDemand.err().contains("BG_E_RANDOM_ACCESS_NOT_SUPPORTED"), notOnDemand::toString);

        Cli.Result badRange = cli.run("set", id, "--request-ranges", "0=ten:10");
        assertEquals(2, badRange.exit(), badRange::toString);
        assertTrue(badRange.err().contains("BG_E_INVALID_RANGE"), badRange::toString);
        Cli.Result noIndex = cli.run("set", id, "--download-position", "100");
        assertEquals(2, noIndex.exit(), noIndex::toString);
        assertTrue(noIndex.err().contains("INDEX=OFFSET"), noIndex::toString);

        Cli.Result local = cli.run("start", "--suspended", "--on-demand", tmp.resolve("dest").toUri() + "x",
                dest.resolve("x.bin").toString());
        assertEquals(2, local.exit(), local::toString);
        assertTrue(local.err().contains("BG_E_RANDOM_ACCESS_NOT_SUPPORTED"), local::toString);

        Cli.Result dyn = cli.run("set", id, "--dynamic-content", "--on-demand");
        assertEquals(2, dyn.exit(), dyn::toString);
        assertTrue(dyn.err().contains("BG_E_RANDOM_ACCESS_NOT_SUPPORTED"), dyn::toString);
        JsonNode after = job(id);
        assertTrue(!after.path("onDemand").asBoolean() && !after.path("dynamicContent").asBoolean(),
                "nothing changed: " + after);
    }
}
