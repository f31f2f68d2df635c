package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
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
    void wineLacksItsStubsWithReasons() {
        ConformanceBackend wine = ConformanceBackend.forName("native-wine");
        assertEquals("native-wine", wine.name());
        assertFalse(wine.has(Capability.SUSPEND));
        assertTrue(wine.missing().get(Capability.SUSPEND).contains("E_NOTIMPL"), wine.missing().get(Capability.SUSPEND));
        assertEquals(Map.of(), ConformanceBackend.forName("native-windows").missing(), "real BITS lacks nothing");
    }

    @Test
    void unknownBackendIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConformanceBackend.forName("nativ"));
        assertTrue(e.getMessage().contains(ConformanceBackend.PROPERTY), e.getMessage());
    }
}
