package org.jbits.windows;

import com.sun.jna.platform.win32.Guid.GUID;
import java.util.Locale;
import java.util.UUID;

/** Job ids: BITS' GUID structure and the API's {@link UUID} have the same textual form. */
final class Guids {
    private Guids() {
    }

    static UUID toUuid(GUID g) {
        String s = g.toGuidString();
        return UUID.fromString(s.substring(1, s.length() - 1));
    }

    static GUID toGuid(UUID id) {
        return GUID.fromString("{" + id.toString().toUpperCase(Locale.ROOT) + "}");
    }
}
