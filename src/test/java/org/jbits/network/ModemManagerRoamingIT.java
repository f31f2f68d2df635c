package org.jbits.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.NetworkStatus;
import org.jbits.testing.ModemManagerBus;
import org.jbits.testing.VirtualModem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModemManagerRoaming} and {@link LinuxNetworkCost} against a real ModemManager on a private bus
 * ({@link ModemManagerBus}) driving a {@link VirtualModem}: the production D-Bus path, no mock of ModemManager. The
 * modem's move to a visited network (an unsolicited {@code +CREG: 2,5}) reaches the detector as a
 * PropertiesChanged signal within a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ModemManagerRoamingIT {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private ModemManagerBus mm;
    private VirtualModem modem;

    @TempDir
    Path tmp;

    @BeforeAll
    void start() throws Exception {
        String why = ModemManagerBus.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "no ModemManager here: " + why);
        mm = ModemManagerBus.start();
    }

    @AfterAll
    void stop() throws Exception {
        if (modem != null) {
            modem.close();
        }
        if (mm != null) {
            mm.close();
        }
    }

    @Test
    @Order(1)
    void followsAModemRegisteringOnAVisitedNetworkAndComingHome() throws Exception {
        try (ModemManagerRoaming roaming = ModemManagerRoaming.start(mm.busAddress(), Clock.systemUTC())) {
            NetworkStatus first = roaming.current();
            assertEquals(CostSource.MODEM_MANAGER, first.source(), first.toString());
            assertEquals(CostState.UNRESTRICTED, first.cost(), first.toString());
            assertEquals("ModemManager has no 3GPP modem", first.detail());
            LinkedBlockingQueue<NetworkStatus> changes = new LinkedBlockingQueue<>();
            roaming.addListener(changes::add);

            modem = VirtualModem.listen(tmp.resolve("modem0"));
            String path = mm.addModem(modem);
            String n = path.substring(path.lastIndexOf('/') + 1);
            NetworkStatus home = await(changes, s -> s.detail().equals("modem " + n + ": 3GPP registration home (1)"));
            assertEquals(CostState.UNRESTRICTED, home.cost(), home.toString());

            long t0 = System.nanoTime();
            modem.register(VirtualModem.ROAMING);
            NetworkStatus away = await(changes, s -> s.cost() == CostState.ROAMING);
            long took = System.nanoTime() - t0;
            System.out.printf("roaming seen %d ms after the modem said so%n", took / 1_000_000);
            assertEquals("modem " + n + ": 3GPP registration roaming (5)", away.detail());
            assertEquals(CostSource.MODEM_MANAGER, away.source());
            assertTrue(took <= ONE_SECOND.toNanos(), "roaming seen after " + took / 1_000_000 + " ms");

            t0 = System.nanoTime();
            modem.register(VirtualModem.HOME);
            NetworkStatus back = await(changes, s -> s.cost() == CostState.UNRESTRICTED);
            took = System.nanoTime() - t0;
            System.out.printf("home again seen %d ms after the modem said so%n", took / 1_000_000);
            assertEquals("modem " + n + ": 3GPP registration home (1)", back.detail());
            assertTrue(took <= ONE_SECOND.toNanos(), "home seen after " + took / 1_000_000 + " ms");
        }
    }

    @Test
    @Order(2)
    void withoutNetworkManagerARoamingModemMakesTheNetworkRoaming() throws Exception {
        modem.register(VirtualModem.ROAMING);
        try (LinuxNetworkCost cost = LinuxNetworkCost.start(mm.busAddress(), Clock.systemUTC())) {
            LinkedBlockingQueue<NetworkStatus> changes = new LinkedBlockingQueue<>();
            cost.addListener(changes::add);
            NetworkStatus s = cost.current().cost() == CostState.ROAMING ? cost.current()
                    : await(changes, x -> x.cost() == CostState.ROAMING);
            assertEquals(CostSource.MODEM_MANAGER, s.source(), s.toString());
            assertTrue(s.detail().endsWith("3GPP registration roaming (5); no NetworkManager, so the modem is taken "
                    + "to carry the traffic"), s.detail());
            modem.register(VirtualModem.HOME);
            NetworkStatus home = await(changes, x -> x.cost() == CostState.UNRESTRICTED);
            assertEquals(CostSource.NONE, home.source(), "NetworkManager's (absent) reading again: " + home);
        }
    }

    @Test
    @Order(3)
    void followsModemManagerLeavingAndRejoiningTheBusWithoutStartingIt() throws Exception {
        try (ModemManagerRoaming roaming = ModemManagerRoaming.start(mm.busAddress(), Clock.systemUTC())) {
            LinkedBlockingQueue<NetworkStatus> changes = new LinkedBlockingQueue<>();
            roaming.addListener(changes::add);
            mm.stopModemManager();
            NetworkStatus gone = await(changes, s -> s.source() == CostSource.NONE);
            assertEquals("ModemManager left the system bus at " + mm.busAddress(), gone.detail());
            assertEquals(CostState.UNRESTRICTED, gone.cost());
        }
        // Watching a bus without ModemManager does not start it (a call to its name would activate it).
        try (ModemManagerRoaming roaming = ModemManagerRoaming.start(mm.busAddress(), Clock.systemUTC())) {
            assertEquals("ModemManager is not on the system bus at " + mm.busAddress(), roaming.current().detail());
            LinkedBlockingQueue<NetworkStatus> changes = new LinkedBlockingQueue<>();
            roaming.addListener(changes::add);
            mm.startModemManager();
            NetworkStatus back = await(changes, s -> s.source() == CostSource.MODEM_MANAGER);
            assertEquals("ModemManager has no 3GPP modem", back.detail(), "the restarted ModemManager has no modem yet");
        }
    }

    private static NetworkStatus await(LinkedBlockingQueue<NetworkStatus> changes,
            java.util.function.Predicate<NetworkStatus> want) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            NetworkStatus s = changes.poll(100, TimeUnit.MILLISECONDS);
            if (s != null) {
                System.out.println("  change: " + s);
                if (want.test(s)) {
                    return s;
                }
            }
        }
        throw new AssertionError("no such change within 30 s");
    }
}
