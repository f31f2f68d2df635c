package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ServiceLoader;
import org.jbits.BitsException;
import org.jbits.BitsManager;
import org.jbits.BitsOptions;
import org.jbits.HResult;
import org.jbits.spi.BackendProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** How the facade finds and chooses the native backend. */
class NativeBackendProviderTest {

    @Test
    void registeredThroughServiceLoaderAndPreferredOverPortable() {
        BackendProvider nativeProvider = null;
        BackendProvider portable = null;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals("native")) {
                nativeProvider = p;
            } else if (p.name().equals("portable")) {
                portable = p;
            }
        }
        assertTrue(nativeProvider instanceof NativeBackendProvider, "native is registered in META-INF/services");
        assertTrue(portable != null, "portable is registered");
        assertTrue(nativeProvider.preference() > portable.preference(), "native wins where it is available");
    }

    @Test
    void offWindowsItIsUnavailableAndTheAutomaticChoiceIsPortable() {
        Assumptions.assumeFalse(System.getProperty("os.name").startsWith("Windows"), "this host is Windows");
        assertFalse(new NativeBackendProvider().isAvailable());
        BitsException e = assertThrows(BitsException.class, () -> BitsManager.open(new BitsOptions("native", null, java.util.Map.of())));
        assertEquals(HResult.E_NOTIMPL, e.hresult());
        assertTrue(e.getMessage().contains("needs Windows"), e.getMessage());
    }
}
