package org.jbits.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.NetworkStatus;
import org.jbits.TransferPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The administrator's override: over detection, kept in a 0600 file across restarts, refused when unreadable. */
class CostOverrideTest {
    @TempDir
    Path dir;

    private NetworkCost none() {
        return NetworkCost.none("nothing here", Instant.EPOCH);
    }

    @Test
    void overrideGoesOverDetectionAndIsKeptInAPrivateFileUntilCleared() throws Exception {
        List<NetworkStatus> told = new ArrayList<>();
        try (CostOverride c = CostOverride.open(none(), dir, Clock.systemUTC())) {
            c.addListener(told::add);
            assertEquals(CostSource.NONE, c.current().source());
            NetworkStatus s = c.set(CostState.ROAMING);
            assertEquals(CostState.ROAMING, s.cost());
            assertEquals(CostSource.OVERRIDE, s.source());
            assertEquals(CostSource.NONE, s.detected().source(), "what detection says beneath it");
            assertEquals(1, told.size(), "listeners are told");
            Path f = dir.resolve(CostOverride.FILE);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            assertTrue(Files.readString(f).startsWith("cost=Roaming\nsince="), Files.readString(f));
        }
        try (CostOverride again = CostOverride.open(none(), dir, Clock.systemUTC())) {
            assertEquals(CostState.ROAMING, again.current().cost(), "kept across a restart");
            assertEquals(CostSource.OVERRIDE, again.current().source());
            NetworkStatus auto = again.set(null);
            assertEquals(CostSource.NONE, auto.source());
            assertNull(again.override());
            assertFalse(Files.exists(dir.resolve(CostOverride.FILE)), "auto removes the file");
        }
        try (CostOverride third = CostOverride.open(none(), dir, Clock.systemUTC())) {
            assertNull(third.override(), "auto is kept too");
        }
    }

    @Test
    void anUnreadableOverrideFileStopsTheStartRatherThanBeIgnored() throws Exception {
        Files.writeString(dir.resolve(CostOverride.FILE), "cost=Expensive\n");
        BitsException e = assertThrows(BitsException.class, () -> CostOverride.open(none(), dir, Clock.systemUTC()));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
        assertTrue(e.getMessage().contains("unknown cost state 'Expensive'") && e.getMessage().contains("delete it"),
                e.getMessage());
    }

    @Test
    void defaultsPerPriorityComeFromSettingsAsNamesOrMasks() {
        CostPolicyDefaults d = CostPolicyDefaults.from(java.util.Map.of("transferPolicy.normal", "not-roaming",
                "transferPolicy.low", "NoSurcharge", "transferPolicy.high", "0x80000021"));
        assertEquals(TransferPolicy.ALWAYS.flags(), d.flagsFor(JobPriority.FOREGROUND), "BITS' default: Always");
        assertEquals(TransferPolicy.UNRESTRICTED.flags(), d.flagsFor(JobPriority.HIGH));
        assertEquals(TransferPolicy.NOT_ROAMING.flags(), d.flagsFor(JobPriority.NORMAL));
        assertEquals(TransferPolicy.NO_SURCHARGE.flags(), d.flagsFor(JobPriority.LOW));
        BitsException e = assertThrows(BitsException.class,
                () -> CostPolicyDefaults.from(java.util.Map.of("transferPolicy.low", "sometimes")));
        assertTrue(e.detail().startsWith("transferPolicy.low is 'sometimes'"), e.getMessage());
        assertThrows(BitsException.class, () -> CostPolicyDefaults.from(java.util.Map.of("transferPolicy.low", "0x40000000")));
    }
}
