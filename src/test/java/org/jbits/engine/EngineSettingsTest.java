package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {
    @Test
    void directWritesAreOnUnlessTurnedOff() {
        assertTrue(EngineSettings.from(Map.of()).directIo());
        assertTrue(EngineSettings.from(Map.of("engine.directIo", "TRUE")).directIo());
        assertFalse(EngineSettings.from(Map.of("engine.directIo", " false ")).directIo());
    }

    @Test
    void aFlagThatIsNeitherTrueNorFalseIsRefusedLikeABadNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineSettings.from(Map.of("engine.directIo", "flase")));
        assertEquals("engine.directIo must be true or false, not 'flase'", e.getMessage());
        assertThrows(NumberFormatException.class, () -> EngineSettings.from(Map.of("engine.syncBytes", "lots")));
    }
}
