package org.jbits.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.NetworkStatus;
import org.jbits.testing.NetworkManagerNamespace;
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
