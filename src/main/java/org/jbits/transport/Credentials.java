package org.jbits.transport;

import java.util.Objects;

/**
 * A user name and password for a server or a proxy, and the scheme to answer its challenge with (BITS'
 * {@code BG_AUTH_CREDENTIALS}). The password is never shown: {@link #toString()} gives the user and scheme only.
 */
public record Credentials(Scheme scheme, String userName, String password) {
    /** BITS' authentication schemes ({@code BG_AUTH_SCHEME}) that a transport may answer with. */
    public enum Scheme {
        BASIC, DIGEST, NTLM, NEGOTIATE
    }

    public Credentials {
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(userName);
        Objects.requireNonNull(password);
    }

    @Override
    public String toString() {
        return scheme + " credentials for '" + userName + "'";
    }
}
