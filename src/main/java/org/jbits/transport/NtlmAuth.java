package org.jbits.transport;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Properties;
import jcifs.CIFSContext;
import jcifs.CIFSException;
import jcifs.config.PropertyConfiguration;
import jcifs.context.BaseContext;
import jcifs.ntlmssp.Type1Message;
import jcifs.ntlmssp.Type2Message;
import jcifs.ntlmssp.Type3Message;

/**
 * NTLM over HTTP (MS-NTHT): the negotiate message that answers a bare {@code NTLM} challenge, and the authenticate
 * message (NTLMv2) that answers the server's challenge message, both from jcifs-ng's NTLMSSP classes, the
 * implementation the SMB transport already uses. The three messages must travel on one connection; OkHttp keeps a
 * connection whose response body was read, which an authentication challenge's is.
 */
final class NtlmAuth {
    /** One context for every handshake: jcifs-ng's defaults (NTLMv2, lmCompatibility 3), no SMB settings used. */
    private static final CIFSContext CONTEXT = context();

    private NtlmAuth() {
    }

    private static CIFSContext context() {
        Properties p = new Properties();
        p.setProperty("jcifs.smb.lmCompatibility", "3");
        try {
            return new BaseContext(new PropertyConfiguration(p));
        } catch (CIFSException e) {
            throw new IllegalStateException("jcifs-ng cannot be configured for NTLM", e);
        }
    }

    /** The {@code NTLM <negotiate message>} value. */
    static String negotiate(String scheme) {
        Type1Message t1 = new Type1Message(CONTEXT, Type1Message.getDefaultFlags(CONTEXT), null, null);
        return scheme + " " + Base64.getEncoder().encodeToString(t1.toByteArray());
    }

    /**
     * The {@code NTLM <authenticate message>} value for the server's challenge message {@code token} (base64). The
     * user may be {@code DOMAIN\\user}; without a domain the server's is used.
     */
    static String authenticate(String scheme, String token, String user, String password) throws IOException {
        Type2Message t2;
        try {
            t2 = new Type2Message(Base64.getDecoder().decode(token.trim()));
        } catch (IllegalArgumentException e) {
            throw new IOException("the server's NTLM challenge is not base64", e);
        }
        String domain = "";
        String name = user;
        int slash = user.indexOf('\\');
        if (slash >= 0) {
            domain = user.substring(0, slash);
            name = user.substring(slash + 1);
        }
        try {
            Type3Message t3 = new Type3Message(CONTEXT, t2, null, password, domain, name, "", Type3Message.getDefaultFlags(CONTEXT, t2));
            return scheme + " " + Base64.getEncoder().encodeToString(t3.toByteArray());
        } catch (GeneralSecurityException | CIFSException e) {
            throw new IOException("cannot answer the server's NTLM challenge: " + e.getMessage(), e);
        }
    }
}
