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
    /**
     * A credential's user name: at most this many characters (BG_E_USERNAME_TOO_LARGE). BITS documents no number;
     * this is Windows' CREDUI_MAX_USERNAME_LENGTH (a 256-character domain, '\\', a 256-character user).
     */
    public static final int MAX_USER_NAME = 513;
    /** A credential's password: at most this many characters (BG_E_PASSWORD_TOO_LARGE; CREDUI_MAX_PASSWORD_LENGTH). */
    public static final int MAX_PASSWORD = 256;
    /** A job's custom headers: at most this many characters including the terminating NUL (SetCustomHeaders). */
    public static final int MAX_CUSTOM_HEADERS = 16_384;

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
            if (p.indexOf('@') >= 0) {
                // Never repeated: what is before the @ may be a password.
                throw new BitsException(HResult.BG_E_INVALID_PROXY_INFO, "a proxy of the proxy list names a user"
                        + " (user@ or user:password@); a proxy list holds hosts only, and the proxy's credentials are"
                        + " set apart (SetCredentials with the proxy target, --proxy-credential)");
            }
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

    /**
     * SetCredentials' rules: a target and a scheme, a user name of at most {@link #MAX_USER_NAME} characters
     * (BG_E_USERNAME_TOO_LARGE) and a password of at most {@link #MAX_PASSWORD} (BG_E_PASSWORD_TOO_LARGE), neither
     * with a NUL. BITS takes a null user and password as "the logged-on user's own credentials" (NTLM, Negotiate);
     * a backend that has none refuses them itself.
     */
    public static void checkCredentials(AuthTarget target, AuthScheme scheme, String userName, String password) {
        checkAuth(target, scheme);
        if (userName != null && userName.length() > MAX_USER_NAME) {
            throw new BitsException(HResult.BG_E_USERNAME_TOO_LARGE, "the user name is " + userName.length()
                    + " characters; at most " + MAX_USER_NAME + " are allowed");
        }
        if (password != null && password.length() > MAX_PASSWORD) {
            // The length only: a password is never repeated, not even in part.
            throw new BitsException(HResult.BG_E_PASSWORD_TOO_LARGE, "the password is " + password.length()
                    + " characters; at most " + MAX_PASSWORD + " are allowed");
        }
        checkText("user name", userName);
        if (password != null && password.indexOf('\0') >= 0) {
            throw new BitsException(HResult.E_INVALIDARG, "the password contains a NUL character");
        }
    }

    /** A target and a scheme (RemoveCredentials); null is BG_E_INVALID_AUTH_TARGET or BG_E_INVALID_AUTH_SCHEME. */
    public static void checkAuth(AuthTarget target, AuthScheme scheme) {
        if (target == null) {
            throw new BitsException(HResult.BG_E_INVALID_AUTH_TARGET, "no authentication target (server or proxy)");
        }
        if (scheme == null) {
            throw new BitsException(HResult.BG_E_INVALID_AUTH_SCHEME, "no authentication scheme");
        }
    }

    /** Headers the transfer itself sends and must control (resume, framing, connection reuse): never custom. */
    private static final java.util.Set<String> RESERVED_HEADERS = java.util.Set.of("host", "range", "if-range",
            "content-length", "transfer-encoding", "connection", "accept-encoding", "te", "upgrade", "expect",
            "proxy-connection", "keep-alive", "trailer");
    private static final java.util.regex.Pattern HEADER_NAME = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /**
     * SetCustomHeaders' rules: {@code Name: value} lines, each ending in CRLF (a missing CRLF after the last is
     * added), at most {@link #MAX_CUSTOM_HEADERS} characters with the terminating NUL (BG_E_STRING_TOO_LONG);
     * a name of RFC 9110 token characters, a value without control characters (so no CR, LF or NUL inside a line);
     * not one of the headers the transfer sends itself ({@code Range}, {@code Host}, ...); otherwise E_INVALIDARG
     * naming the line. Null or empty means no headers and gives null.
     *
     * @return the headers, each line ending in CRLF, or null for none
     */
    public static String checkCustomHeaders(String headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        checkText("custom headers", headers);
        String h = headers.endsWith("\r\n") ? headers : headers + "\r\n";
        if (h.length() + 1 > MAX_CUSTOM_HEADERS) {
            throw new BitsException(HResult.BG_E_STRING_TOO_LONG, "the custom headers are " + h.length()
                    + " characters with their line ends; BITS allows " + (MAX_CUSTOM_HEADERS - 1)
                    + " (16,384 with the terminating NUL)");
        }
        int n = 0;
        for (String line : h.substring(0, h.length() - 2).split("\r\n", -1)) {
            n++;
            checkHeaderLine(line, n);
        }
        return h;
    }

    /** The {@code Name: value} lines of headers checked by {@link #checkCustomHeaders}, without their CRLF. */
    public static java.util.List<String> customHeaderLines(String headers) {
        String h = checkCustomHeaders(headers);
        return h == null ? java.util.List.of() : java.util.List.of(h.substring(0, h.length() - 2).split("\r\n", -1));
    }

    private static void checkHeaderLine(String line, int n) {
        int colon = line.indexOf(':');
        String where = "custom header " + n;
        if (colon <= 0) {
            throw new BitsException(HResult.E_INVALIDARG, "the " + where + " is not 'Name: value'"
                    + (line.isEmpty() ? " (an empty line)" : ""));
        }
        String name = line.substring(0, colon);
        if (!HEADER_NAME.matcher(name).matches()) {
            throw new BitsException(HResult.E_INVALIDARG, "the name of the " + where + " has a character a header"
                    + " name may not have (letters, digits and !#$%&'*+.^_`|~- only)");
        }
        for (int i = colon + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                String what = c == '\r' ? "a CR" : c == '\n' ? "an LF" : c == 0 ? "a NUL" : "a control character";
                throw new BitsException(HResult.E_INVALIDARG, "the value of the " + where + " (" + name + ") contains "
                        + what + "; each header is one line");
            }
        }
        if (RESERVED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            throw new BitsException(HResult.E_INVALIDARG, "the " + where + " is '" + name + "', which the transfer"
                    + " sends itself (resumes and connections depend on it)");
        }
    }

    /**
     * Security flags made of the bits BITS defines ({@link SecurityFlags#DEFINED}), with one redirect policy;
     * otherwise E_INVALIDARG.
     */
    public static int checkSecurityFlags(int flags) {
        int undefined = flags & ~SecurityFlags.DEFINED;
        if (undefined != 0) {
            throw new BitsException(HResult.E_INVALIDARG, "the security flags " + HResult.hex(flags) + " set "
                    + HResult.hex(undefined) + ", which BITS does not define (0x1F certificate checks, 0x100/0x200"
                    + " redirect policy, 0x800 HTTPS to HTTP)");
        }
        if (SecurityFlags.redirectPolicy(flags) == (SecurityFlags.REDIRECT_POLICY_ALLOW_REPORT
                | SecurityFlags.REDIRECT_POLICY_DISALLOW)) {
            throw new BitsException(HResult.E_INVALIDARG, "the security flags " + HResult.hex(flags)
                    + " name two redirect policies (report 0x100 and disallow 0x200)");
        }
        return flags;
    }

    /** A SHA-256 as 64 hexadecimal digits (either case), returned in lower case; otherwise E_INVALIDARG. */
    public static String checkSha256(String hex) {
        if (hex == null || !hex.matches("[0-9A-Fa-f]{64}")) {
            throw new BitsException(HResult.E_INVALIDARG, "an expected SHA-256 is 64 hexadecimal digits"
                    + (hex == null ? "" : ", not " + hex.length() + " characters"
                    + (hex.length() == 64 ? " with a character that is not one" : "")));
        }
        return hex.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * PEM text holding at least one X.509 certificate ({@code -----BEGIN CERTIFICATE-----}); otherwise E_INVALIDARG.
     *
     * @return the certificates
     */
    public static java.util.List<java.security.cert.X509Certificate> checkTrustedCertificates(String pem) {
        if (pem == null) {
            throw new BitsException(HResult.E_INVALIDARG, "no certificates given");
        }
        try {
            java.util.List<java.security.cert.X509Certificate> out = new java.util.ArrayList<>();
            for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
                out.add((java.security.cert.X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new BitsException(HResult.E_INVALIDARG, "the trusted certificates hold no PEM certificate");
            }
            return out;
        } catch (java.security.cert.CertificateException e) {
            throw new BitsException(HResult.E_INVALIDARG, "the trusted certificates are not PEM X.509 certificates");
        }
    }

    /**
     * A PKCS#12 file that opens with {@code password} and holds a private key with its certificate; otherwise
     * E_INVALIDARG (the password is never repeated).
     *
     * @return the subject of that certificate ({@code CN=...})
     */
    public static String checkClientCertificate(byte[] pkcs12, String password) {
        if (pkcs12 == null) {
            throw new BitsException(HResult.E_INVALIDARG, "no client certificate given");
        }
        java.security.KeyStore ks;
        try {
            ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(new java.io.ByteArrayInputStream(pkcs12), password == null ? new char[0] : password.toCharArray());
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new BitsException(HResult.E_INVALIDARG, "the client certificate is not a PKCS#12 file, or its"
                    + " password is wrong");
        }
        try {
            for (java.util.Enumeration<String> e = ks.aliases(); e.hasMoreElements(); ) {
                String alias = e.nextElement();
                if (ks.isKeyEntry(alias) && ks.getCertificate(alias) instanceof java.security.cert.X509Certificate c) {
                    return c.getSubjectX500Principal().getName();
                }
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new BitsException(HResult.E_INVALIDARG, "the client certificate file cannot be read");
        }
        throw new BitsException(HResult.E_INVALIDARG, "the client certificate file holds no private key with a certificate");
    }
}
