package org.jbits.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * HTTP Basic authentication against a fixed set of users: {@code user:password} pairs, read from a file (one a line,
 * {@code #} comments) or from one environment variable, never from the command line. Passwords are kept only as
 * SHA-256 digests and compared in constant time. Basic sends the password in the clear: use it over HTTPS.
 */
final class BasicAuth {
    private final Map<String, byte[]> digests;

    private BasicAuth(Map<String, byte[]> digests) {
        if (digests.isEmpty()) {
            throw new IllegalArgumentException("no user:password pair was given for Basic authentication");
        }
        this.digests = Map.copyOf(digests);
    }

    static BasicAuth of(Map<String, String> users) {
        Map<String, byte[]> d = new HashMap<>();
        users.forEach((u, p) -> d.put(u, digest(p)));
        return new BasicAuth(d);
    }

    /** The pairs in {@code text}: one {@code user:password} a line; blank lines and {@code #} comments are skipped. */
    static BasicAuth parse(String text, String source) {
        Map<String, byte[]> d = new HashMap<>();
        for (String line : text.split("\r?\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(source + ": a line is not user:password");
            }
            d.put(l.substring(0, colon), digest(l.substring(colon + 1)));
        }
        return new BasicAuth(d);
    }

    static BasicAuth fromFile(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Whether an {@code Authorization} header names a known user with the right password. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        byte[] expected = digests.get(decoded.substring(0, colon));
        byte[] given = digest(decoded.substring(colon + 1));
        // Compared even for an unknown user, so the time taken does not tell which users exist.
        return MessageDigest.isEqual(expected != null ? expected : new byte[given.length], given) && expected != null;
    }

    private static byte[] digest(String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
