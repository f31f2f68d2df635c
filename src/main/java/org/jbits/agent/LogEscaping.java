package org.jbits.agent;

/**
 * Makes text safe for a line-oriented log: control characters (newline, carriage return, ESC and the rest of C0,
 * DEL, C1), the Unicode line and paragraph separators and lone surrogates become {@code \n}, {@code \r},
 * {@code \t} or {@code \}{@code uXXXX}. A display name with a newline and ESC in it would otherwise start a forged
 * log line, or drive the terminal of whoever reads the log.
 */
final class LogEscaping {
    private LogEscaping() {
    }

    /** {@code text} with every unsafe character escaped; the same string when there is none. */
    static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && safe(text, i)) {
            i += Character.isHighSurrogate(text.charAt(i)) ? 2 : 1;
        }
        if (i >= text.length()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        while (i < text.length()) {
            char c = text.charAt(i);
            if (safe(text, i)) {
                int n = Character.isHighSurrogate(c) ? 2 : 1;
                sb.append(text, i, i + n);
                i += n;
                continue;
            }
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append("\\u").append(String.format(java.util.Locale.ROOT, "%04x", (int) c));
            }
            i++;
        }
        return sb.toString();
    }

    private static boolean safe(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029') {
            return false;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return !Character.isLowSurrogate(c);
    }
}
