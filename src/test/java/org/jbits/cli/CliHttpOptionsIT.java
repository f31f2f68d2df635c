package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jbits.testing.Cli;
import org.jbits.testing.NginxServer;
import org.jbits.testing.SquidServer;
import org.jbits.testing.TestCa;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP options end to end, through the packaged CLI and its real agent: credentials against nginx's auth_basic
 * (password on standard input, never in argv, output, the job object or the agent's log; only in the 0600 store),
 * a proxy's Basic credentials through squid, the caller's {@code http_proxy} reaching the agent it starts, custom
 * headers an nginx location insists on (write-only: never shown again), a private CA with {@code --ca-file}, a
 * PKCS#12 client certificate through nginx's {@code ssl_verify_client}, {@code --expected-sha256} matched (shown in
 * {@code get}) and mismatched (BG_E_VALIDATION_FAILED, nothing under the name), and the input errors of these
 * options (and of the numbers and lists they come with): one line, its BITS code, exit 2, nothing created.
 */
class CliHttpOptionsIT {
    private static final Pattern CODE_AT_END = Pattern.compile("\\[[A-Z][A-Z0-9_]+ 0x[0-9A-F]{8}]$");
    private static final String USER = "dave";
    private static final String PASSWORD = "basic-Cli-Pw7";
    private static final String TOKEN = "tok-Secret-8";
    private static final byte[] CONTENT = TestData.random(40_000, 11);

    static NginxServer nginx;
    static NginxServer tls;
    static NginxServer clientAuth;
    static Path htpasswd;

    @TempDir
    Path tmp;
    Cli cli;
    Path dest;

    @BeforeAll
    static void start() throws Exception {
        htpasswd = Files.createTempFile("jbits-htpasswd-", "");
        Process p = new ProcessBuilder("openssl", "passwd", "-apr1", PASSWORD).start();
        String hash = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        p.waitFor();
        Files.writeString(htpasswd, USER + ":" + hash + "\n");
        nginx = NginxServer.builder().extraServerConfig("location /basic/ { auth_basic jbits; auth_basic_user_file "
                + htpasswd + "; }\nlocation /hdr/ { if ($http_x_token != \"" + TOKEN + "\") { return 403; } }\n").start();
        TestCa ca = TestCa.shared();
        tls = NginxServer.builder().tls(ca.certificate("good"), ca.key("good")).start();
        clientAuth = NginxServer.builder().tls(ca.certificate("good"), ca.key("good"))
                .extraServerConfig("ssl_client_certificate " + ca.caCertificate() + "; ssl_verify_client on;").start();
        for (String path : List.of("basic/f.bin", "hdr/f.bin", "f.bin", "env/f.bin")) {
            nginx.put(path, CONTENT);
        }
        tls.put("f.bin", CONTENT);
        clientAuth.put("f.bin", CONTENT);
    }

    @AfterAll
    static void stop() throws IOException {
        for (NginxServer n : new NginxServer[]{nginx, tls, clientAuth}) {
            if (n != null) {
                n.close();
            }
        }
        Files.deleteIfExists(htpasswd);
    }

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp.resolve("home"));
        dest = Files.createDirectories(tmp.resolve("dest"));
    }

    @AfterEach
    void tearDown() {
        cli.close();
    }

    private static String sha(byte[] b) {
        return TestData.sha256(b);
    }

    private Cli.Result run(String stdin, String... args) {
        return cli.runWithInput(Map.of(), stdin, args);
    }

    private static void assertOk(Cli.Result r) {
        assertEquals(0, r.exit(), r::toString);
    }

    /** Refused as bad input: exit 2, one stderr line with {@code needle} ending in its code, nothing printed. */
    private void assertRefused(Cli.Result r, String needle, String what) throws IOException {
        assertEquals(2, r.exit(), what + " -> " + r);
        assertEquals(1, r.errLines().size(), "one line: " + what + " -> " + r);
        assertTrue(r.errLines().get(0).contains(needle), what + " -> " + r);
        assertTrue(CODE_AT_END.matcher(r.errLines().get(0)).find(), what + " -> " + r);
        assertEquals("", r.out(), what + " -> " + r);
        assertEquals(List.of(), list(dest), "nothing created: " + what);
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Every file of the state directory but the job store, as text: where a secret must never be. */
    private String stateTexts() throws IOException {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> s = Files.walk(cli.home())) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (!p.getFileName().toString().startsWith("jobs.db")) {
                    b.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                }
            }
        }
        return b.toString();
    }

    @Test
    void basicCredentialsFromStandardInputFetchTheFileAndThePasswordIsShownNowhere() throws Exception {
        Path out = dest.resolve("basic.bin");
        List<Cli.Result> all = new ArrayList<>();
        Cli.Result r = run(PASSWORD + "\n", "start", "--credential", USER, "--authentication", "basic",
                "--password-stdin", nginx.url("/basic/f.bin").toString(), out.toString());
        all.add(r);
        assertOk(r);
        assertEquals(sha(CONTENT), TestData.sha256(out));

        Cli.Result async = run(PASSWORD + "\n", "start", "--async", "--json", "--suspended", "--display-name", "kept",
                "--credential", USER, "--authentication", "basic", "--password-stdin",
                nginx.url("/basic/f.bin").toString(), dest.resolve("kept.bin").toString());
        all.add(async);
        assertOk(async);
        Cli.Result get = cli.run("get", "--json");
        all.add(get);
        assertOk(get);
        all.add(cli.run("get"));
        all.add(cli.run("set", "kept", "--priority", "low", "--json"));

        Cli.Result wrong = run("not-" + PASSWORD + "\n", "start", "--credential", USER, "--authentication", "basic",
                "--password-stdin", nginx.url("/basic/f.bin").toString(), dest.resolve("wrong.bin").toString());
        all.add(wrong);
        assertEquals(1, wrong.exit(), wrong::toString);
        assertTrue(wrong.err().contains("BG_E_HTTP_ERROR_401"), wrong::toString);
        assertFalse(Files.exists(dest.resolve("wrong.bin")));

        for (Cli.Result x : all) {
            assertFalse(x.out().contains(PASSWORD) || x.err().contains(PASSWORD), () -> "password shown: " + x);
        }
        assertFalse(stateTexts().contains(PASSWORD), "the password is in a state file other than the store");
        Path store = cli.home().resolve("jobs.db");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
    }

    @Test
    void aProxysBasicCredentialsThroughSquidAndTheCallersHttpProxyReachesTheAgentItStarts() throws Exception {
        SquidServer squid = SquidServer.shared();
        Path viaList = dest.resolve("list.bin");
        Cli.Result r = run(SquidServer.BASIC_PASSWORD + "\n", "start", "--proxy-usage", "override", "--proxy-list",
                "127.0.0.1:" + squid.port(), "--proxy-credential", SquidServer.BASIC_USER, "--proxy-authentication",
                "basic", "--password-stdin", nginx.url("f.bin").toString(), viaList.toString());
        assertOk(r);
        assertEquals(sha(CONTENT), TestData.sha256(viaList));
        assertTrue(squid.accessLog().stream().anyMatch(l -> l.contains("GET " + nginx.url("f.bin"))
                && l.contains(SquidServer.BASIC_USER) && l.contains("/200 ")), () -> String.join("\n", squid.accessLog()));
        cli.run("agent", "stop");

        // A new agent, started by a CLI whose environment names the open proxy: system-default uses it.
        Cli env = new Cli(tmp.resolve("home-env"));
        try {
            String url = nginx.url("env/f.bin").toString();
            Cli.Result viaEnv = env.runWithInput(Map.of("http_proxy", "http://127.0.0.1:" + squid.openPort(),
                    "no_proxy", ""), null, "start", url, dest.resolve("env.bin").toString());
            assertOk(viaEnv);
            assertTrue(squid.accessLog().stream().anyMatch(l -> l.contains("GET " + url) && l.contains("/200 ")),
                    () -> "through the environment's proxy:\n" + String.join("\n", squid.accessLog()));
            Cli.Result noProxy = env.run("start", "--proxy-usage", "no-proxy", nginx.url("f.bin").toString(),
                    dest.resolve("direct.bin").toString());
            assertOk(noProxy);
        } finally {
            env.close();
        }
    }

    @Test
    void writeOnlyCustomHeadersAreSentAndNeverShownAgain() throws Exception {
        Cli.Result without = cli.run("start", nginx.url("/hdr/f.bin").toString(), dest.resolve("no.bin").toString());
        assertEquals(1, without.exit(), without::toString);
        assertTrue(without.err().contains("BG_E_HTTP_ERROR_403"), without::toString);
        cli.run("remove", "BITS Transfer");

        Cli.Result shown = cli.run("start", "--async", "--json", "--suspended", "--display-name", "shown",
                "--custom-header", "X-Token: " + TOKEN, "--custom-header", "X-Other: two",
                nginx.url("/hdr/f.bin").toString(), dest.resolve("shown.bin").toString());
        assertOk(shown);
        assertEquals("[\"X-Token: " + TOKEN + "\",\"X-Other: two\"]", shown.json().get("customHeaders").toString());
        cli.run("remove", "shown");

        Path out = dest.resolve("hdr.bin");
        Cli.Result r = cli.run("start", "--custom-header", "X-Token: " + TOKEN, "--custom-headers-write-only",
                nginx.url("/hdr/f.bin").toString(), out.toString());
        assertOk(r);
        assertEquals(sha(CONTENT), TestData.sha256(out));

        Cli.Result hidden = cli.run("start", "--async", "--json", "--suspended", "--display-name", "hidden",
                "--custom-header", "X-Token: " + TOKEN, "--custom-headers-write-only",
                nginx.url("/hdr/f.bin").toString(), dest.resolve("hidden.bin").toString());
        assertOk(hidden);
        JsonNode job = hidden.json();
        assertTrue(job.get("customHeaders").isNull(), job::toString);
        assertTrue(job.get("customHeadersWriteOnly").asBoolean(), job::toString);
        Cli.Result get = cli.run("get", "--json", "hidden");
        assertFalse(get.out().contains(TOKEN), get::toString);
        assertFalse(stateTexts().contains(TOKEN), "a write-only header value in the log");
    }

    @Test
    void aPrivateCaFileAndAClientCertificate() throws Exception {
        Cli.Result unknown = cli.run("start", tls.url("f.bin").toString(), dest.resolve("u.bin").toString());
        assertEquals(1, unknown.exit(), unknown::toString);
        assertTrue(unknown.err().contains("ERROR_WINHTTP_SECURE_INVALID_CA"), unknown::toString);
        assertFalse(unknown.err().contains("PKIX"), "no Java text: " + unknown);
        assertTrue(unknown.err().contains("--ca-file"), "names the option that fixes it: " + unknown);
        cli.run("remove", "BITS Transfer");

        String ca = TestCa.shared().caCertificate().toString();
        Path out = dest.resolve("ca.bin");
        assertOk(cli.run("start", "--ca-file", ca, tls.url("f.bin").toString(), out.toString()));
        assertEquals(sha(CONTENT), TestData.sha256(out));

        Path p12 = TestCa.shared().clientPkcs12();
        Path cert = dest.resolve("cert.bin");
        Cli.Result withCert = run(TestCa.CLIENT_PASSWORD + "\n", "start", "--ca-file", ca, "--client-certificate",
                p12.toString(), "--password-stdin", clientAuth.url("f.bin").toString(), cert.toString());
        assertOk(withCert);
        assertEquals(sha(CONTENT), TestData.sha256(cert));
        Cli.Result shown = run(TestCa.CLIENT_PASSWORD + "\n", "start", "--async", "--json", "--suspended",
                "--ca-file", ca, "--client-certificate", p12.toString(), "--password-stdin",
                clientAuth.url("f.bin").toString(), dest.resolve("shown.bin").toString());
        assertOk(shown);
        assertTrue(shown.json().get("clientCertificate").asText().contains("CN="), shown::toString);
        assertTrue(shown.json().get("trustedCertificates").toString().contains("jbits test CA"), shown::toString);
        assertFalse(stateTexts().contains(TestCa.CLIENT_PASSWORD));
        cli.run("remove", "BITS Transfer");

        Cli.Result ignored = cli.run("start", "--security-flags", "ignore-unknown-ca", tls.url("f.bin").toString(),
                dest.resolve("flags.bin").toString());
        assertOk(ignored);
    }

    @Test
    void expectedSha256MatchedIsShownAndMismatchedFailsWithNothingUnderTheName() throws Exception {
        Path a = dest.resolve("a.bin");
        Cli.Result ok = cli.run("start", "--async", "--json", "--expected-sha256", sha(CONTENT).toUpperCase(),
                nginx.url("f.bin").toString(), a.toString());
        assertOk(ok);
        String id = ok.json().get("jobId").asText();
        JsonNode job = null;
        for (int i = 0; i < 240; i++) {
            job = cli.run("get", "--json", id).json().get(0);
            if (job.get("jobState").asText().equals("Transferred")) {
                break;
            }
            Thread.sleep(250);
        }
        JsonNode file = job.get("fileList").get(0);
        assertEquals(sha(CONTENT), file.get("expectedSha256").asText(), job::toString);
        assertEquals(sha(CONTENT), file.get("sha256").asText(), job::toString);
        Cli.Result table = cli.run("get", id);
        assertTrue(table.out().contains("sha256 " + sha(CONTENT) + " matched"), table::toString);
        assertOk(cli.run("complete", id));
        assertEquals(sha(CONTENT), TestData.sha256(a));

        Path b = dest.resolve("b.bin");
        Cli.Result bad = cli.run("start", "--expected-sha256", "0".repeat(64), nginx.url("f.bin").toString(), b.toString());
        assertEquals(1, bad.exit(), bad::toString);
        assertTrue(bad.err().contains("BG_E_VALIDATION_FAILED"), bad::toString);
        assertFalse(Files.exists(b), "nothing under the name");
    }

    @Test
    void inputErrorsOfTheseOptionsAreOneLineExitTwoAndCreateNothing() throws Exception {
        String url = nginx.url("f.bin").toString();
        String out = dest.resolve("x.bin").toString();
        assertRefused(cli.run("start", "--custom-header", "NoColon", url, out), "is not 'Name: value'", "a header without a colon");
        assertRefused(cli.run("start", "--custom-header", "Range: bytes=0-", url, out), "sends itself", "a reserved header");
        assertRefused(cli.run("start", "--custom-header", "X-Big: " + "v".repeat(16_400), url, out),
                "BG_E_STRING_TOO_LONG", "headers over 16,384 characters");
        assertRefused(cli.run("start", "--expected-sha256", "abc", url, out), "64 hexadecimal digits", "a short hash");
        assertRefused(cli.run("start", "--expected-sha256", sha(CONTENT), "--expected-sha256", sha(CONTENT), url, out),
                "one per file", "two hashes for one file");
        assertRefused(cli.run("start", "--credential", USER, "--authentication", "kerberos", "--password-stdin", url, out),
                "BG_E_INVALID_AUTH_SCHEME", "an unknown scheme");
        assertRefused(cli.run("start", "--credential", USER, url, out), "--password-stdin", "no password and no terminal");
        assertRefused(run("", "start", "--credential", USER, "--password-stdin", url, out), "standard input ended",
                "stdin without a line");
        String longPassword = "p".repeat(300);
        Cli.Result tooLong = run(longPassword + "\n", "start", "--credential", USER, "--password-stdin", url, out);
        assertRefused(tooLong, "BG_E_PASSWORD_TOO_LARGE", "a 300-character password");
        assertFalse(tooLong.err().contains(longPassword.substring(0, 20)), "the password is not repeated");
        assertRefused(cli.run("start", "--security-flags", "ignore-everything", url, out), "unknown security flag",
                "an unknown flag");
        assertRefused(cli.run("start", "--security-flags", "0x300", url, out), "two redirect policies", "0x300");
        assertRefused(cli.run("start", "--security-flags", "0x10000", url, out), "does not define", "an undefined bit");
        assertRefused(cli.run("start", "--ca-file", tmp.resolve("missing.pem").toString(), url, out), "does not exist",
                "a missing CA file");
        Path notPem = Files.writeString(tmp.resolve("not.pem"), "hello");
        assertRefused(cli.run("start", "--ca-file", notPem.toString(), url, out), "PEM", "a CA file without certificates");
        assertRefused(run("wrong\n", "start", "--client-certificate", TestCa.shared().clientPkcs12().toString(),
                "--password-stdin", url, out), "PKCS#12", "a PKCS#12 file with the wrong password");
        assertRefused(cli.run("start", nginx.url("f.bin") + "*", out), "wildcard", "a wildcard in a URL");
        Cli.Result proxyUser = cli.run("start", "--proxy-usage", "override", "--proxy-list",
                "http://alice:proxy-Secret@127.0.0.1:3128", url, out);
        assertRefused(proxyUser, "BG_E_INVALID_PROXY_INFO", "a proxy list naming a user");
        assertFalse(proxyUser.err().contains("proxy-Secret"), proxyUser::toString);
        assertRefused(cli.run("start", "--authentication", "basic", url, out), "needs --credential", "a scheme alone");
        assertRefused(cli.run("start", "--retry-interval", "4294967296", url, out), "E_INVALIDARG", "a ULONG out of range");
        assertRefused(cli.run("start", "--retry-interval", "soon", url, out), "E_INVALIDARG", "a number that is not one");
        String longList = String.join(",", java.util.Collections.nCopies(400, "proxy-host:3128"));
        assertRefused(cli.run("start", "--proxy-usage", "override", "--proxy-list", longList, url, out),
                "BG_E_PROXY_LIST_TOO_LARGE", "a proxy list over 4,000 characters");
        assertFalse(Files.exists(cli.home()), "every refusal came before the agent was needed");
    }
}
