package org.jbits.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.NetworkStatus;
import org.junit.jupiter.api.Test;

/** {@link LinuxNetworkCost#combine}: when a roaming modem makes the network roaming, and when it does not. */
class LinuxNetworkCostTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Instant T = Instant.parse("2026-11-30T00:00:00Z");
    private static final NetworkStatus METERED_GSM = new NetworkStatus(CostState.CAPPED, CostSource.NETWORK_MANAGER, T,
            "Metered: GUESS_YES (3); primary connection: gsm");
    private static final NetworkStatus ETHERNET = new NetworkStatus(CostState.UNRESTRICTED, CostSource.NETWORK_MANAGER,
            T, "Metered: NO (2); primary connection: 802-3-ethernet");
    private static final NetworkStatus NO_NM = new NetworkStatus(CostState.UNRESTRICTED, CostSource.NONE, T,
            "NetworkManager is not on the system bus");
    private static final NetworkStatus ROAMING = new NetworkStatus(CostState.ROAMING, CostSource.MODEM_MANAGER, T,
            "modem 0: 3GPP registration roaming (5)");
    private static final NetworkStatus HOME = new NetworkStatus(CostState.UNRESTRICTED, CostSource.MODEM_MANAGER, T,
            "modem 0: 3GPP registration home (1)");
    private static final NetworkStatus NO_MM = new NetworkStatus(CostState.UNRESTRICTED, CostSource.NONE, T,
            "ModemManager is not on the system bus");

    @Test
    void aRoamingModemCarryingThePrimaryConnectionMakesItRoaming() {
        NetworkStatus s = LinuxNetworkCost.combine(METERED_GSM, true, ROAMING, null, CLOCK);
        assertEquals(CostState.ROAMING, s.cost());
        assertEquals(CostSource.MODEM_MANAGER, s.source());
        assertEquals("modem 0: 3GPP registration roaming (5); NetworkManager's primary connection is over it "
                + "(Metered: GUESS_YES (3); primary connection: gsm)", s.detail());
        assertEquals(CLOCK.instant(), s.changed());
    }

    @Test
    void withoutNetworkManagerARoamingModemIsTakenToCarryTheTraffic() {
        NetworkStatus s = LinuxNetworkCost.combine(NO_NM, false, ROAMING, null, CLOCK);
        assertEquals(CostState.ROAMING, s.cost());
        assertEquals(CostSource.MODEM_MANAGER, s.source());
    }

    @Test
    void aRoamingModemBesideAnEthernetPrimaryConnectionCostsNothing() {
        NetworkStatus s = LinuxNetworkCost.combine(ETHERNET, false, ROAMING, null, CLOCK);
        assertEquals(CostState.UNRESTRICTED, s.cost());
        assertEquals(CostSource.NETWORK_MANAGER, s.source());
        assertEquals("Metered: NO (2); primary connection: 802-3-ethernet; a roaming modem is not the primary "
                + "connection (modem 0: 3GPP registration roaming (5))", s.detail());
    }

    @Test
    void aModemAtHomeOrNoModemManagerLeavesNetworkManagersReading() {
        assertSame(METERED_GSM, LinuxNetworkCost.combine(METERED_GSM, true, HOME, null, CLOCK));
        assertSame(ETHERNET, LinuxNetworkCost.combine(ETHERNET, false, NO_MM, null, CLOCK));
        assertSame(NO_NM, LinuxNetworkCost.combine(NO_NM, false, NO_MM, null, CLOCK));
    }

    @Test
    void anUnchangedReadingKeepsItsTime() {
        NetworkStatus first = LinuxNetworkCost.combine(NO_NM, false, ROAMING, null, CLOCK);
        Clock later = Clock.offset(CLOCK, java.time.Duration.ofMinutes(5));
        assertSame(first, LinuxNetworkCost.combine(NO_NM, false, ROAMING, first, later));
    }
}
