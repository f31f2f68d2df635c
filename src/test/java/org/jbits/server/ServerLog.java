package org.jbits.server;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an upload server's log (its INFO lines, {@code -Djbits.log.level=INFO}) says about fragments and resumed
 * sessions: the record from which the bytes a client sent again are counted where the server received them.
 */
public final class ServerLog {
    private static final Pattern FRAGMENT = Pattern.compile("session (\\S+): fragment (\\d+)-(\\d+)/(\\d+): (\\d+) bytes"
            + " arrived, (\\d+) of them held already; (\\d+) durable");
    private static final Pattern RESUMED = Pattern.compile("session (\\S+) resumed for .* at (\\d+) of (\\d+) bytes");

    /** One fragment as the server logged it when it ended (cut short or not). */
    public record Fragment(String session, long first, long last, long total, long arrived, long heldAlready,
                           long durable) {
    }

    private ServerLog() {
    }

    /** The fragments in the order the server logged them. */
    public static List<Fragment> fragments(String log) {
        List<Fragment> out = new ArrayList<>();
        Matcher m = FRAGMENT.matcher(log);
        while (m.find()) {
            out.add(new Fragment(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                    Long.parseLong(m.group(7))));
        }
        return out;
    }

    /** Where the server resumed {@code session} after it started again, if it did. */
    public static OptionalLong resumedAt(String log, String session) {
        Matcher m = RESUMED.matcher(log);
        while (m.find()) {
            if (m.group(1).equals(session)) {
                return OptionalLong.of(Long.parseLong(m.group(2)));
            }
        }
        return OptionalLong.empty();
    }

    /** The bytes the server received again (held already) in {@code fragments}. */
    public static long heldAlready(List<Fragment> fragments) {
        return fragments.stream().mapToLong(Fragment::heldAlready).sum();
    }
}
