package org.jbits.transport;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Authenticator;
import okhttp3.Challenge;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;

/**
 * Answers a server's 401 (or a proxy's 407) with the job's credentials, as BITS does: only when challenged, never
 * ahead of one, with the strongest scheme the server offers that the job has credentials for (Negotiate, NTLM,
 * Digest, Basic: WinHTTP's order), and not again when the server refused them: the 401 or 407 then fails the job
 * (BG_E_HTTP_ERROR_401/407). NTLM's second round (the server's challenge message) and a Digest nonce the server
 * calls stale are answered once more; nothing else is.
 *
 * <p>Negotiate credentials answer NTLM too (Windows' Negotiate falls back to NTLM). A server that offers only
 * Negotiate needs Kerberos, which jbits does not speak: that fails at once with one clear error
 * ({@link Unavailable}) instead of a bare 401.
 */
final class HttpAuthenticator implements Authenticator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<Credentials> credentials;
    private final boolean proxy;

    /** Authentication that cannot be done here: the message names the scheme and what to do instead. */
    static final class Unavailable extends IOException {
        private static final long serialVersionUID = 1L;
        final boolean proxy;

        Unavailable(String message, boolean proxy) {
            super(message);
            this.proxy = proxy;
        }
    }

    HttpAuthenticator(List<Credentials> credentials, boolean proxy) {
        this.credentials = List.copyOf(credentials);
        this.proxy = proxy;
    }

    private String header() {
        return proxy ? "Proxy-Authorization" : "Authorization";
    }

    @Override
    public Request authenticate(Route route, Response response) throws IOException {
        if (credentials.isEmpty()) {
            return null;
        }
        Request request = response.request();
        String sent = request.header(header());
        List<Challenge> challenges = response.challenges();
        if (sent != null) {
            return again(request, sent, challenges, response);
        }
        Map<String, Challenge> offered = new HashMap<>();
        for (Challenge c : challenges) {
            offered.putIfAbsent(c.scheme().toLowerCase(Locale.ROOT), c);
        }
        Credentials negotiate = find(Credentials.Scheme.NEGOTIATE);
        Credentials ntlm = find(Credentials.Scheme.NTLM);
        if (ntlm == null) {
            ntlm = negotiate;
        }
        if (ntlm != null && offered.containsKey("ntlm")) {
            return with(request, NtlmAuth.negotiate("NTLM"));
        }
        Credentials digest = find(Credentials.Scheme.DIGEST);
        if (digest != null && offered.containsKey("digest")) {
            return with(request, digest(offered.get("digest"), request, digest, 1));
        }
        Credentials basic = find(Credentials.Scheme.BASIC);
        if (basic != null && offered.containsKey("basic")) {
            return with(request, okhttp3.Credentials.basic(basic.userName(), basic.password(),
                    offered.get("basic").charset()));
        }
        if (negotiate != null && offered.containsKey("negotiate")) {
            throw new Unavailable((proxy ? "the proxy" : "the server") + " asks for Negotiate (Kerberos)"
                    + " authentication only, and this machine has no Kerberos for jbits to answer with; give NTLM,"
                    + " Digest or Basic credentials, or have it offer NTLM", proxy);
        }
        // No credentials for what is offered: the 401/407 stands and fails the job.
        return null;
    }

    /** A second round: NTLM's challenge message, or a stale Digest nonce; anything else means refused. */
    private Request again(Request request, String sent, List<Challenge> challenges, Response response) throws IOException {
        String scheme = sent.substring(0, Math.max(0, sent.indexOf(' '))).toLowerCase(Locale.ROOT);
        for (Challenge c : challenges) {
            if (scheme.equals("ntlm") && c.scheme().equalsIgnoreCase("NTLM") && isNegotiateMessage(sent)) {
                String token = c.authParams().get(null);
                if (token != null) {
                    Credentials ntlm = find(Credentials.Scheme.NTLM);
                    if (ntlm == null) {
                        ntlm = find(Credentials.Scheme.NEGOTIATE);
                    }
                    return with(request, NtlmAuth.authenticate("NTLM", token, ntlm.userName(), ntlm.password()));
                }
            }
            if (scheme.equals("digest") && c.scheme().equalsIgnoreCase("Digest")
                    && "true".equalsIgnoreCase(c.authParams().get("stale")) && priorCount(response) < 3) {
                return with(request, digest(c, request, find(Credentials.Scheme.DIGEST), 1));
            }
        }
        return null;
    }

    /** Whether the NTLM header sent was the first message (type 1), so a type-2 challenge may follow. */
    private static boolean isNegotiateMessage(String sent) {
        try {
            byte[] m = Base64.getDecoder().decode(sent.substring(sent.indexOf(' ') + 1).trim());
            return m.length > 12 && m[8] == 1;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int priorCount(Response response) {
        int n = 0;
        for (Response r = response.priorResponse(); r != null; r = r.priorResponse()) {
            n++;
        }
        return n;
    }

    private String digest(Challenge c, Request request, Credentials cred, int nc) throws IOException {
        Map<String, String> params = new HashMap<>();
        c.authParams().forEach((k, v) -> {
            if (k != null) {
                params.put(k.toLowerCase(Locale.ROOT), v);
            }
        });
        // Through a proxy a plain-HTTP request-target is the absolute URL; to a server, the path and query.
        String uri = proxy && !request.isHttps() ? request.url().toString()
                : request.url().encodedPath() + (request.url().encodedQuery() == null ? "" : "?" + request.url().encodedQuery());
        if (proxy && request.method().equals("CONNECT")) {
            uri = request.url().host() + ":" + request.url().port();
        }
        byte[] cnonce = new byte[16];
        RANDOM.nextBytes(cnonce);
        try {
            return DigestAuth.answer(params, request.method(), uri, cred.userName(), cred.password(), nc,
                    java.util.HexFormat.of().formatHex(cnonce));
        } catch (DigestAuth.Unsupported e) {
            throw new Unavailable((proxy ? "the proxy's " : "the server's ") + e.getMessage(), proxy);
        }
    }

    private Credentials find(Credentials.Scheme scheme) {
        for (Credentials c : credentials) {
            if (c.scheme() == scheme) {
                return c;
            }
        }
        return null;
    }

    private Request with(Request request, String value) {
        return request.newBuilder().header(header(), value).build();
    }
}
