package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Digest answers of RFC 7616 §3.9.1 (the "Mufasa" example), for MD5 and SHA-256, and what is refused. */
class DigestAuthTest {
    private static final Map<String, String> CHALLENGE = Map.of(
            "realm", "http-auth@example.org", "qop", "auth, auth-int",
            "nonce", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            "opaque", "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
    private static final String CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    private static String answer(String algorithm) throws Exception {
        Map<String, String> c = new java.util.HashMap<>(CHALLENGE);
        c.put("algorithm", algorithm);
        return DigestAuth.answer(c, "GET", "/dir/index.html", "Mufasa", "Circle of Life", 1, CNONCE);
    }

    @Test
    void md5MatchesTheRfcExample() throws Exception {
        String a = answer("MD5");
        assertTrue(a.contains("response=\"8ca523f5e9506fed4657c9700eebdbec\""), a);
        assertTrue(a.contains("qop=auth,") && a.contains("nc=00000001") && a.contains("opaque=\"FQhe/"), a);
    }

    @Test
    void sha256MatchesTheRfcExample() throws Exception {
        String a = answer("SHA-256");
        assertTrue(a.contains("response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""), a);
        assertTrue(a.contains("algorithm=SHA-256"), a);
    }

    @Test
    void anUnknownAlgorithmOrQopIsRefused() {
        assertThrows(DigestAuth.Unsupported.class, () -> answer("SHA-1"));
        assertThrows(DigestAuth.Unsupported.class, () -> DigestAuth.answer(Map.of("nonce", "n", "qop", "auth-conf"),
                "GET", "/", "u", "p", 1, "c"));
        assertThrows(DigestAuth.Unsupported.class, () -> DigestAuth.answer(Map.of("realm", "r"), "GET", "/", "u", "p", 1, "c"));
    }
}
