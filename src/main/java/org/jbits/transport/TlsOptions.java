package org.jbits.transport;

import java.util.Arrays;

/**
 * A job's HTTPS options: its security flags ({@link org.jbits.SecurityFlags}), the certificate authorities it trusts
 * besides the system's, and its client certificate. {@link #NONE} is BITS' default: full verification against the
 * system's authorities, no client certificate, redirects followed but never from HTTPS to HTTP.
 *
 * @param securityFlags the {@code SetSecurityFlags} bits
 * @param trustedCertificates PEM certificates, or null
 * @param clientPkcs12 a PKCS#12 file's bytes, or null
 * @param clientPassword its password (never shown), or null
 */
public record TlsOptions(int securityFlags, String trustedCertificates, byte[] clientPkcs12, String clientPassword) {
    /** No option set. */
    public static final TlsOptions NONE = new TlsOptions(0, null, null, null);

    /** Copies the certificate's bytes. */
    public TlsOptions {
        clientPkcs12 = clientPkcs12 == null ? null : clientPkcs12.clone();
    }

    /** The PKCS#12 bytes (a copy), or null. */
    @Override
    public byte[] clientPkcs12() {
        return clientPkcs12 == null ? null : clientPkcs12.clone();
    }

    /** True when certificates are checked as the JVM checks them and no client certificate is shown. */
    public boolean isDefault() {
        return (securityFlags & 0x1F) == 0 && trustedCertificates == null && clientPkcs12 == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsOptions t && t.securityFlags == securityFlags
                && java.util.Objects.equals(t.trustedCertificates, trustedCertificates)
                && Arrays.equals(t.clientPkcs12, clientPkcs12) && java.util.Objects.equals(t.clientPassword, clientPassword);
    }

    @Override
    public int hashCode() {
        return securityFlags * 31 + Arrays.hashCode(clientPkcs12);
    }

    /** No certificate bytes, no password. */
    @Override
    public String toString() {
        return "TlsOptions[flags=0x" + Integer.toHexString(securityFlags) + ", trusted=" + (trustedCertificates != null)
                + ", clientCertificate=" + (clientPkcs12 != null) + "]";
    }
}
