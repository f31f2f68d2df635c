package org.jbits.agent;

import java.util.Arrays;
import java.util.List;
import org.jbits.AuthScheme;
import org.jbits.AuthTarget;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.BitsLimits;
import org.jbits.HResult;

/**
 * The HTTP options of a job that {@code jbits start} and {@code jbits set} give besides its {@link JobProperties}:
 * credentials for the server and the proxy, custom headers, the security flags, the authorities to trust and a
 * client certificate. Every component is null (or false) when not given, and then left as it is. Kept apart from
 * {@link JobProperties} because it holds secrets: its {@link #toString()} shows none, no getter of a job gives them
 * back, and {@link RequestHandler} logs only a request's name.
 *
 * <p>Unlike {@link PropertyUpdate}'s properties these cannot be put back when a later one fails (BITS has no
 * GetCredentials), so they are {@linkplain #check checked} in full first and applied last.
 *
 * @param credentials the credentials to set (each replaces the job's one for its target and scheme), or null
 * @param customHeaders the custom header lines ({@code Name: value}, no CRLF); empty removes them; null: unchanged
 * @param customHeadersWriteOnly make the custom headers write-only (for good)
 * @param securityFlags the HTTP security flags, or null
 * @param trustedCertificates PEM certificates of authorities to trust besides the system's; empty removes them
 * @param clientCertificate a PKCS#12 client certificate, or null
 */
public record HttpOptions(List<Credential> credentials, List<String> customHeaders, boolean customHeadersWriteOnly,
        Integer securityFlags, String trustedCertificates, ClientCertificate clientCertificate) {

    /** No option given. */
    public static final HttpOptions NONE = new HttpOptions(null, null, false, null, null, null);

    /** Copies the lists. */
    public HttpOptions {
        credentials = credentials == null ? null : List.copyOf(credentials);
        customHeaders = customHeaders == null ? null : List.copyOf(customHeaders);
    }

    /**
     * One credential ({@code BG_AUTH_CREDENTIALS}).
     *
     * @param target server or proxy
     * @param scheme the scheme it answers
     * @param userName the user name ({@code DOMAIN\\user} for NTLM)
     * @param password the password: never shown
     */
    public record Credential(AuthTarget target, AuthScheme scheme, String userName, String password) {
        /** The target, scheme and user; never the password. */
        @Override
        public String toString() {
            return "Credential[" + target + ", " + scheme + ", " + userName + ", password ***]";
        }
    }

    /**
     * A client certificate: a PKCS#12 file's bytes and its password.
     *
     * @param pkcs12 the file's bytes (read by the CLI as the caller, so the agent never opens a file on its behalf)
     * @param password the file's password (empty for none): never shown
     */
    public record ClientCertificate(byte[] pkcs12, String password) {
        /** Copies the bytes. */
        public ClientCertificate {
            pkcs12 = pkcs12.clone();
        }

        @Override
        public byte[] pkcs12() {
            return pkcs12.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClientCertificate c && Arrays.equals(pkcs12, c.pkcs12)
                    && java.util.Objects.equals(password, c.password);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(pkcs12);
        }

        /** The size only. */
        @Override
        public String toString() {
            return "ClientCertificate[" + pkcs12.length + " bytes, password ***]";
        }
    }

    /** True when no option is given. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /** Names what is given, never a secret or a header value. */
    @Override
    public String toString() {
        return "HttpOptions[credentials=" + credentials + ", customHeaders="
                + (customHeaders == null ? null : customHeaders.size() + " lines") + ", writeOnly="
                + customHeadersWriteOnly + ", securityFlags=" + securityFlags + ", trustedCertificates="
                + (trustedCertificates == null ? null : "PEM") + ", clientCertificate=" + clientCertificate + "]";
    }

    /** The custom headers as SetCustomHeaders takes them: CRLF-ended lines, or null to remove them. */
    public String headerText() {
        if (customHeaders == null || customHeaders.isEmpty()) {
            return null;
        }
        return String.join("\r\n", customHeaders) + "\r\n";
    }

    /**
     * Checks every given value with BITS' rules ({@link BitsLimits}), so that a value the backend would refuse is
     * refused before anything is created or changed; the messages never repeat a password or a header's value.
     */
    public void check() {
        if (credentials != null) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Credential c : credentials) {
                BitsLimits.checkCredentials(c.target(), c.scheme(), c.userName(), c.password());
                if (!seen.add(c.target() + "/" + c.scheme())) {
                    throw new BitsException(HResult.E_INVALIDARG, "two credentials for the "
                            + c.target().displayName().toLowerCase(java.util.Locale.ROOT) + " with scheme "
                            + c.scheme().displayName() + "; a job holds one per target and scheme");
                }
            }
        }
        if (customHeaders != null) {
            for (String line : customHeaders) {
                if (line.isEmpty()) {
                    throw new BitsException(HResult.E_INVALIDARG, "a custom header is empty; give 'Name: value'");
                }
                if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                    throw new BitsException(HResult.E_INVALIDARG, "a custom header contains a CR or LF; each"
                            + " header is one line");
                }
            }
            BitsLimits.checkCustomHeaders(headerText());
        }
        if (securityFlags != null) {
            BitsLimits.checkSecurityFlags(securityFlags);
        }
        if (trustedCertificates != null && !trustedCertificates.isEmpty()) {
            BitsLimits.checkTrustedCertificates(trustedCertificates);
        }
        if (clientCertificate != null) {
            BitsLimits.checkClientCertificate(clientCertificate.pkcs12, clientCertificate.password);
        }
    }

    /** Sets every given option on {@code job} (after {@link #check}): each call is the backend's own. */
    public void apply(BitsJob job) {
        if (credentials != null) {
            for (Credential c : credentials) {
                job.setCredentials(c.target(), c.scheme(), c.userName(), c.password());
            }
        }
        if (customHeaders != null) {
            job.setCustomHeaders(headerText());
        }
        if (customHeadersWriteOnly) {
            job.makeCustomHeadersWriteOnly();
        }
        if (securityFlags != null) {
            job.setSecurityFlags(securityFlags);
        }
        if (trustedCertificates != null) {
            job.setTrustedCertificates(trustedCertificates.isEmpty() ? null : trustedCertificates);
        }
        if (clientCertificate != null) {
            job.setClientCertificate(clientCertificate.pkcs12, clientCertificate.password);
        }
    }
}
