package org.jbits;

/**
 * The bits of a job's HTTP security flags ({@code IBackgroundCopyJobHttpOptions::SetSecurityFlags}, reference §1.4):
 * certificate checks a job may relax or add, and the redirect policy. 0, the default, checks every certificate fully
 * and follows redirects silently, except from HTTPS to HTTP. {@link BitsLimits#checkSecurityFlags} refuses other bits.
 */
public final class SecurityFlags {
    /** {@code BG_SSL_ENABLE_CRL_CHECK}: check the server certificate's revocation (a certificate whose status cannot be found fails). */
    public static final int ENABLE_CRL_CHECK = 0x0001;
    /** {@code BG_SSL_IGNORE_CERT_CN_INVALID}: accept a certificate for another host name. */
    public static final int IGNORE_CERT_CN_INVALID = 0x0002;
    /** {@code BG_SSL_IGNORE_CERT_DATE_INVALID}: accept an expired or not yet valid certificate. */
    public static final int IGNORE_CERT_DATE_INVALID = 0x0004;
    /** {@code BG_SSL_IGNORE_UNKNOWN_CA}: accept a certificate no trusted authority signed. */
    public static final int IGNORE_UNKNOWN_CA = 0x0008;
    /** {@code BG_SSL_IGNORE_CERT_WRONG_USAGE}: accept a certificate not issued for server authentication. */
    public static final int IGNORE_CERT_WRONG_USAGE = 0x0010;
    /** {@code BG_HTTP_REDIRECT_POLICY_MASK}: the two bits of the redirect policy. */
    public static final int REDIRECT_POLICY_MASK = 0x0700;
    /** {@code BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT}: follow redirects, keep the remote name (the default). */
    public static final int REDIRECT_POLICY_ALLOW_SILENT = 0x0000;
    /** {@code BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT}: follow redirects and change the file's remote name to the final URL. */
    public static final int REDIRECT_POLICY_ALLOW_REPORT = 0x0100;
    /** {@code BG_HTTP_REDIRECT_POLICY_DISALLOW}: a redirect fails the job. */
    public static final int REDIRECT_POLICY_DISALLOW = 0x0200;
    /** {@code BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP}: also follow a redirect from HTTPS to plain HTTP. */
    public static final int REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP = 0x0800;
    /** Every bit BITS defines. */
    public static final int DEFINED = 0x001F | 0x0300 | REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP;

    private SecurityFlags() {
    }

    /** The redirect policy of {@code flags}: one of the three {@code REDIRECT_POLICY_*} values. */
    public static int redirectPolicy(int flags) {
        return flags & REDIRECT_POLICY_MASK;
    }
}
