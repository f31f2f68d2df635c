package org.jbits.cli;

import static org.jbits.testing.AgentJobs.job;
import static org.jbits.testing.AgentJobs.transferred;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jbits.agent.AgentClient;
import org.jbits.agent.AgentProcess;
import org.jbits.testing.Await;
import org.jbits.testing.Cli;
import org.jbits.testing.ModemManagerBus;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.jbits.testing.VirtualModem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roaming end to end: a real agent process whose system bus is a private one with a real ModemManager on it
 * ({@link ModemManagerBus}) driving a {@link VirtualModem}, and a real nginx. The modem moving to a visited network
 * blocks a job whose policy excludes roaming (BG_E_BLOCKED_BY_COST_TRANSFER_POLICY) within a second, keeping its
 * bytes, while a job whose policy allows roaming keeps transferring; coming home releases it within a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RoamingIT {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private ModemManagerBus mm;
    private VirtualModem modem;
    private NginxServer nginx;

    @TempDir
    static Path tmp;

    @BeforeAll
    void start() throws Exception {
        String why = ModemManagerBus.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "no ModemManager here: " + why);
        mm = ModemManagerBus.start();
        modem = VirtualModem.listen(tmp.resolve("modem0"));
        mm.addModem(modem);
        nginx = NginxServer.builder().limitRate("1m").start();
    }

    @AfterAll
    void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (modem != null) {
            modem.close();
        }
        if (mm != null) {
            mm.close();
        }
    }

    @Test
    void aRoamingModemBlocksNotRoamingJobsAndComingHomeReleasesThem() throws Exception {
        Map<String, String> env = Map.of("DBUS_SYSTEM_BUS_ADDRESS", mm.busAddress());
        byte[] content = TestData.random(6 << 20, 61);
        nginx.put("roaming.bin", content);
        nginx.put("always.bin", content);
        try (Cli cli = new Cli(tmp.resolve("home"))) {
            Cli.Result n = cli.run(env, "network", "--json");
            assertEquals(0, n.exit(), n.toString());
            assertEquals("none", n.json().path("source").asText(), "no NetworkManager, a modem at home: " + n);

            String careful = start(cli, env, "not-roaming", "roaming.bin");
            String anyway = start(cli, env, "always", "always.bin");
            try (AgentClient c = AgentClient.connect(AgentProcess.socket(cli.home()))) {
                Await.until(Duration.ofSeconds(20), "progress", () -> transferred(c, careful) > 0, b -> b);

                long t0 = System.nanoTime();
                modem.register(VirtualModem.ROAMING);
                JsonNode j = Await.until(Duration.ofSeconds(5), "blocked by roaming", () -> job(c, careful),
                        x -> x.path("jobState").asText().equals("TransientError"));
                long took = System.nanoTime() - t0;
                System.out.printf("blocked %d ms after the modem registered roaming%n", took / 1_000_000);
                assertEquals("BG_E_BLOCKED_BY_COST_TRANSFER_POLICY", j.path("errorCondition").asText(), j.toString());
                assertTrue(took <= ONE_SECOND.toNanos(), "blocked after " + took / 1_000_000 + " ms");

                Cli.Result roaming = cli.run(env, "network", "--json");
                assertEquals("Roaming", roaming.json().path("costState").asText(), roaming.toString());
                assertEquals("ModemManager", roaming.json().path("source").asText(), roaming.toString());
                long held = transferred(c, careful);
                long other = transferred(c, anyway);
                Thread.sleep(1_500);
                assertEquals(held, transferred(c, careful), "no bytes while blocked");
                assertTrue(held > 0 && held < content.length, "stopped mid-file keeping " + held + " bytes");
                String otherState = job(c, anyway).path("jobState").asText();
                assertTrue(transferred(c, anyway) > other || otherState.equals("Transferred"),
                        "the job whose policy allows roaming kept transferring: " + job(c, anyway));

                t0 = System.nanoTime();
                modem.register(VirtualModem.HOME);
                j = Await.until(Duration.ofSeconds(5), "released", () -> job(c, careful),
                        x -> !x.path("jobState").asText().equals("TransientError"));
                took = System.nanoTime() - t0;
                System.out.printf("released %d ms after the modem registered home%n", took / 1_000_000);
                assertTrue(took <= ONE_SECOND.toNanos(), "released after " + took / 1_000_000 + " ms: " + j);
                Await.until(Duration.ofSeconds(60), "both transferred", () -> job(c, careful).path("jobState").asText()
                        + "/" + job(c, anyway).path("jobState").asText(), s -> s.equals("Transferred/Transferred"));
            }
            assertEquals(0, cli.run(env, "complete", careful, anyway).exit());
            assertEquals(TestData.sha256(content), TestData.sha256(tmp.resolve("roaming.bin")));
            assertEquals(TestData.sha256(content), TestData.sha256(tmp.resolve("always.bin")));
        }
    }

    private String start(Cli cli, Map<String, String> env, String policy, String name) {
        Cli.Result r = cli.run(env, "start", "--async", "--json", "--transfer-policy", policy,
                nginx.slowUrl(name).toString(), tmp.resolve(name).toString());
        assertEquals(0, r.exit(), r.toString());
        return r.json().path("jobId").asText();
    }
}
