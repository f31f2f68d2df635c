package org.jbits;

/** How credentials answer a server's or proxy's challenge ({@code BG_AUTH_SCHEME}); {@link #value()} is the BITS value. */
public enum AuthScheme {
    /** 1 BG_AUTH_SCHEME_BASIC: user and password in the clear (RFC 7617); use it over HTTPS only. */
    BASIC(1, "Basic"),
    /** 2 BG_AUTH_SCHEME_DIGEST: RFC 7616 (MD5, SHA-256, qop=auth). */
    DIGEST(2, "Digest"),
    /** 3 BG_AUTH_SCHEME_NTLM: NTLMv2 (and SMB's NTLMSSP). */
    NTLM(3, "Ntlm"),
    /** 4 BG_AUTH_SCHEME_NEGOTIATE: SPNEGO (Kerberos, falling back to NTLM). */
    NEGOTIATE(4, "Negotiate"),
    /** 5 BG_AUTH_SCHEME_PASSPORT: .NET Passport, retired by Microsoft; no server offers it. */
    PASSPORT(5, "Passport");

    private final int value;
    private final String displayName;

    AuthScheme(int value, String displayName) {
        this.value = value;
        this.displayName = displayName;
    }

    /** The BITS numeric value. */
    public int value() {
        return value;
    }

    /** The PowerShell name ({@code -Authentication Basic|Digest|Ntlm|Negotiate|Passport}). */
    public String displayName() {
        return displayName;
    }

    /** The scheme with the given BITS value; BG_E_INVALID_AUTH_SCHEME for any other. */
    public static AuthScheme of(int value) {
        for (AuthScheme s : values()) {
            if (s.value == value) {
                return s;
            }
        }
        throw new BitsException(HResult.BG_E_INVALID_AUTH_SCHEME, "unknown authentication scheme " + value
                + " (1 basic, 2 digest, 3 ntlm, 4 negotiate, 5 passport)");
    }
}
