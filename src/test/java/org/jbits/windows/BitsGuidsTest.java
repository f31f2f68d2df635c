package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.platform.win32.Guid.GUID;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The IIDs and CLSIDs parse, keep their text, and match reference §2.1. */
class BitsGuidsTest {

    /** Every GUID constant of {@link BitsGuids}, by field name. */
    private static Map<String, GUID> constants() throws IllegalAccessException {
        Map<String, GUID> m = new HashMap<>();
        for (Field f : BitsGuids.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && GUID.class.isAssignableFrom(f.getType())) {
                m.put(f.getName(), (GUID) f.get(null));
            }
        }
        return m;
    }

    @Test
    void constantsKeepTheTextTheyWereWrittenWith() {
        assertEquals("{5CE34C0D-0DC9-4C1F-897C-DAA1B78CEE7C}", BitsGuids.IID_IBackgroundCopyManager.toGuidString());
        assertEquals("{4991D34B-80A1-4291-83B6-3328366B9097}", BitsGuids.CLSID_BackgroundCopyManager.toGuidString());
        // The binary form: Data1 little-endian on x86, Data4 as written.
        assertEquals(0x37668d37, BitsGuids.IID_IBackgroundCopyJob.Data1);
        assertEquals((short) 0x507e, BitsGuids.IID_IBackgroundCopyJob.Data2);
        assertEquals((short) 0x4160, BitsGuids.IID_IBackgroundCopyJob.Data3);
        assertEquals((byte) 0x93, BitsGuids.IID_IBackgroundCopyJob.Data4[0]);
        assertEquals((byte) 0x12, BitsGuids.IID_IBackgroundCopyJob.Data4[7]);
    }

    @Test
    void jobIdsConvertBothWays() {
        UUID id = UUID.fromString("7d9c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b");
        GUID g = Guids.toGuid(id);
        assertEquals("{7D9C1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B}", g.toGuidString());
        assertEquals(id, Guids.toUuid(g));
    }

    @Test
    void versionedManagersAreNewestFirst() {
        assertEquals("10.3", BitsGuids.VERSIONED_MANAGERS.get(0).version());
        assertEquals("1.5", BitsGuids.VERSIONED_MANAGERS.get(BitsGuids.VERSIONED_MANAGERS.size() - 1).version());
    }

    @Test
    void everyConstantMatchesReferenceSection21() throws IllegalAccessException {
        var text = Reference.text();
        org.junit.jupiter.api.Assertions.assertTrue(text.isPresent(), "the reference " + Reference.RELATIVE + " is not beside this checkout");
        String table = Reference.section(text.get(), "2.1");
        Map<String, String> rows = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^\\| ([^|]+?) \\| ([0-9a-fA-F]{8}-[0-9a-fA-F-]{27}) \\|").matcher(table);
        while (m.find()) {
            rows.put(m.group(1).trim(), m.group(2).toUpperCase(Locale.ROOT));
        }
        assertTrue(rows.size() >= 30, "rows parsed from §2.1: " + rows.keySet());
        int checked = 0;
        for (Map.Entry<String, GUID> c : constants().entrySet()) {
            String name = c.getKey();
            if (name.equals("IID_IUnknown")) {
                continue; // COM's own, not in the BITS table
            }
            String row = name.startsWith("IID_") ? name.substring(4) : "CLSID " + name.substring(6);
            String expected = rows.get(row);
            assertNotNull(expected, "reference §2.1 has a row '" + row + "' for " + name);
            assertEquals("{" + expected + "}", c.getValue().toGuidString(), name);
            checked++;
        }
        assertEquals(constants().size() - 1, checked);
    }
}
