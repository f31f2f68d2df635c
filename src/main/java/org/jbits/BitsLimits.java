package org.jbits;

/**
 * BITS' limits on job properties, and the checks that apply them. Every backend and front end checks through
 * here, so a value is refused with the same code and message wherever it comes from (the Java API, the agent's
 * protocol, the CLI) — and before it reaches a BITS that would not check it itself (Wine's).
 */
public final class BitsLimits {
    /** Display name: at most this many characters (SetDisplayName). */
    public static final int MAX_DISPLAY_NAME = 256;
    /** Description: at most this many characters. */
    public static final int MAX_DESCRIPTION = 1024;
    /** A proxy list or bypass list: at most this many characters (SetProxySettings). */
    public static final int MAX_PROXY_LIST = 4000;
    /** A remote name (URL): at most this many characters. */
    public static final int MAX_REMOTE_NAME = 2200;
    /** The most reply data {@code IBackgroundCopyJob2::GetReplyData} returns: 1 MB (BG_E_TOO_LARGE beyond). */
    public static final int MAX_REPLY_DATA = 1 << 20;
    /** The largest ULONG: retry delay, no-progress timeout and maximum download time are ULONG seconds. */
    public static final long MAX_ULONG = 0xFFFFFFFFL;
    /** SetMinimumRetryDelay clamps shorter delays to this many seconds. */
    public static final long MIN_RETRY_DELAY = 5;
    /** {@code BITS_COST_OPTION_IGNORE_CONGESTION}: the cost-flags bit that schedules a job even on a congested network. */
    public static final int COST_OPTION_IGNORE_CONGESTION = 0x80000000;
    /** The cost-flags bits BITS defines: the eight {@link CostState} bits and {@link #COST_OPTION_IGNORE_CONGESTION}. */
    public static final int COST_FLAGS_DEFINED = 0x000000FF | COST_OPTION_IGNORE_CONGESTION;

    private BitsLimits() {
    }

    /** Not null, at most {@link #MAX_DISPLAY_NAME} characters; otherwise E_INVALIDARG or BG_E_STRING_TOO_LONG. */
    public static String checkDisplayName(String name) {
        if (name == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the display name must not be null");
        }
        return checkLength("display name", name, MAX_DISPLAY_NAME);
    }

    /** At most {@link #MAX_DESCRIPTION} characters (null reads as empty); otherwise BG_E_STRING_TOO_LONG. */
    public static String checkDescription(String description) {
        return checkLength("description", description == null ? "" : description, MAX_DESCRIPTION);
    }

    /** A text of at most {@code max} characters; otherwise BG_E_STRING_TOO_LONG naming {@code what}. */
    public static String checkLength(String what, String text, int max) {
        if (text.length() > max) {
            throw new BitsException(HResult.BG_E_STRING_TOO_LONG, "the " + what + " is " + text.length()
                    + " characters; BITS allows " + max);
        }
        return text;
    }

    /**
     * A text that has one meaning everywhere it goes: no NUL character (a Windows BITS string ends there, so the
     * rest would be silently cut off) and no lone surrogate (it has no UTF-8 form, so it cannot reach the store, a
     * log or another process unchanged); otherwise E_INVALIDARG naming {@code what}. Null is left to the caller.
     */
    public static String checkText(String what, String text) {
        if (text == null) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw new BitsException(HResult.E_INVALIDARG, "the " + what + " contains a NUL character (at index "
                        + i + ")");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new BitsException(HResult.E_INVALIDARG, "the " + what + " contains a lone surrogate (U+"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at index " + i + ")");
            }
        }
        return text;
    }

    /** A ULONG number of seconds (0 to 4,294,967,295); otherwise E_INVALIDARG naming {@code what}. */
    public static long checkSeconds(String what, long seconds) {
        if (seconds < 0 || seconds > MAX_ULONG) {
            throw new BitsException(HResult.E_INVALIDARG, "the " + what + " must be 0 to " + MAX_ULONG
                    + " seconds, not " + seconds);
        }
        return seconds;
    }

    /**
     * Cost flags made only of the bits in {@link #COST_FLAGS_DEFINED} (reference §5.2); any other bit, including
     * {@code BITS_COST_STATE_RESERVED} (0x40000000), fails with E_INVALIDARG. A mask without any cost-state bit is
     * allowed, as BITS' custom bitmask is: such a job transfers on no network until its flags change.
     */
    public static int checkCostFlags(int flags) {
        int undefined = flags & ~COST_FLAGS_DEFINED;
        if (undefined != 0) {
            throw new BitsException(HResult.E_INVALIDARG, "the cost flags " + HResult.hex(flags) + " set "
                    + HResult.hex(undefined) + ", which BITS does not define; a mask is made of the cost-state bits "
                    + "0x000000FF and BITS_COST_OPTION_IGNORE_CONGESTION 0x80000000");
        }
        return flags;
    }

    /**
     * SetProxySettings' rules: lists only with {@link ProxyUsage#OVERRIDE}, which needs a proxy list; each list at
     * most {@link #MAX_PROXY_LIST} characters; each proxy {@code [scheme=][scheme://]host[:port]} with a port of
     * 1 to 65535.
     */
    public static ProxySettings checkProxy(ProxySettings s) {
        if (s == null || s.usage() == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the proxy usage must be set");
        }
        if (s.usage() != ProxyUsage.OVERRIDE && (!s.proxyList().isEmpty() || !s.bypassList().isEmpty())) {
            throw new BitsException(HResult.E_INVALIDARG,
                    "a proxy list or bypass list is only allowed with proxy usage 'override'");
        }
        if (s.usage() == ProxyUsage.OVERRIDE && s.proxyList().isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "proxy usage 'override' needs a proxy list");
        }
        if (String.join(" ", s.proxyList()).length() > MAX_PROXY_LIST) {
            throw new BitsException(HResult.BG_E_PROXY_LIST_TOO_LARGE, "the proxy list is over " + MAX_PROXY_LIST
                    + " characters");
        }
        if (String.join(" ", s.bypassList()).length() > MAX_PROXY_LIST) {
            throw new BitsException(HResult.BG_E_PROXY_BYPASS_LIST_TOO_LARGE, "the bypass list is over "
                    + MAX_PROXY_LIST + " characters");
        }
        for (String p : s.proxyList()) {
            java.util.regex.Matcher m = PROXY.matcher(p);
            if (!m.matches()) {
                throw new BitsException(HResult.BG_E_INVALID_PROXY_INFO, "'" + p
                        + "' is not a proxy ([scheme=][scheme://]host[:port])");
            }
            if (m.group(1) != null) {
                int port = Integer.parseInt(m.group(1));
                if (port < 1 || port > 65535) {
                    throw new BitsException(HResult.BG_E_INVALID_PROXY_INFO, "'" + p
                            + "' has port " + port + "; a port is 1 to 65535");
                }
            }
        }
        return s;
    }

    private static final java.util.regex.Pattern PROXY =
            java.util.regex.Pattern.compile("(?:[A-Za-z]+=)?(?:[A-Za-z]+://)?[^\\s:/=]+(?::(\\d{1,5}))?/?");
}
