package org.jbits.transport;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP Digest access authentication as a client (RFC 7616): the {@code Authorization} (or
 * {@code Proxy-Authorization}) value that answers one {@code Digest} challenge. Algorithms MD5, SHA-256 and
 * SHA-512-256 and their {@code -sess} forms; qop {@code auth} (preferred) or {@code auth-int} (a GET has an empty
 * body), or none (RFC 2069 servers); {@code userhash}, {@code charset=UTF-8} and {@code opaque}. Pure functions of
 * their inputs, so the RFC's examples test them.
 *
 * <p>Written here rather than taken from okhttp-digest: that port of HttpClient 4.3 asks the JCA for the algorithm
 * by its HTTP name (so SHA-256 works by accident and SHA-256-sess not at all), keeps each challenge's state in
 * mutable fields of a shared authenticator, and brings a second header parser; OkHttp already parses challenges.
 */
final class DigestAuth {
    private DigestAuth() {
    }

    /** A challenge this client cannot answer (an unknown algorithm or qop, a missing nonce). */
    static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    /**
     * The header value answering {@code params} (the challenge's auth-params, names in lower case) for
     * {@code method} on {@code uri} (the request-target as sent).
     *
     * @param nc the nonce count (1 for a first answer)
     * @param cnonce the client nonce (random, from the caller)
     */
    static String answer(Map<String, String> params, String method, String uri, String user, String password,
            int nc, String cnonce) throws Unsupported {
        String realm = params.getOrDefault("realm", "");
        String nonce = params.get("nonce");
        if (nonce == null) {
            throw new Unsupported("the Digest challenge has no nonce");
        }
        String algorithm = params.getOrDefault("algorithm", "MD5");
        boolean sess = algorithm.toLowerCase(Locale.ROOT).endsWith("-sess");
        String base = sess ? algorithm.substring(0, algorithm.length() - 5) : algorithm;
        String jca = switch (base.toUpperCase(Locale.ROOT)) {
            case "MD5" -> "MD5";
            case "SHA-256" -> "SHA-256";
            case "SHA-512-256" -> "SHA-512/256";
            default -> throw new Unsupported("the Digest algorithm " + algorithm + " is not one of MD5, SHA-256, "
                    + "SHA-512-256 (RFC 7616)");
        };
        String qop = chooseQop(params.get("qop"));
        Charset cs = "UTF-8".equalsIgnoreCase(params.get("charset")) ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        boolean userhash = "true".equalsIgnoreCase(params.get("userhash"));
        String ncText = String.format(Locale.ROOT, "%08x", nc);

        String ha1 = h(jca, cs, user + ":" + realm + ":" + password);
        if (sess) {
            ha1 = h(jca, cs, ha1 + ":" + nonce + ":" + cnonce);
        }
        String a2 = method + ":" + uri + ("auth-int".equals(qop) ? ":" + h(jca, cs, "") : "");
        String ha2 = h(jca, cs, a2);
        String response = qop == null
                ? h(jca, cs, ha1 + ":" + nonce + ":" + ha2)
                : h(jca, cs, ha1 + ":" + nonce + ":" + ncText + ":" + cnonce + ":" + qop + ":" + ha2);

        StringBuilder b = new StringBuilder("Digest ");
        b.append("username=").append(quote(userhash ? h(jca, cs, user + ":" + realm) : user));
        b.append(", realm=").append(quote(realm));
        b.append(", nonce=").append(quote(nonce));
        b.append(", uri=").append(quote(uri));
        b.append(", response=").append(quote(response));
        b.append(", algorithm=").append(algorithm);
        if (qop != null) {
            b.append(", qop=").append(qop).append(", nc=").append(ncText).append(", cnonce=").append(quote(cnonce));
        }
        if (params.containsKey("opaque")) {
            b.append(", opaque=").append(quote(params.get("opaque")));
        }
        if (userhash) {
            b.append(", userhash=true");
        }
        return b.toString();
    }

    /** {@code auth} when offered, else {@code auth-int}; null when the server offers no qop (RFC 2069). */
    private static String chooseQop(String offered) throws Unsupported {
        if (offered == null) {
            return null;
        }
        boolean authInt = false;
        for (String q : offered.split(",")) {
            String t = q.trim().toLowerCase(Locale.ROOT);
            if (t.equals("auth")) {
                return "auth";
            }
            authInt |= t.equals("auth-int");
        }
        if (authInt) {
            return "auth-int";
        }
        throw new Unsupported("the Digest challenge offers qop '" + offered + "', neither auth nor auth-int");
    }

    private static String h(String jca, Charset cs, String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(jca).digest(text.getBytes(cs)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " is missing from this JVM", e);
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
