package org.jbits.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jbits.AuthScheme;
import org.jbits.AuthTarget;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.BitsLimits;
import org.jbits.HResult;

/**
 * The JSON names of {@link HttpOptions}: fields of a request's {@code properties} object, beside those of
 * {@link JobPropertiesJson}; and what the job object shows of them, which is never a secret (no password, no value
 * of write-only headers, no key).
 */
final class HttpOptionsJson {
    private static final String CREDENTIALS = "credentials";
    private static final String CUSTOM_HEADERS = "customHeaders";
    private static final String WRITE_ONLY = "customHeadersWriteOnly";
    private static final String SECURITY_FLAGS = "securityFlags";
    private static final String TRUSTED = "trustedCertificates";
    private static final String CLIENT_CERTIFICATE = "clientCertificate";

    private HttpOptionsJson() {
    }

    /** Writes the given options into a request's properties object. */
    static void write(HttpOptions h, ObjectNode o) {
        if (h.credentials() != null) {
            ArrayNode a = o.putArray(CREDENTIALS);
            for (HttpOptions.Credential c : h.credentials()) {
                ObjectNode co = a.addObject().put("target", c.target().displayName())
                        .put("scheme", c.scheme().displayName());
                if (c.userName() != null) {
                    co.put("userName", c.userName());
                }
                if (c.password() != null) {
                    co.put("password", c.password());
                }
            }
        }
        if (h.customHeaders() != null) {
            h.customHeaders().forEach(o.putArray(CUSTOM_HEADERS)::add);
        }
        if (h.customHeadersWriteOnly()) {
            o.put(WRITE_ONLY, true);
        }
        if (h.securityFlags() != null) {
            o.put(SECURITY_FLAGS, h.securityFlags());
        }
        if (h.trustedCertificates() != null) {
            o.put(TRUSTED, h.trustedCertificates());
        }
        if (h.clientCertificate() != null) {
            o.putObject(CLIENT_CERTIFICATE)
                    .put("pkcs12", Base64.getEncoder().encodeToString(h.clientCertificate().pkcs12()))
                    .put("password", h.clientCertificate().password());
        }
    }

    /** Reads the options from a request's properties object, strictly (the caller refuses the other fields). */
    static HttpOptions read(JsonFields f) {
        List<HttpOptions.Credential> creds = null;
        List<JsonFields> cs = f.objects(CREDENTIALS);
        if (cs != null) {
            creds = new ArrayList<>(cs.size());
            for (JsonFields c : cs) {
                AuthTarget target = c.oneOf("target", AuthTarget.values(), AuthTarget::displayName);
                AuthScheme scheme = c.oneOf("scheme", AuthScheme.values(), AuthScheme::displayName);
                if (target == null || scheme == null) {
                    throw new BitsException(HResult.E_INVALIDARG, "each credential needs a 'target' and a 'scheme'");
                }
                creds.add(new HttpOptions.Credential(target, scheme, c.string("userName"), c.string("password")));
                c.refuseOthers();
            }
        }
        List<String> headers = f.strings(CUSTOM_HEADERS);
        boolean writeOnly = f.bool(WRITE_ONLY, false);
        Long flags = f.wholeNumber(SECURITY_FLAGS);
        if (flags != null && (flags < 0 || flags > BitsLimits.MAX_ULONG)) {
            throw new BitsException(HResult.E_INVALIDARG, "the 'securityFlags' field is a ULONG (0 to "
                    + BitsLimits.MAX_ULONG + "), not " + flags);
        }
        String trusted = f.string(TRUSTED);
        HttpOptions.ClientCertificate cert = null;
        JsonFields cc = f.object(CLIENT_CERTIFICATE);
        if (cc != null) {
            String b64 = cc.requiredString("pkcs12");
            String password = cc.string("password");
            cc.refuseOthers();
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                throw new BitsException(HResult.E_INVALIDARG, "the 'pkcs12' field of 'clientCertificate' is not base64");
            }
            cert = new HttpOptions.ClientCertificate(bytes, password == null ? "" : password);
        }
        return new HttpOptions(creds, headers, writeOnly, flags == null ? null : (int) (long) flags, trusted, cert);
    }

    /**
     * What the job object shows: the custom headers ({@code null} when the job has none, when they are write-only,
     * or where the backend has none), whether they are write-only, the security flags, the subjects of the trusted
     * authorities and of the client certificate. A property the backend does not implement is null.
     */
    static void writeCurrent(BitsJob job, ObjectNode o) {
        ArrayNode headers = null;
        boolean writeOnly = false;
        try {
            String h = JobJson.optional(job::customHeaders);
            if (h != null) {
                headers = o.arrayNode();
                for (String line : h.split("\r\n")) {
                    if (!line.isEmpty()) {
                        headers.add(line);
                    }
                }
            }
        } catch (BitsException e) {
            if (e.hresult() != HResult.E_ACCESSDENIED) {
                throw e;
            }
            writeOnly = true;
        }
        o.set(CUSTOM_HEADERS, headers);
        o.put(WRITE_ONLY, writeOnly);
        o.put(SECURITY_FLAGS, JobJson.optional(job::securityFlags));
        String pem = JobJson.optional(job::trustedCertificates);
        if (pem == null) {
            o.putNull(TRUSTED);
        } else {
            ArrayNode a = o.putArray(TRUSTED);
            try {
                BitsLimits.checkTrustedCertificates(pem)
                        .forEach(c -> a.add(c.getSubjectX500Principal().getName()));
            } catch (BitsException unreadable) {
                a.add("(unreadable)");
            }
        }
        o.put(CLIENT_CERTIFICATE, JobJson.optional(job::clientCertificateSubject));
    }
}
