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
    /** The largest ULONG: retry delay, no-progress timeout and maximum download time are ULONG seconds. */
    public static final long MAX_ULONG = 0xFFFFFFFFL;
    /** SetMinimumRetryDelay clamps shorter delays to this many seconds. */
    public static final long MIN_RETRY_DELAY = 5;
    /** {@code BITS_COST_OPTION_IGNORE_CONGESTION}: the cost-flags bit that schedules a job even on a congested network. */
    public static final int COST_OPTION_IGNORE_CONGESTION = 0x80000000;
    /** The cost-flags bits BITS defines: the eight {@link CostState} bits and {@link #COST_OPTION_IGNORE_CONGESTION}. */
    public static final int COST_FLAGS_DEFINED = 0x000000FF | COST_OPTION_IGNORE_CONGESTION;

    /** BITS' MaxRangesPerFile group policy default: at most this many ranges per file (AddFileWithRanges). */
    public static final int MAX_RANGES_PER_FILE = 500;
    /** The notify program's path: at most MAX_PATH (260) characters, as BITS has it. */
    public static final int MAX_NOTIFY_PROGRAM = 260;
    /** The notify command line's parameters: at most this many characters. */
    public static final int MAX_NOTIFY_PARAMETERS = 4000;
    /** {@code BG_COPY_FILE_ALL}: owner, group, DACL and SACL (SetFileACLFlags). */
    public static final int ACL_FLAGS_ALL = 0xF;
    /** BITS' default minimum notification interval, milliseconds. */
    public static final long DEFAULT_NOTIFY_INTERVAL_MILLIS = 500;

    private BitsLimits() {
    }

    /**
     * AddFileWithRanges' rules: at least one range ({@code E_INVALIDARG}), at most {@code maxRanges}
     * ({@code BG_E_TOO_MANY_RANGES_IN_FILE}); each with an offset that is a UINT64 below 2^63 and a length that is
     * one too or {@link BitsFileRange#LENGTH_TO_EOF}, not 0 ({@code BG_E_INVALID_RANGE}); sorted by offset, no two
     * sharing a byte or an offset and nothing after a range to the end ({@code BG_E_OVERLAPPING_RANGES}).
     */
    public static java.util.List<BitsFileRange> checkRanges(java.util.List<BitsFileRange> ranges, int maxRanges) {
        if (ranges == null || ranges.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "give at least one range");
        }
        if (ranges.size() > maxRanges) {
            throw new BitsException(HResult.BG_E_TOO_MANY_RANGES_IN_FILE, ranges.size() + " ranges for one file;"
                    + " at most " + maxRanges + " are allowed (MaxRangesPerFile)");
        }
        for (BitsFileRange r : ranges) {
            if (r == null || r.initialOffset() < 0) {
                throw new BitsException(HResult.BG_E_INVALID_RANGE, "the range " + r + " has no valid offset"
                        + " (an offset is 0 or more; BG_LENGTH_TO_EOF is a length, not an offset)");
            }
            if (r.length() == 0 || r.length() < BitsFileRange.LENGTH_TO_EOF) {
                throw new BitsException(HResult.BG_E_INVALID_RANGE, "the range " + r + " has no valid length"
                        + " (1 or more bytes, or eof)");
            }
            if (!r.toEndOfFile() && r.initialOffset() > Long.MAX_VALUE - r.length()) {
                throw new BitsException(HResult.BG_E_INVALID_RANGE, "the range " + r + " ends past 2^63 bytes");
            }
        }
        java.util.List<BitsFileRange> sorted = new java.util.ArrayList<>(ranges);
        sorted.sort(java.util.Comparator.comparingLong(BitsFileRange::initialOffset));
        for (int i = 1; i < sorted.size(); i++) {
            BitsFileRange a = sorted.get(i - 1);
            BitsFileRange b = sorted.get(i);
            if (a.toEndOfFile() || a.initialOffset() == b.initialOffset()
                    || a.initialOffset() + a.length() > b.initialOffset()) {
                throw new BitsException(HResult.BG_E_OVERLAPPING_RANGES, "the ranges " + a + " and " + b
                        + " overlap (ranges are compared by offset; none may share a byte)");
            }
        }
        return java.util.List.copyOf(ranges);
    }

    /**
     * SetNotifyCmdLine's rules: both null clears it; otherwise a program that is a full path of at most
     * {@link #MAX_NOTIFY_PROGRAM} characters, and parameters (may be null) of at most {@link #MAX_NOTIFY_PARAMETERS}.
     * Whether the parameters start with the program is the backend's check (the portable engine splits them into
     * words, Windows' BITS has its own rules).
     */
    public static NotifyCmdLine checkNotifyCmdLine(String program, String parameters) {
        if (program == null) {
            if (parameters != null) {
                throw new BitsException(HResult.E_INVALIDARG, "notify parameters need a program");
            }
            return null;
        }
        checkText("notify program", program);
        checkText("notify parameters", parameters);
        if (program.isBlank()) {
            throw new BitsException(HResult.E_INVALIDARG, "the notify program is empty");
        }
        checkLength("notify program", program, MAX_NOTIFY_PROGRAM);
        if (parameters != null) {
            checkLength("notify parameters", parameters, MAX_NOTIFY_PARAMETERS);
        }
        return new NotifyCmdLine(program, parameters);
    }

    /**
     * BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE: bytes, 0 for no limit; a negative value (a UINT64 of 2^63 or more) is
     * BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE.
     */
    public static long checkMaxDownloadSize(long bytes) {
        if (bytes < 0) {
            throw new BitsException(HResult.BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE, "the maximum download size must be"
                    + " 0 (no limit) to " + Long.MAX_VALUE + " bytes, not " + bytes);
        }
        return bytes;
    }

    /** BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS: a DWORD of milliseconds; otherwise E_INVALIDARG. */
    public static long checkNotifyInterval(long millis) {
        if (millis < 0 || millis > MAX_ULONG) {
            throw new BitsException(HResult.E_INVALIDARG, "the minimum notification interval must be 0 to "
                    + MAX_ULONG + " ms, not " + millis);
        }
        return millis;
    }

    /** SetFileACLFlags: a mask of BG_COPY_FILE_OWNER 1, _GROUP 2, _DACL 4, _SACL 8; otherwise E_INVALIDARG. */
    public static int checkAclFlags(int flags) {
        if ((flags & ~ACL_FLAGS_ALL) != 0) {
            throw new BitsException(HResult.E_INVALIDARG, "the file ACL flags " + HResult.hex(flags)
                    + " set bits BITS does not define (owner 0x1, group 0x2, dacl 0x4, sacl 0x8)");
        }
        return flags;
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
