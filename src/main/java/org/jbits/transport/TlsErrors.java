package org.jbits.transport;

import java.net.URI;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * A failed TLS connection as the error BITS reports: WinHTTP's code for the problem (an unknown authority, a
 * certificate out of date, for another host, not for servers, revoked, a client certificate the server wanted) and
 * a sentence that says what to do, instead of Java's text ({@code PKIX path building failed: ...}). Fatal, as
 * WinHTTP's certificate errors are for BITS: retrying cannot change the certificate.
 */
final class TlsErrors {
    private TlsErrors() {
    }

    static TransferException of(SSLException e, URI source) {
        String host = " (" + source.getHost() + ")";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JobTrustManager.Problem p) {
                return fatal(p.hresult, p.getMessage() + host + advice(p.hresult), e);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathBuilderException) {
                return fatal(HResult.ERROR_WINHTTP_SECURE_INVALID_CA, "the server's certificate is not signed by an"
                        + " authority the job trusts" + host + advice(HResult.ERROR_WINHTTP_SECURE_INVALID_CA), e);
            }
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return fatal(HResult.ERROR_WINHTTP_SECURE_CERT_DATE_INVALID, "the server's certificate "
                        + (t instanceof CertificateExpiredException ? "has expired" : "is not valid yet") + host
                        + advice(HResult.ERROR_WINHTTP_SECURE_CERT_DATE_INVALID), e);
            }
            if (t instanceof CertPathValidatorException v
                    && (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return fatal(HResult.ERROR_WINHTTP_SECURE_CERT_DATE_INVALID, "a certificate of the server's chain is"
                        + " out of date" + host + advice(HResult.ERROR_WINHTTP_SECURE_CERT_DATE_INVALID), e);
            }
        }
        String m = String.valueOf(e.getMessage());
        if (e instanceof SSLPeerUnverifiedException && m.startsWith("Hostname")) {
            return fatal(HResult.ERROR_WINHTTP_SECURE_CERT_CN_INVALID, "the server's certificate is for another host"
                    + " name than " + source.getHost() + advice(HResult.ERROR_WINHTTP_SECURE_CERT_CN_INVALID), e);
        }
        if (m.contains("certificate_required") || m.contains("bad_certificate") || m.contains("handshake_failure")
                && m.contains("certificate")) {
            return fatal(HResult.ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED, "the server wants a client certificate the"
                    + " job did not give, or refused the one it gave" + host + "; give one with --client-certificate", e);
        }
        return fatal(HResult.ERROR_WINHTTP_SECURE_FAILURE, "the secure connection failed" + host + ": "
                + Redacted.text(m), e);
    }

    private static String advice(int hr) {
        if (hr == HResult.ERROR_WINHTTP_SECURE_INVALID_CA) {
            return "; trust its authority with --ca-file FILE (PEM), or set the ignore-unknown-ca security flag";
        }
        if (hr == HResult.ERROR_WINHTTP_SECURE_CERT_DATE_INVALID) {
            return "; the ignore-date-invalid security flag accepts it";
        }
        if (hr == HResult.ERROR_WINHTTP_SECURE_CERT_CN_INVALID) {
            return "; the ignore-cn-invalid security flag accepts it";
        }
        if (hr == HResult.ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE) {
            return "; the ignore-wrong-usage security flag accepts it";
        }
        return "";
    }

    private static TransferException fatal(int hr, String message, Throwable cause) {
        return TransferException.fatal(hr, ErrorContext.GENERAL_TRANSPORT, message, cause);
    }
}
