package org.jbits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/** HRESULT names, values and parsing, as BITS tools print them. */
class HResultTest {
    @Test
    void httpStatusCodesUseFacility19() {
        assertEquals(0x80190194, HResult.ofHttpStatus(404));
        assertEquals(0x801901F9, HResult.ofHttpStatus(505));
        assertEquals(404, HResult.httpStatus(0x80190194));
        assertEquals(-1, HResult.httpStatus(HResult.BG_E_EMPTY));
    }

    @Test
    void namesHttpErrorsLikeBits() {
        assertEquals("BG_E_HTTP_ERROR_404", HResult.name(0x80190194));
        assertEquals("BG_E_HTTP_ERROR_503", HResult.name(HResult.ofHttpStatus(503)));
        assertEquals("0x80190194", HResult.hex(0x80190194));
    }

    @Test
    void namesTheBitsCodesFromTheReference() {
        assertEquals("BG_E_NOT_FOUND", HResult.name(0x80200001));
        assertEquals("BG_E_INVALID_STATE", HResult.name(0x80200002));
        assertEquals("BG_E_EMPTY", HResult.name(0x80200003));
        assertEquals("BG_S_PARTIAL_COMPLETE", HResult.name(0x00200017));
        assertEquals("BG_E_CONNECT_FAILURE", HResult.name(0x8020002D));
        assertEquals("BG_E_CONNECTION_CLOSED", HResult.name(0x8020002E));
        assertEquals("BG_E_REMOTE_FILE_CHANGED", HResult.name(0x80200073));
        assertEquals("BG_E_READ_ONLY_WHEN_JOB_ACTIVE", HResult.name(0x80200075));
    }

    @Test
    void unknownCodesPrintAsHex() {
        assertEquals("0x80201234", HResult.name(0x80201234));
        assertFalse(HResult.isKnown(0x80201234));
        assertTrue(HResult.isKnown(HResult.BG_E_EMPTY));
        assertTrue(HResult.isKnown(0x80190194));
    }

    @Test
    void parsesNamesAndHex() {
        assertEquals(0x80190194, HResult.parse("BG_E_HTTP_ERROR_404"));
        assertEquals(0x80190194, HResult.parse("0x80190194"));
        assertEquals(0x80190194, HResult.parse(" 0X80190194 "));
        assertEquals(HResult.BG_E_EMPTY, HResult.parse("BG_E_EMPTY"));
        assertThrows(IllegalArgumentException.class, () -> HResult.parse("BG_E_NO_SUCH_THING"));
    }

    @Test
    void everyNamedConstantRoundTripsThroughItsNameAndHex() throws IllegalAccessException {
        int checked = 0;
        for (Field f : HResult.class.getFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                int code = f.getInt(null);
                assertEquals(f.getName(), HResult.name(code), "name of " + HResult.hex(code));
                assertEquals(code, HResult.parse(HResult.name(code)), f.getName());
                assertEquals(code, HResult.parse(HResult.hex(code)), f.getName());
                checked++;
            }
        }
        assertTrue(checked > 80, "constants checked: " + checked);
    }

    @Test
    void successCodesSucceed() {
        assertTrue(HResult.succeeded(HResult.S_OK));
        assertTrue(HResult.succeeded(HResult.BG_S_PARTIAL_COMPLETE));
        assertFalse(HResult.succeeded(HResult.BG_E_EMPTY));
    }
}
