package org.jbits.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.NetworkStatus;
import org.jbits.testing.Await;
import org.jbits.testing.ModemManagerBus;
import org.jbits.testing.NetworkManagerNamespace;
import org.jbits.testing.VirtualModem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NetworkManagerCost} against a real NetworkManager on a private system bus ({@link NetworkManagerNamespace}):
 * the production D-Bus path, no mock. Flipping {@code connection.metered} with nmcli reaches the listener as a
 * PropertiesChanged signal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetworkManagerCostIT {
    private NetworkManagerNamespace nm;

    @BeforeAll
    void startNetworkManager() throws Exception {
        String why = NetworkManagerNamespace.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "no private NetworkManager here: " + why);
        nm = NetworkManagerNamespace.start(true);
    }

    @AfterAll
    void stop() {
        if (nm != null) {
            nm.close();
        }
    }

    @Test
    void followsMeteredFromNetworkManagerThroughPropertiesChanged() throws Exception {
        try (NetworkManagerCost cost = NetworkManagerCost.start(nm.busAddress(), Clock.systemUTC())) {
            NetworkStatus first = cost.current();
            assertEquals(CostSource.NETWORK_MANAGER, first.source(), first + "; busctl says " + nm.meteredProperty());
            assertEquals(CostState.CAPPED, first.cost(), first.toString());
            LinkedBlockingQueue<NetworkStatus> changes = new LinkedBlockingQueue<>();
            cost.addListener(changes::add);

            long t0 = System.nanoTime();
            nm.setMetered(false);
            NetworkStatus s = awaitCost(changes, CostState.UNRESTRICTED);
            System.out.printf("metered no: %s after %d ms from nmcli modify%n", s, (System.nanoTime() - t0) / 1_000_000);
            assertEquals(CostSource.NETWORK_MANAGER, s.source());

            t0 = System.nanoTime();
            nm.setMetered(true);
            s = awaitCost(changes, CostState.CAPPED);
            System.out.printf("metered yes: %s after %d ms from nmcli modify%n", s, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    @Test
    void followsNetworkManagerLeavingAndRejoiningTheBus() throws Exception {
        try (NetworkManagerCost cost = NetworkManagerCost.start(nm.busAddress(), Clock.systemUTC())) {
            NetworkStatus before = cost.current();
            assertEquals(CostSource.NETWORK_MANAGER, before.source(), before.toString());
            LinkedBlockingQueue<NetworkStatus> changes = new LinkedBlockingQueue<>();
            cost.addListener(changes::add);
            nm.stopNetworkManager();
            NetworkStatus gone = awaitSource(changes, CostSource.NONE);
            assertEquals(CostState.UNRESTRICTED, gone.cost());
            assertTrue(gone.detail().startsWith("NetworkManager left the system bus at "), gone.detail());
            nm.startNetworkManager();
            NetworkStatus back = awaitCost(changes, before.cost());
            assertEquals(before.detail(), back.detail(), "read again from the NetworkManager that rejoined");
        }
    }

    @Test
    void aRoamingModemBesideTheEthernetPrimaryConnectionCostsNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        String why = ModemManagerBus.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "no ModemManager here: " + why);
        try (ModemManagerBus mm = ModemManagerBus.join(nm.busAddress());
                VirtualModem modem = VirtualModem.listen(tmp.resolve("modem0"))) {
            mm.addModem(modem);
            modem.register(VirtualModem.ROAMING);
            try (ModemManagerRoaming roaming = ModemManagerRoaming.start(nm.busAddress(), Clock.systemUTC());
                    LinuxNetworkCost cost = LinuxNetworkCost.start(nm.busAddress(), Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(10), "ModemManager beside NetworkManager says roaming",
                        roaming::current, s -> s.cost() == CostState.ROAMING);
                NetworkStatus s = Await.until(Duration.ofSeconds(10), "the roaming modem in the combined reading",
                        cost::current, x -> x.detail().contains("; a roaming modem is not the primary connection ("));
                assertEquals(CostSource.NETWORK_MANAGER, s.source(), s.toString());
                assertTrue(s.detail().contains("primary connection: 802-3-ethernet"), s.detail());
                assertTrue(s.cost() != CostState.ROAMING, s.toString());
                modem.register(VirtualModem.HOME);
                Await.until(Duration.ofSeconds(10), "the modem at home", cost::current,
                        x -> !x.detail().contains("roaming"));
            }
        }
    }

    private static NetworkStatus awaitSource(LinkedBlockingQueue<NetworkStatus> changes, CostSource want)
            throws InterruptedException {
        NetworkStatus s = changes.poll(10, TimeUnit.SECONDS);
        while (s != null && s.source() != want) {
            s = changes.poll(10, TimeUnit.SECONDS);
        }
        if (s == null) {
            throw new AssertionError("no change to source " + want + " within 10 s");
        }
        return s;
    }

    private static NetworkStatus awaitCost(LinkedBlockingQueue<NetworkStatus> changes, CostState want) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            NetworkStatus s = changes.poll(100, TimeUnit.MILLISECONDS);
            if (s != null) {
                System.out.println("  change: " + s);
                if (s.cost() == want && s.source() == CostSource.NETWORK_MANAGER) {
                    return s;
                }
            }
        }
        throw new AssertionError("no change to " + want + " within 10 s");
    }
}
