package org.jbits.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jbits.AuthScheme;
import org.jbits.AuthTarget;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.HResult;
import org.jbits.SecurityFlags;
import org.jbits.agent.HttpOptions;
import picocli.CommandLine.Option;

/**
 * The HTTP options shared by {@code start} and {@code set}: credentials (the passwords read from standard input or
 * asked on the terminal, never from the command line), custom headers, security flags, a CA file and a client
 * certificate. Every value is checked here with BITS' rules before anything is sent, so bad input creates nothing;
 * files are read here, as the caller, never by the agent on the caller's behalf.
 */
final class HttpCliOptions {
    /** The largest CA file or PKCS#12 file read (a request line is at most 1 MiB). */
    static final int MAX_FILE = 256 * 1024;

    @Option(names = "--credential", paramLabel = "USER",
            description = "User name for the server (DOMAIN\\user for NTLM); the password comes from --password-stdin"
                    + " or is asked on the terminal.")
    String credential;

    @Option(names = "--authentication", paramLabel = "SCHEME",
            description = "Scheme of --credential: basic, digest, ntlm or negotiate (default negotiate, as"
                    + " Start-BitsTransfer; it also answers NTLM).")
    String authentication;

    @Option(names = "--proxy-credential", paramLabel = "USER", description = "User name for the proxy.")
    String proxyCredential;

    @Option(names = "--proxy-authentication", paramLabel = "SCHEME",
            description = "Scheme of --proxy-credential: basic, digest, ntlm or negotiate (default negotiate).")
    String proxyAuthentication;

    @Option(names = "--password-stdin", description = "Read the passwords from standard input, one a line, in this"
            + " order: --credential's, --proxy-credential's, --client-certificate's.")
    boolean passwordStdin;

    @Option(names = "--custom-header", paramLabel = "'Name: value'",
            description = "A header sent with every request (repeatable; 16,384 characters in all).")
    List<String> customHeaders;

    @Option(names = "--custom-headers-write-only",
            description = "Never show the custom headers again (get and --json show null); they are still sent.")
    boolean customHeadersWriteOnly;

    @Option(names = "--security-flags", paramLabel = "FLAGS", split = ",",
            description = "HTTPS checks to relax and the redirect policy: crl-check, ignore-cn, ignore-date,"
                    + " ignore-unknown-ca, ignore-wrong-usage, redirect-report, redirect-disallow,"
                    + " redirect-https-to-http, none; or BITS' number (0x...).")
    List<String> securityFlags;

    @Option(names = "--ca-file", paramLabel = "PEM",
            description = "Trust the certificate authorities in this PEM file for the job's HTTPS servers, besides"
                    + " the system's ('none' removes them).")
    String caFile;

    @Option(names = "--client-certificate", paramLabel = "PKCS12",
            description = "Show this PKCS#12 file's certificate to HTTPS servers that ask for one; its password, if"
                    + " it has one, comes from --password-stdin or the terminal.")
    Path clientCertificate;

    /** BITS' security flag bits by their command-line names. */
    static final Map<String, Integer> FLAG_NAMES = new LinkedHashMap<>();

    static {
        FLAG_NAMES.put("crl-check", SecurityFlags.ENABLE_CRL_CHECK);
        FLAG_NAMES.put("ignore-cn", SecurityFlags.IGNORE_CERT_CN_INVALID);
        FLAG_NAMES.put("ignore-date", SecurityFlags.IGNORE_CERT_DATE_INVALID);
        FLAG_NAMES.put("ignore-unknown-ca", SecurityFlags.IGNORE_UNKNOWN_CA);
        FLAG_NAMES.put("ignore-wrong-usage", SecurityFlags.IGNORE_CERT_WRONG_USAGE);
        FLAG_NAMES.put("redirect-report", SecurityFlags.REDIRECT_POLICY_ALLOW_REPORT);
        FLAG_NAMES.put("redirect-disallow", SecurityFlags.REDIRECT_POLICY_DISALLOW);
        FLAG_NAMES.put("redirect-https-to-http", SecurityFlags.REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP);
    }

    /** Where passwords come from: standard input's lines, else the terminal. */
    interface Passwords {
        /** The next password; {@code prompt} names what it is for. */
        String next(String prompt);

        /** Whether a person can be asked (so an unprotected PKCS#12 file is tried without asking first). */
        boolean interactive();
    }

    /** The options as the protocol's {@link HttpOptions}, every value checked; E_INVALIDARG (exit 2) otherwise. */
    HttpOptions toHttpOptions() {
        return toHttpOptions(passwordStdin ? stdinPasswords() : terminalPasswords());
    }

    HttpOptions toHttpOptions(Passwords passwords) {
        try {
            if (authentication != null && credential == null) {
                throw new BitsException(HResult.E_INVALIDARG, "--authentication needs --credential USER");
            }
            if (proxyAuthentication != null && proxyCredential == null) {
                throw new BitsException(HResult.E_INVALIDARG, "--proxy-authentication needs --proxy-credential USER");
            }
            if (passwordStdin && credential == null && proxyCredential == null && clientCertificate == null) {
                throw new BitsException(HResult.E_INVALIDARG, "--password-stdin needs --credential,"
                        + " --proxy-credential or --client-certificate");
            }
            List<HttpOptions.Credential> creds = null;
            if (credential != null || proxyCredential != null) {
                creds = new ArrayList<>();
                if (credential != null) {
                    creds.add(credential(AuthTarget.SERVER, credential, authentication, passwords));
                }
                if (proxyCredential != null) {
                    creds.add(credential(AuthTarget.PROXY, proxyCredential, proxyAuthentication, passwords));
                }
            }
            HttpOptions.ClientCertificate cert = clientCertificate == null ? null : clientCertificate(passwords);
            HttpOptions h = new HttpOptions(creds, customHeaders, customHeadersWriteOnly,
                    securityFlags == null ? null : securityFlags(securityFlags), trustedCertificates(), cert);
            h.check();
            return h;
        } catch (BitsException e) {
            throw CliException.of(e);
        }
    }

    private static HttpOptions.Credential credential(AuthTarget target, String user, String scheme, Passwords passwords) {
        if (user.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "the " + (target == AuthTarget.PROXY ? "--proxy-credential"
                    : "--credential") + " user name is empty");
        }
        AuthScheme s = scheme == null ? AuthScheme.NEGOTIATE : scheme(scheme);
        String who = target == AuthTarget.PROXY ? "the proxy" : "the server";
        // The length and characters of the name first: no password is asked for a credential that will be refused.
        BitsLimits.checkCredentials(target, s, user, null);
        String password = passwords.next("Password for " + user + " at " + who + ": ");
        return new HttpOptions.Credential(target, s, user, password);
    }

    /** {@code basic|digest|ntlm|negotiate}; anything else BG_E_INVALID_AUTH_SCHEME. */
    static AuthScheme scheme(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (AuthScheme s : AuthScheme.values()) {
            if (s != AuthScheme.PASSPORT && s.displayName().toLowerCase(Locale.ROOT).equals(t)) {
                return s;
            }
        }
        throw new BitsException(HResult.BG_E_INVALID_AUTH_SCHEME, "unknown authentication scheme '" + Output.safe(text)
                + "' (expected basic, digest, ntlm or negotiate"
                + (t.equals("passport") ? "; Passport was retired and no server offers it" : "") + ")");
    }

    /** Names joined by ',' or one number (decimal or 0x hex); 'none' is 0. */
    static int securityFlags(List<String> texts) {
        int flags = 0;
        for (String raw : texts) {
            String t = raw.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty() || t.equals("none")) {
                continue;
            }
            Integer bit = FLAG_NAMES.get(t);
            if (bit != null) {
                flags |= bit;
                continue;
            }
            try {
                long v = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
                if (v < 0 || v > BitsLimits.MAX_ULONG) {
                    throw new BitsException(HResult.E_INVALIDARG, "the security flags " + Output.safe(raw)
                            + " are out of range (a ULONG, 0 to 0xFFFFFFFF)");
                }
                flags |= (int) v;
            } catch (NumberFormatException e) {
                throw new BitsException(HResult.E_INVALIDARG, "unknown security flag '" + Output.safe(raw)
                        + "' (expected " + String.join(", ", FLAG_NAMES.keySet()) + ", none, or a number)");
            }
        }
        return BitsLimits.checkSecurityFlags(flags);
    }

    private String trustedCertificates() {
        if (caFile == null) {
            return null;
        }
        if (caFile.equals("none")) {
            return "";
        }
        byte[] bytes = read(Io.current().absolute(Path.of(caFile)), "CA file");
        String pem = new String(bytes, StandardCharsets.US_ASCII);
        try {
            BitsLimits.checkTrustedCertificates(pem);
        } catch (BitsException e) {
            throw new BitsException(e.hresult(), "the CA file " + Output.safe(caFile) + ": " + e.detail());
        }
        return pem;
    }

    private HttpOptions.ClientCertificate clientCertificate(Passwords passwords) {
        byte[] p12 = read(Io.current().absolute(clientCertificate), "client certificate");
        String password;
        if (passwordStdin) {
            password = passwords.next("Password for " + clientCertificate + ": ");
        } else if (opens(p12, "")) {
            password = "";
        } else {
            password = passwords.next("Password for " + clientCertificate + ": ");
        }
        return new HttpOptions.ClientCertificate(p12, password);
    }

    private static boolean opens(byte[] p12, String password) {
        try {
            BitsLimits.checkClientCertificate(p12, password);
            return true;
        } catch (BitsException e) {
            return false;
        }
    }

    private static byte[] read(Path p, String what) {
        try {
            if (!Files.isRegularFile(p)) {
                throw new BitsException(Files.exists(p) ? HResult.E_INVALIDARG : HResult.ERROR_FILE_NOT_FOUND,
                        "the " + what + " " + Output.safe(p.toString())
                                + (Files.exists(p) ? " is not a regular file" : " does not exist"));
            }
            if (Files.size(p) > MAX_FILE) {
                throw new BitsException(HResult.E_INVALIDARG, "the " + what + " " + Output.safe(p.toString())
                        + " is over " + MAX_FILE / 1024 + " KiB");
            }
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "the " + what + " " + Output.safe(p.toString())
                    + " does not exist");
        } catch (AccessDeniedException e) {
            throw new BitsException(HResult.E_ACCESSDENIED, "cannot read the " + what + " "
                    + Output.safe(p.toString()) + ": permission denied");
        } catch (IOException e) {
            throw new BitsException(HResult.E_INVALIDARG, "cannot read the " + what + " "
                    + Output.safe(p.toString()) + ": " + e.getMessage());
        }
    }

    /** One line of standard input per password (without its line end); running out is an error. */
    static Passwords stdinPasswords() {
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(Io.current().in(),
                StandardCharsets.UTF_8));
        return new Passwords() {
            @Override
            public String next(String prompt) {
                try {
                    String line = in.readLine();
                    if (line == null) {
                        throw new BitsException(HResult.E_INVALIDARG, "--password-stdin: standard input ended before"
                                + " the password " + prompt.substring(prompt.indexOf(' ') + 1).replace(": ", ""));
                    }
                    return line;
                } catch (IOException e) {
                    throw new BitsException(HResult.E_INVALIDARG, "--password-stdin: cannot read standard input");
                }
            }

            @Override
            public boolean interactive() {
                return false;
            }
        };
    }

    /** Asks on the terminal without echo; without a terminal, --password-stdin is needed. */
    static Passwords terminalPasswords() {
        return new Passwords() {
            @Override
            public String next(String prompt) {
                java.io.Console console = Io.current().passwordConsole();
                if (console == null) {
                    throw new BitsException(HResult.E_INVALIDARG, "a password is needed ("
                            + prompt.replace(": ", "").toLowerCase(Locale.ROOT)
                            + ") and there is no terminal to ask on; give it with --password-stdin");
                }
                char[] pw = console.readPassword("%s", prompt);
                if (pw == null) {
                    throw new BitsException(HResult.E_INVALIDARG, "no password given");
                }
                return new String(pw);
            }

            @Override
            public boolean interactive() {
                return Io.current().console();
            }
        };
    }
}
