package org.jbits.transport;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * Remote names as they may be shown: a URL's password ({@code user:pass@}) never appears in a message, a log line,
 * a job's JSON or an error description.
 */
public final class Redacted {
    /** {@code scheme://user:password@} at the start of a URL, or anywhere in a text. */
    private static final Pattern USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/@\\s?#]*)@");

    private Redacted() {
    }

    /** The URL with its password replaced by {@code ***} (a user name alone stays). */
    public static String uri(URI uri) {
        return text(uri.toString());
    }

    /** {@code text} with the password of every URL in it replaced by {@code ***}. */
    public static String text(String text) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        return USERINFO.matcher(text).replaceAll(m -> {
            String info = m.group(2);
            int colon = info.indexOf(':');
            String shown = colon < 0 ? info : info.substring(0, colon) + ":***";
            return java.util.regex.Matcher.quoteReplacement(m.group(1) + shown + "@");
        });
    }
}
