package org.jbits.windows;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One JSON line of the BITS oracle, written exactly as {@code native/bits-oracle.c} writes it (native/README.md,
 * "Output conventions"): {@code "scenario"} first, fields in call order, HRESULTs as {@code "0x%08X"}, every
 * UTF-16 code unit below 0x20 or from 0x7F up as a lower-case {@code \\uXXXX} escape (a surrogate pair as two),
 * so the line is ASCII whatever the console code page.
 */
final class OracleLine {
    private final StringBuilder out = new StringBuilder("{");
    private boolean first = true;

    OracleLine(String scenario) {
        str("scenario", scenario);
    }

    /** An HRESULT: {@code "0x80200003"}. */
    OracleLine hr(String key, int hr) {
        return raw(key, hrValue(hr));
    }

    /** An integer, or null. */
    OracleLine num(String key, Long value) {
        return raw(key, value == null ? "null" : Long.toString(value));
    }

    OracleLine num(String key, long value) {
        return raw(key, Long.toString(value));
    }

    OracleLine bool(String key, boolean value) {
        return raw(key, value ? "true" : "false");
    }

    /** A boolean, or null. */
    OracleLine boolOrNull(String key, Boolean value) {
        return raw(key, value == null ? "null" : value.toString());
    }

    /** A string, or null. */
    OracleLine str(String key, String value) {
        return raw(key, quote(value));
    }

    OracleLine nul(String key) {
        return raw(key, "null");
    }

    /** An array of values already in JSON form ({@link #quote}, {@link #hrValue}, numbers, null). */
    OracleLine array(String key, List<String> jsonValues) {
        return raw(key, "[" + String.join(",", jsonValues) + "]");
    }

    /** An object whose values are already in JSON form, in the map's order. */
    OracleLine object(String key, Map<String, String> jsonValues) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, String> e : jsonValues.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(quote(e.getKey())).append(':').append(e.getValue());
        }
        return raw(key, b.append('}').toString());
    }

    private OracleLine raw(String key, String json) {
        if (!first) {
            out.append(',');
        }
        first = false;
        out.append(quote(key)).append(':').append(json);
        return this;
    }

    /** The finished line, without the newline. */
    @Override
    public String toString() {
        return out + "}";
    }

    /** {@code "0x%08X"} of an HRESULT, quoted. */
    static String hrValue(int hr) {
        return "\"" + String.format(Locale.ROOT, "0x%08X", hr) + "\"";
    }

    /** A JSON string as the C oracle escapes it (null for null); only {@code "} and {@code \} get a backslash of their own. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
