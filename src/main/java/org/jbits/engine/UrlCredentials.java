package org.jbits.engine;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.transport.Credentials;
import org.jbits.transport.Redacted;

/**
 * A remote name's {@code user:password@}: taken out of the name when the file is added, so the name that is
 * stored, logged and shown carries no secret, and kept as the file's credentials, which its transport answers the
 * server's challenge with (Basic for HTTP, NTLM for SMB).
 */
final class UrlCredentials {
    /** The remote name without its user information, and the credentials it carried (or null). */
    record Split(String remoteName, Credentials credentials) {
    }

    private UrlCredentials() {
    }

    static Split split(String remoteName) {
        int scheme = remoteName.indexOf("://");
        if (scheme < 0 || remoteName.startsWith("/")) {
            return new Split(remoteName, null);
        }
        URI uri;
        try {
            uri = new URI(remoteName);
        } catch (URISyntaxException e) {
            return new Split(remoteName, null);
        }
        String info = uri.getRawUserInfo();
        if (info == null) {
            return new Split(remoteName, null);
        }
        int colon = info.indexOf(':');
        String user = decode(colon < 0 ? info : info.substring(0, colon));
        String password = colon < 0 ? "" : decode(info.substring(colon + 1));
        String bare = remoteName.replaceFirst("://" + java.util.regex.Pattern.quote(info) + "@", "://");
        return new Split(bare, of(bare, user, password));
    }

    /** Credentials for {@code remoteName}'s scheme: NTLM for SMB, Basic otherwise. */
    static Credentials of(String remoteName, String user, String password) {
        String s = remoteName.toLowerCase(Locale.ROOT);
        Credentials.Scheme scheme = s.startsWith("smb:") ? Credentials.Scheme.NTLM : Credentials.Scheme.BASIC;
        return new Credentials(scheme, user, password == null ? "" : password);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL, "the user information of '"
                    + Redacted.text("x://" + s + "@") + "' is not valid percent-encoding");
        }
    }
}
