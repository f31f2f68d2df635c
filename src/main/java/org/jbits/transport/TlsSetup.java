package org.jbits.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.HResult;
import org.jbits.SecurityFlags;

/**
 * What a job's {@link TlsOptions} make of an HTTPS connection: the trust manager ({@link JobTrustManager} when a
 * flag relaxes a check or the job trusts its own authorities, else the JVM's own), the client certificate's key
 * manager, and the host-name verifier (replaced only for IGNORE_CERT_CN_INVALID). Also the checks the API runs when
 * the options are set, so that a bad PEM or PKCS#12 file fails there with E_INVALIDARG, not at the first transfer.
 *
 * @param socketFactory what OkHttp opens TLS connections with
 * @param trustManager the server-certificate check
 * @param hostnameVerifier null to keep OkHttp's
 */
public record TlsSetup(SSLSocketFactory socketFactory, X509TrustManager trustManager, HostnameVerifier hostnameVerifier) {

    /** The setup for {@code options}; E_INVALIDARG when its certificates cannot be read. */
    static TlsSetup of(TlsOptions options, X509TrustManager system) {
        try {
            X509TrustManager tm = system;
            int flags = options.securityFlags();
            if ((flags & 0x1F) != 0 || options.trustedCertificates() != null) {
                List<X509Certificate> own = options.trustedCertificates() == null ? List.of()
                        : certificates(options.trustedCertificates());
                tm = new JobTrustManager(Arrays.asList(system.getAcceptedIssuers()), own, flags);
            }
            KeyManager[] km = null;
            if (options.clientPkcs12() != null) {
                km = keyManagers(options.clientPkcs12(), options.clientPassword());
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(km, new TrustManager[]{tm}, null);
            HostnameVerifier hv = (flags & SecurityFlags.IGNORE_CERT_CN_INVALID) != 0 ? (host, session) -> true : null;
            return new TlsSetup(ctx.getSocketFactory(), tm, hv);
        } catch (GeneralSecurityException e) {
            throw new BitsException(HResult.E_INVALIDARG, "the job's TLS settings cannot be used: " + e.getMessage(), e);
        }
    }

    /** The JVM's default trust manager (its cacerts, or {@code javax.net.ssl.trustStore}). */
    static X509TrustManager systemTrustManager() {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init((KeyStore) null);
            for (TrustManager t : f.getTrustManagers()) {
                if (t instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JVM has no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM's trust store cannot be read: " + e.getMessage(), e);
        }
    }

    /** The certificates of a PEM text; E_INVALIDARG when it holds none ({@link BitsLimits#checkTrustedCertificates}). */
    static List<X509Certificate> certificates(String pem) {
        return BitsLimits.checkTrustedCertificates(pem);
    }

    private static KeyStore open(byte[] pkcs12, String password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(pkcs12), password == null ? new char[0] : password.toCharArray());
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            // A wrong password shows as an IOException whose cause is an UnrecoverableKeyException.
            throw new BitsException(HResult.E_INVALIDARG, "the client certificate file is not PKCS#12 or its password"
                    + " is wrong", e);
        }
    }

    private static KeyManager[] keyManagers(byte[] pkcs12, String password) throws GeneralSecurityException {
        KeyStore ks = open(pkcs12, password);
        KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        f.init(ks, password == null ? new char[0] : password.toCharArray());
        return f.getKeyManagers();
    }
}
