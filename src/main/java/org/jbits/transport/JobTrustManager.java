package org.jbits.transport;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.X509TrustManager;
import org.jbits.HResult;
import org.jbits.SecurityFlags;

/**
 * A server-certificate check that follows a job's security flags: PKIX path validation against the system's
 * authorities and the job's own, then the certificate's usage (server authentication), each relaxed only by its
 * flag. Every refusal is a {@link Problem} carrying WinHTTP's code for it, so the job's error names the problem
 * (ERROR_WINHTTP_SECURE_INVALID_CA, ..._CERT_DATE_INVALID, ...) instead of Java's text. The host name is checked
 * by OkHttp's verifier, unless IGNORE_CERT_CN_INVALID replaces it.
 */
final class JobTrustManager implements X509TrustManager {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private final Set<TrustAnchor> anchors;
    private final X509Certificate[] issuers;
    private final int flags;

    /** A refused certificate, with the WinHTTP code BITS would report. */
    static final class Problem extends CertificateException {
        private static final long serialVersionUID = 1L;
        final int hresult;

        Problem(int hresult, String message, Throwable cause) {
            super(message, cause);
            this.hresult = hresult;
        }
    }

    JobTrustManager(List<X509Certificate> system, List<X509Certificate> jobAuthorities, int flags) {
        this.anchors = new HashSet<>();
        List<X509Certificate> all = new ArrayList<>(system);
        all.addAll(jobAuthorities);
        for (X509Certificate c : all) {
            anchors.add(new TrustAnchor(c, null));
        }
        this.issuers = all.toArray(new X509Certificate[0]);
        this.flags = flags;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a download client does not take client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return issuers.clone();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new Problem(HResult.ERROR_WINHTTP_SECURE_INVALID_CERT, "the server sent no certificate", null);
        }
        boolean ignoreDate = (flags & SecurityFlags.IGNORE_CERT_DATE_INVALID) != 0;
        Set<TrustAnchor> trusted = anchors;
        if ((flags & SecurityFlags.IGNORE_UNKNOWN_CA) != 0) {
            trusted = new HashSet<>(anchors);
            trusted.add(new TrustAnchor(chain[chain.length - 1], null));
        }
        // The path ends below its anchor: certificates the server sent that are anchors themselves are left off.
        List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
        while (!path.isEmpty() && isAnchor(trusted, path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        Date when = ignoreDate ? dateInsideAll(chain) : new Date();
        if (path.isEmpty()) {
            // The server's own certificate is trusted as it is (pinned through the job's authorities).
            checkDates(chain[0], when, ignoreDate);
        } else {
            validate(path, trusted, when, ignoreDate);
        }
        checkUsage(chain[0]);
    }

    private static boolean isAnchor(Set<TrustAnchor> trusted, X509Certificate c) {
        for (TrustAnchor a : trusted) {
            if (a.getTrustedCert().equals(c)) {
                return true;
            }
        }
        return false;
    }

    private void validate(List<X509Certificate> path, Set<TrustAnchor> trusted, Date when, boolean ignoreDate)
            throws CertificateException {
        try {
            CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters p = new PKIXParameters(trusted);
            p.setRevocationEnabled((flags & SecurityFlags.ENABLE_CRL_CHECK) != 0);
            p.setDate(when);
            CertPathValidator.getInstance("PKIX").validate(cp, p);
        } catch (CertPathValidatorException e) {
            throw problem(e, ignoreDate);
        } catch (GeneralSecurityException e) {
            throw new Problem(HResult.ERROR_WINHTTP_SECURE_INVALID_CERT, "the server's certificate cannot be checked: "
                    + e.getMessage(), e);
        }
    }

    private static Problem problem(CertPathValidatorException e, boolean ignoreDate) {
        CertPathValidatorException.Reason r = e.getReason();
        if (r == CertPathValidatorException.BasicReason.EXPIRED || r == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            return new Problem(HResult.ERROR_WINHTTP_SECURE_CERT_DATE_INVALID, "a certificate of the server's chain "
                    + (r == CertPathValidatorException.BasicReason.EXPIRED ? "has expired" : "is not valid yet")
                    + (ignoreDate ? " (its certificates have no time in common)" : ""), e);
        }
        if (r == PKIXReason.NO_TRUST_ANCHOR) {
            return new Problem(HResult.ERROR_WINHTTP_SECURE_INVALID_CA, "the server's certificate is not signed by an"
                    + " authority the job trusts", e);
        }
        if (r == CertPathValidatorException.BasicReason.REVOKED) {
            return new Problem(HResult.ERROR_WINHTTP_SECURE_CERT_REVOKED, "a certificate of the server's chain was"
                    + " revoked", e);
        }
        if (r == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
            return new Problem(HResult.ERROR_WINHTTP_SECURE_CERT_REV_FAILED, "the revocation of the server's"
                    + " certificate could not be checked (the CRL check security flag is set)", e);
        }
        if (r == PKIXReason.INVALID_KEY_USAGE) {
            return new Problem(HResult.ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE, "a certificate of the server's chain"
                    + " may not sign certificates", e);
        }
        return new Problem(HResult.ERROR_WINHTTP_SECURE_INVALID_CERT, "the server's certificate chain is not valid: "
                + e.getMessage(), e);
    }

    private static void checkDates(X509Certificate c, Date when, boolean ignoreDate) throws Problem {
        try {
            c.checkValidity(when);
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new Problem(HResult.ERROR_WINHTTP_SECURE_CERT_DATE_INVALID, "the server's certificate "
                    + (e instanceof CertificateExpiredException ? "has expired" : "is not valid yet"), e);
        }
    }

    /** A time at which every certificate of the chain is valid, or now when there is none (validation then fails). */
    private static Date dateInsideAll(X509Certificate[] chain) {
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        for (X509Certificate c : chain) {
            from = Math.max(from, c.getNotBefore().getTime());
            to = Math.min(to, c.getNotAfter().getTime());
        }
        long now = System.currentTimeMillis();
        if (from <= to) {
            return new Date(Math.min(Math.max(now, from), to));
        }
        return new Date(now);
    }

    /** The server's certificate must be for server authentication (EKU) and allow it (key usage). */
    private void checkUsage(X509Certificate leaf) throws CertificateException {
        if ((flags & SecurityFlags.IGNORE_CERT_WRONG_USAGE) != 0) {
            return;
        }
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new Problem(HResult.ERROR_WINHTTP_SECURE_INVALID_CERT, "the server's certificate has an unreadable"
                    + " extended key usage", e);
        }
        if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_USAGE)) {
            throw new Problem(HResult.ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE, "the server's certificate is not for"
                    + " server authentication (its extended key usage is " + eku + ")", null);
        }
        boolean[] ku = leaf.getKeyUsage();
        if (ku != null && !(ku[0] || ku[2])) {
            throw new Problem(HResult.ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE, "the server's certificate's key usage"
                    + " allows neither signatures nor key encipherment", null);
        }
    }
}
