package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import org.jbits.BitsException;
import org.jbits.CostState;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;
import org.junit.jupiter.api.Test;

/** The command line's spellings live in the CLI; the API's enums know only BITS' names. */
class CliSpellingsTest {
    @Test
    void theContractsSpellingsParse() {
        assertEquals(JobPriority.FOREGROUND, CliSpellings.priority("foreground"));
        assertEquals(JobPriority.LOW, CliSpellings.priority(" LOW "));
        assertEquals(TransferPolicy.NOT_ROAMING, CliSpellings.transferPolicy("not-roaming"));
        assertEquals(TransferPolicy.NO_SURCHARGE, CliSpellings.transferPolicy("NoSurcharge"));
        assertEquals(ProxyUsage.SYSTEM_DEFAULT, CliSpellings.proxyUsage("system-default"));
        assertEquals(ProxyUsage.AUTO_DETECT, CliSpellings.proxyUsage("auto_detect"));
        assertEquals(JobType.UPLOAD_REPLY, CliSpellings.transferType("upload-reply"));
        assertEquals(Set.of(NotifyFlag.JOB_TRANSFERRED, NotifyFlag.FILE_TRANSFERRED, NotifyFlag.JOB_MODIFICATION),
                CliSpellings.notifyFlags(List.of("transferred", "file-transferred", "modification")));
        assertEquals(Set.of(), CliSpellings.notifyFlags(List.of("none")));
        assertEquals(Set.of(NotifyFlag.DISABLE), CliSpellings.notifyFlags(List.of("disable")));
    }

    @Test
    void everyNetworkCostStateOfTheContractRoundTrips() {
        for (String s : List.of("unrestricted", "capped", "near-cap", "over-cap-charged", "over-cap-throttled",
                "usage-based", "roaming")) {
            assertEquals(s, CliSpellings.spelling(CliSpellings.costState(s)));
        }
        assertEquals(CostState.BELOW_CAP, CliSpellings.costState("below-cap"));
    }

    @Test
    void aValueThatIsNotOneSaysWhatIsExpected() {
        BitsException e = assertThrows(BitsException.class, () -> CliSpellings.priority("urgent"));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
        assertEquals("unknown priority 'urgent' (expected foreground, high, normal or low)", e.detail());
        assertTrue(assertThrows(BitsException.class, () -> CliSpellings.notifyFlags(List.of("sometimes"))).detail()
                .contains("transferred, error, disable, modification, file-transferred or file-ranges-transferred"));
    }

    @Test
    void theApiEnumsCarryNoCommandLineSpellings() {
        for (Class<?> e : List.of(JobPriority.class, TransferPolicy.class, ProxyUsage.class, NotifyFlag.class,
                CostState.class, JobType.class)) {
            for (Method m : e.getDeclaredMethods()) {
                assertTrue(!m.getName().equals("parse") && !m.getName().equals("cliName"),
                        e.getSimpleName() + "." + m.getName() + " parses or spells user input");
            }
        }
    }
}
