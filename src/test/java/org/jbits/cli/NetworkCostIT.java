package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jbits.agent.AgentClient;
import org.jbits.agent.AgentProcess;
import org.jbits.agent.Request;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.NetworkManagerNamespace;
import org.jbits.testing.NginxServer;
import org.jbits.testing.NginxServer.AccessLogEntry;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network cost end to end: a real agent process whose system bus ({@code DBUS_SYSTEM_BUS_ADDRESS}) is a real
 * NetworkManager's, private to the test ({@link NetworkManagerNamespace}), and a real nginx. Flipping
 * {@code connection.metered} with nmcli blocks a job whose policy excludes a metered network and releases it, each
 * within a second; {@code jbits network} shows it; the override survives an agent restart; bad input is one line
 * with its code, exit 2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NetworkCostIT {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static final String BLOCKED = "BG_E_BLOCKED_BY_COST_TRANSFER_POLICY";
    private NetworkManagerNamespace nm;
    private NginxServer nginx;
    private Map<String, String> env;

    @TempDir
    Path tmp;
    private Cli cli;

    @BeforeAll
    void start() throws Exception {
        String why = NetworkManagerNamespace.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "no private NetworkManager here: " + why);
        nm = NetworkManagerNamespace.start(false);
        env = Map.of("DBUS_SYSTEM_BUS_ADDRESS", nm.busAddress());
        nginx = NginxServer.builder().limitRate("1m").start();
    }

    @AfterAll
    void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (nm != null) {
            nm.close();
        }
    }

    @BeforeEach
    void home() {
        cli = new Cli(tmp.resolve("home"));
    }

    @AfterEach
    void stopAgent() {
        cli.close();
    }

    private Cli.Result jbits(String... args) {
        return cli.run(env, args);
    }

    private JsonNode job(AgentClient c, String id) throws Exception {
        ObjectNode reply = c.call(new Request.Get(List.of(id)));
        return reply.path("jobs").path(0);
    }

    /** Polls the agent every 10 ms until the job's state is (or, with {@code not}, is no longer) {@code state}. */
    private JsonNode awaitState(AgentClient c, String id, String state, boolean not, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode j = job(c, id);
        while (j.path("jobState").asText().equals(state) == not && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
            j = job(c, id);
        }
        return j;
    }

    @Test
    void agentBlocksAndReleasesAJobWithinASecondOfNmcliFlippingMetered() throws Exception {
        // An administrator's default for Foreground (what 'jbits start' gives): only unrestricted networks.
        Files.createDirectories(cli.home());
        Files.writeString(cli.home().resolve("jbits.conf"), "transferPolicy.foreground = unrestricted\n");
        byte[] content = TestData.random(6 << 20, 51);
        nginx.put("metered.bin", content);
        Path dest = tmp.resolve("metered.bin");

        Cli.Result n = jbits("network", "--json");
        assertEquals(0, n.exit(), n.toString());
        assertEquals("NetworkManager", n.json().path("source").asText(), n.toString());
        assertEquals("Unrestricted", n.json().path("costState").asText(), n.toString());
        assertEquals("Metered: NO (2); primary connection: 802-3-ethernet", n.json().path("detail").asText(), n.toString());

        Cli.Result started = jbits("start", "--async", "--json", nginx.slowUrl("metered.bin").toString(), dest.toString());
        assertEquals(0, started.exit(), started.toString());
        String id = started.json().path("jobId").asText();
        assertEquals("Unrestricted", started.json().path("transferPolicy").asText(), "the configured default");
        try (AgentClient c = AgentClient.connect(AgentProcess.socket(cli.home()))) {
            Await.until(Duration.ofSeconds(20), "progress", () -> {
                try {
                    return job(c, id).path("bytesTransferred").asLong() > 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });

            long t0 = System.nanoTime();
            nm.setMetered(true);
            long nmcliDone = System.nanoTime();
            JsonNode j = awaitState(c, id, "TransientError", false, Duration.ofSeconds(5));
            long blockedAt = System.nanoTime();
            assertEquals("TransientError", j.path("jobState").asText(), j.toString());
            assertEquals(BLOCKED, j.path("errorCondition").asText(), j.toString());
            assertEquals("GeneralQueueManager", j.path("errorContext").asText(), j.toString());
            System.out.printf("blocked: %d ms after nmcli modify began, %d ms after nmcli up returned%n",
                    (blockedAt - t0) / 1_000_000, (blockedAt - nmcliDone) / 1_000_000);
            assertTrue(blockedAt - nmcliDone <= ONE_SECOND.toNanos(), "blocked " + (blockedAt - nmcliDone) / 1_000_000
                    + " ms after NetworkManager's connection came up metered");
            Thread.sleep(300);
            long held = job(c, id).path("bytesTransferred").asLong();
            assertTrue(held > 0 && held < content.length, "stopped mid-file keeping " + held + " bytes");

            Cli.Result metered = jbits("network", "--json");
            assertEquals("Capped", metered.json().path("costState").asText(), metered.toString());
            assertEquals("BITS_COST_STATE_CAPPED_USAGE_UNKNOWN", metered.json().path("costStateName").asText());
            assertEquals("Metered: YES (1); primary connection: 802-3-ethernet", metered.json().path("detail").asText());
            Thread.sleep(1_000);
            assertEquals("TransientError", job(c, id).path("jobState").asText(), "still waiting for the network");
            assertEquals(held, job(c, id).path("bytesTransferred").asLong(), "no bytes while blocked");

            t0 = System.nanoTime();
            nm.setMetered(false);
            nmcliDone = System.nanoTime();
            j = awaitState(c, id, "TransientError", true, Duration.ofSeconds(5));
            long releasedAt = System.nanoTime();
            assertFalse(j.path("jobState").asText().equals("TransientError"), j.toString());
            System.out.printf("released: %d ms after nmcli modify began, %d ms after nmcli up returned%n",
                    (releasedAt - t0) / 1_000_000, (releasedAt - nmcliDone) / 1_000_000);
            assertTrue(releasedAt - nmcliDone <= ONE_SECOND.toNanos(), "released " + (releasedAt - nmcliDone) / 1_000_000
                    + " ms after NetworkManager's connection came up unmetered");
            j = awaitState(c, id, "Transferred", false, Duration.ofSeconds(30));
            assertEquals("Transferred", j.path("jobState").asText(), j.toString());
        }
        assertEquals(0, jbits("complete", id).exit());
        assertEquals(TestData.sha256(content), TestData.sha256(dest));
        List<AccessLogEntry> requests = nginx.requestsFor("/slow/metered.bin");
        assertEquals(2, requests.size(), requests.toString());
        AccessLogEntry resumed = requests.get(1);
        assertEquals(206, resumed.status(), resumed.toString());
        assertEquals(content.length - resumed.rangeStart(), resumed.bodyBytesSent(), "only the rest was fetched again");
    }

    @Test
    void overrideSurvivesAnAgentRestartAndAutoReturnsToNetworkManager() throws Exception {
        Cli.Result set = jbits("network", "--override", "roaming");
        assertEquals(0, set.exit(), set.toString());
        assertTrue(set.out().startsWith("network cost: Roaming (BITS_COST_STATE_ROAMING) from override since "), set.out());
        assertTrue(set.out().contains("; detection says Unrestricted (BITS_COST_STATE_UNRESTRICTED) from NetworkManager"),
                set.out());
        Path file = cli.home().resolve("network-override");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        assertEquals(0, jbits("agent", "stop").exit());
        Cli.Result after = jbits("network", "--json");
        assertEquals(0, after.exit(), after.toString());
        JsonNode n = after.json();
        assertEquals("Roaming", n.path("costState").asText(), "kept across the restart: " + n);
        assertEquals("override", n.path("source").asText());
        assertEquals("NetworkManager", n.path("detected").path("source").asText(), n.toString());
        assertEquals("Unrestricted", n.path("detected").path("costState").asText(), n.toString());

        Cli.Result auto = jbits("network", "--override", "auto", "--json");
        assertEquals("NetworkManager", auto.json().path("source").asText(), auto.toString());
        assertTrue(auto.json().path("detected").isNull(), auto.toString());
        assertFalse(Files.exists(file));
        Cli.Result plain = jbits("network");
        assertEquals(1, plain.out().lines().count(), plain.out());
        assertTrue(plain.out().startsWith("network cost: Unrestricted (BITS_COST_STATE_UNRESTRICTED) from NetworkManager "
                + "since ") && plain.out().strip().endsWith(": Metered: NO (2); primary connection: 802-3-ethernet"), plain.out());
    }

    @Test
    void anUnknownCostIsOneLineWithItsCodeExit2AndStartsNoAgent() {
        try (Cli fresh = new Cli(tmp.resolve("fresh"))) {
            Cli.Result r = fresh.run(env, "network", "--override", "expensive");
            assertEquals(2, r.exit(), r.toString());
            assertEquals(List.of("jbits: unknown network cost state 'expensive' (expected unrestricted, capped, below-cap, "
                    + "near-cap, over-cap-charged, over-cap-throttled, usage-based, roaming, or auto) "
                    + "[E_INVALIDARG 0x80070057]"), r.errLines(), r.toString());
            assertEquals("", r.out());
            assertFalse(Files.exists(tmp.resolve("fresh").resolve("agent.pid")), "bad input starts no agent");
        }
    }
}
