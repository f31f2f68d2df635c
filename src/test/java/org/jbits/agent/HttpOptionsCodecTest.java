package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jbits.AuthScheme;
import org.jbits.AuthTarget;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobType;
import org.jbits.SecurityFlags;
import org.junit.jupiter.api.Test;

/**
 * The HTTP options on the wire: they survive a round trip in {@code submit}, {@code set} and {@code addFile}
 * (expected hashes), are read as strictly as every other field, and no {@code toString} of a request shows a
 * password, a header's value or a key.
 */
class HttpOptionsCodecTest {
    private static final String PASSWORD = "s3cret-Pw";
    private static final HttpOptions ALL = new HttpOptions(
            List.of(new HttpOptions.Credential(AuthTarget.SERVER, AuthScheme.DIGEST, "dave", PASSWORD),
                    new HttpOptions.Credential(AuthTarget.PROXY, AuthScheme.NTLM, "DOM\\bob", "other-" + PASSWORD)),
            List.of("X-Token: tok-value", "X-Two: 2"), true,
            SecurityFlags.IGNORE_UNKNOWN_CA | SecurityFlags.REDIRECT_POLICY_DISALLOW, "-----BEGIN CERTIFICATE-----",
            new HttpOptions.ClientCertificate(new byte[]{1, 2, 3, 0, (byte) 0xFF}, "p12-" + PASSWORD));

    private static Request roundTrip(Request r) {
        byte[] line = RequestCodec.line(r);
        return RequestCodec.decode(line, line.length - 1);
    }

    @Test
    void httpOptionsAndExpectedHashesSurviveARoundTrip() {
        List<Request> all = List.of(
                new Request.Submit(JobType.DOWNLOAD, JobProperties.NONE,
                        List.of(new Request.NewFile("http://h/a", "/a", "ab".repeat(32)), new Request.NewFile("http://h/b", "/b")),
                        false, 0644, ALL),
                new Request.Set("j", JobProperties.NONE, ALL),
                new Request.Set("j", JobProperties.NONE, new HttpOptions(null, List.of(), false, 0, "", null)),
                new Request.AddFile("j", "http://h/x", "/x", "CD".repeat(32)));
        for (Request r : all) {
            assertEquals(r, roundTrip(r), r.toString());
        }
    }

    @Test
    void noToStringShowsASecret() {
        String shown = new Request.Set("j", JobProperties.NONE, ALL).toString()
                + new Request.Submit(JobType.DOWNLOAD, JobProperties.NONE, List.of(new Request.NewFile("r", "/l")), false,
                null, ALL);
        assertFalse(shown.contains(PASSWORD), shown);
        assertFalse(shown.contains("tok-value"), shown);
        assertTrue(shown.contains("dave"), "the user name is not a secret: " + shown);
    }

    @Test
    void theFieldsAreReadStrictly() {
        String start = "{\"op\":\"set\",\"job\":\"j\",\"properties\":";
        refused(start + "{\"securityFlags\":\"8\"}}", "securityFlags");
        refused(start + "{\"securityFlags\":-1}}", "securityFlags");
        refused(start + "{\"customHeaders\":\"X: y\"}}", "customHeaders");
        refused(start + "{\"customHeadersWriteOnly\":1}}", "customHeadersWriteOnly");
        refused(start + "{\"credentials\":[{\"target\":\"server\",\"scheme\":\"Basic\"}]}}", "target");
        refused(start + "{\"credentials\":[{\"scheme\":\"Basic\"}]}}", "target");
        refused(start + "{\"credentials\":[{\"target\":\"Server\",\"scheme\":\"Basic\",\"pw\":\"x\"}]}}", "pw");
        refused(start + "{\"clientCertificate\":{\"pkcs12\":\"!!\"}}}", "base64");
        refused(start + "{\"clientCertificate\":{\"password\":\"x\"}}}", "pkcs12");
        refused("{\"op\":\"addFile\",\"job\":\"j\",\"remote\":\"r\",\"local\":\"/l\",\"expectedSha256\":1}", "expectedSha256");
    }

    @Test
    void checkRefusesWhatBitsWouldWithoutRepeatingSecrets() {
        String longPassword = "x".repeat(257);
        BitsException e = assertThrows(BitsException.class, () -> new HttpOptions(List.of(new HttpOptions.Credential(
                AuthTarget.SERVER, AuthScheme.BASIC, "u", longPassword)), null, false, null, null, null).check());
        assertEquals(HResult.BG_E_PASSWORD_TOO_LARGE, e.hresult());
        assertFalse(e.detail().contains("xxxx"), e.detail());
        e = assertThrows(BitsException.class, () -> new HttpOptions(List.of(
                new HttpOptions.Credential(AuthTarget.SERVER, AuthScheme.BASIC, "u", "a"),
                new HttpOptions.Credential(AuthTarget.SERVER, AuthScheme.BASIC, "v", "b")), null, false, null, null, null).check());
        assertTrue(e.detail().contains("one per target and scheme"), e.detail());
        e = assertThrows(BitsException.class, () -> new HttpOptions(null, List.of("X-A: secret-value\r\nX-B: c"), false,
                null, null, null).check());
        assertFalse(e.detail().contains("secret-value"), e.detail());
        e = assertThrows(BitsException.class, () -> new HttpOptions(null, null, false, null, "not pem", null).check());
        assertEquals(HResult.E_INVALIDARG, e.hresult());
        e = assertThrows(BitsException.class, () -> new HttpOptions(null, null, false, null, null,
                new HttpOptions.ClientCertificate(new byte[]{1, 2}, PASSWORD)).check());
        assertFalse(e.detail().contains(PASSWORD), e.detail());
    }

    private static void refused(String line, String needle) {
        BitsException e = assertThrows(BitsException.class, () -> RequestCodec.decode(line), line);
        assertEquals(HResult.E_INVALIDARG, e.hresult(), line + " -> " + e.detail());
        assertTrue(e.detail().contains(needle), line + " -> " + e.detail());
    }
}
