package org.jbits.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jbits.AuthScheme;
import org.jbits.AuthTarget;
import org.jbits.transport.Credentials;

/** A job's SetCredentials as the transports take them: BITS' schemes as the transport's, one list per target. */
final class JobCredentials {
    private JobCredentials() {
    }

    /** A stored credential; PASSPORT never reaches the store (the engine refuses it). */
    static Credentials of(AuthScheme scheme, String user, String password) {
        return new Credentials(Credentials.Scheme.valueOf(scheme.name()), user == null ? "" : user,
                password == null ? "" : password);
    }

    /** The job's credentials for {@code target}, strongest scheme first. Call with the engine lock held. */
    static List<Credentials> forTarget(JobRecord rec, AuthTarget target) {
        Map<AuthScheme, Credentials> m = rec.credentials.get(target);
        return m == null ? List.of() : new ArrayList<>(m.values());
    }
}
