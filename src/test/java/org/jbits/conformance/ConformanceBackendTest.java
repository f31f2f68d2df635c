package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbits.HResult;
import org.jbits.windows.NativeCapabilities;
import org.junit.jupiter.api.Test;

/** Backend selection and capabilities (not a conformance case). */
class ConformanceBackendTest {
    @Test
    void portableLacksNothing() {
        ConformanceBackend portable = ConformanceBackend.forName("portable");
        assertEquals("portable", portable.name());
        assertEquals(Map.of(), portable.missing(), "nothing may be skipped on the portable backend");
        for (Capability c : Capability.values()) {
            assertTrue(portable.has(c), c.name());
        }
    }

    @Test
    void nativeBackendsAreNamedForTheirReports() {
        assertEquals("native-wine", ConformanceBackend.forName("native-wine").name());
        assertEquals("native-windows", ConformanceBackend.forName("native-windows").name());
    }

    /** What Wine 8's qmgr answers (reference §6.2, §8): Job2-4 and HttpOptions, File2, and E_NOTIMPL stubs. */
    static NativeCapabilities wineLike() {
        Map<String, Integer> failing = new LinkedHashMap<>();
        for (String m : List.of("Suspend", "GetTimes", "GetOwner", "SetDisplayName", "GetPriority", "GetErrorCount",
                "GetProxySettings", "SetProxySettings")) {
            failing.put("IBackgroundCopyJob::" + m, HResult.E_NOTIMPL);
        }
        failing.put("IBackgroundCopyJob4::GetMaximumDownloadTime", HResult.E_NOTIMPL);
        failing.put("IBackgroundCopyJob2::GetNotifyCmdLine", HResult.E_NOTIMPL);
        failing.put("IBackgroundCopyJobHttpOptions::RemoveClientCertificate", HResult.E_NOTIMPL);
        return new NativeCapabilities("1.0", Map.of(), Set.of("IBackgroundCopyJob", "IBackgroundCopyJob2",
                "IBackgroundCopyJob3", "IBackgroundCopyJob4", "IBackgroundCopyJobHttpOptions", "IBackgroundCopyFile",
                "IBackgroundCopyFile2"), failing, HResult.S_OK);
    }

    @Test
    void wineLacksWhatItsProbeShowsWithReasons() {
        Map<Capability, String> missing = NativeConformanceBackend.missingFrom(wineLike(), true,
                "BitsManager.networkStatus() failed with E_NOTIMPL (0x80004001): no such call");
        assertEquals(EnumSet.complementOf(EnumSet.of(Capability.JOB3_FILES)), missing.keySet(),
                "every capability of the list is stubbed in Wine but IBackgroundCopyJob3's, whose stubs answer S_OK");
        assertTrue(missing.get(Capability.NOTIFY_CMDLINE).contains("GetNotifyCmdLine returned E_NOTIMPL"),
                missing.get(Capability.NOTIFY_CMDLINE));
        assertTrue(missing.get(Capability.SUSPEND).contains("IBackgroundCopyJob::Suspend returned E_NOTIMPL"),
                missing.get(Capability.SUSPEND));
        assertTrue(missing.get(Capability.SUSPEND).contains("reference §6.2"), missing.get(Capability.SUSPEND));
        assertTrue(missing.get(Capability.TRANSFER_POLICY).contains("IBackgroundCopyJob5"), missing.get(Capability.TRANSFER_POLICY));
        assertTrue(missing.get(Capability.ON_DEMAND).contains("IBackgroundCopyFile6"), missing.get(Capability.ON_DEMAND));
    }

    @Test
    void aBitsThatOffersEverythingLacksNothing() {
        NativeCapabilities full = new NativeCapabilities("10.3", Map.of(), Set.of("IBackgroundCopyJob2",
                "IBackgroundCopyJob3", "IBackgroundCopyJob4", "IBackgroundCopyJob5", "IBackgroundCopyJobHttpOptions",
                "IBackgroundCopyJobHttpOptions3", "IBackgroundCopyFile6"), Map.of(), HResult.S_OK);
        assertEquals(Map.of(), NativeConformanceBackend.missingFrom(full, false, null), "real BITS lacks nothing");
    }

    @Test
    void unknownBackendIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConformanceBackend.forName("nativ"));
        assertTrue(e.getMessage().contains(ConformanceBackend.PROPERTY), e.getMessage());
    }
}
