package org.jbits.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jbits.CostState;
import org.junit.jupiter.api.Test;

/** NetworkManager's Metered values and the BITS cost state each one is taken as. */
class NmMeteredTest {
    @Test
    void yesAndGuessYesAreCappedEverythingElseUnrestricted() {
        assertEquals(CostState.UNRESTRICTED, NmMetered.costOf(0), "UNKNOWN");
        assertEquals(CostState.CAPPED, NmMetered.costOf(1), "YES");
        assertEquals(CostState.UNRESTRICTED, NmMetered.costOf(2), "NO");
        assertEquals(CostState.CAPPED, NmMetered.costOf(3), "GUESS_YES");
        assertEquals(CostState.UNRESTRICTED, NmMetered.costOf(4), "GUESS_NO");
        assertEquals(CostState.UNRESTRICTED, NmMetered.costOf(99), "a value this table does not know");
        assertEquals("Metered: GUESS_YES (3)", NmMetered.describe(3));
        assertEquals("Metered: an unknown value, taken as not metered (99)", NmMetered.describe(99));
    }

    @Test
    void withoutABusTheCostIsUnknownAndSaysWhy() {
        try (NetworkManagerCost c = NetworkManagerCost.start("unix:path=/nonexistent/jbits/bus", java.time.Clock.systemUTC())) {
            assertEquals(CostState.UNRESTRICTED, c.current().cost());
            assertEquals(org.jbits.CostSource.NONE, c.current().source());
            assertEquals("no system bus at unix:path=/nonexistent/jbits/bus; the cost is unknown, which BITS treats as "
                    + "unrestricted", c.current().detail());
        }
    }
}
