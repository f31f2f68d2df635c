package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jbits.BitsException;
import org.jbits.BitsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jbits.conf: key = value lines into the backend's settings; a typo stops the start with its line number. */
class AgentConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsKeyValueLinesIntoTheSettingsAndNoFileIsNoSettings() throws Exception {
        BitsOptions none = AgentConfig.apply(new BitsOptions("portable", dir, Map.of()), dir);
        assertEquals(Map.of(), none.settings());
        Files.writeString(dir.resolve(AgentConfig.FILE), """
                # BITS_SetTransferPolicyOnCostedNetwork, one element per priority
                transferPolicy.normal = not-roaming
                transferPolicy.low=standard

                network.detection = none
                bandwidth.all = 08:00-17:00 2mbit, otherwise unlimited
                power.pauseOnBattery = false
                """);
        BitsOptions o = AgentConfig.apply(new BitsOptions("portable", dir, Map.of("transferPolicy.low", "always")), dir);
        assertEquals(Map.of("transferPolicy.normal", "not-roaming", "transferPolicy.low", "always",
                "network.detection", "none", "bandwidth.all", "08:00-17:00 2mbit, otherwise unlimited",
                "power.pauseOnBattery", "false"), o.settings(), "settings given by the caller outrank the file");
    }

    @Test
    void anUnknownKeyALineWithoutEqualsOrATwiceGivenKeyNamesItsLine() throws Exception {
        Path f = dir.resolve(AgentConfig.FILE);
        for (String[] bad : new String[][] {
                {"transferPolicy.normal = always\ntransferPolicy.medium = always\n", "line 2: unknown key 'transferPolicy.medium'"},
                {"transferPolicy.normal always\n", "line 1: 'transferPolicy.normal always' is not key = value"},
                {"transferPolicy.low = always\n#\ntransferPolicy.low = standard\n", "line 3: 'transferPolicy.low' is given twice"}}) {
            Files.writeString(f, bad[0]);
            BitsException e = assertThrows(BitsException.class, () -> AgentConfig.read(f));
            assertTrue(e.detail().equals(f + " " + bad[1]) || e.detail().startsWith(f + " " + bad[1] + " "), e.detail());
        }
    }
}
