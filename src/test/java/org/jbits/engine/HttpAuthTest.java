package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.jbits.AuthScheme;
import org.jbits.AuthTarget;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.testing.ApacheServer;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.SquidServer;
import org.jbits.testing.TestCa;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials and proxies against servers the tests did not write: nginx's auth_basic, Apache's mod_auth_digest
 * (RFC 7616 Digest, MD5, qop=auth), and squid as the proxy with Basic (basic_ncsa_auth) and NTLM (Samba's
 * ntlm_auth checking NTLMv2) proxy authentication, for plain HTTP and for HTTPS through CONNECT. Wrong credentials
 * are an Error with BG_E_HTTP_ERROR_401 (407 for the proxy) in RemoteFile context, and no password appears in
 * what the job shows.
 */
class HttpAuthTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String NGINX_USER = "dave";
    private static final String NGINX_PASSWORD = "basic-Pw5";
    private static NginxServer nginx;
    private static NginxServer tls;
    private static Path htpasswd;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        htpasswd = Files.createTempFile("jbits-htpasswd-", "");
        Process p = new ProcessBuilder("openssl", "passwd", "-apr1", NGINX_PASSWORD).start();
        String hash = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        p.waitFor();
        Files.writeString(htpasswd, NGINX_USER + ":" + hash + "\n");
        nginx = NginxServer.builder().extraServerConfig("location /basic/ { auth_basic jbits;"
                + " auth_basic_user_file " + htpasswd + "; }").start();
        tls = NginxServer.builder().tls(TestCa.shared().certificate("good"), TestCa.shared().key("good")).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (NginxServer n : new NginxServer[]{nginx, tls}) {
            if (n != null) {
                n.close();
            }
        }
        Files.deleteIfExists(htpasswd);
    }

    private PortableEngine engine() {
        return Engines.open(tmp.resolve("state"));
    }

    private BitsJob job(PortableEngine engine, String url, String name) throws Exception {
        BitsJob job = engine.createJob(name, JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.setNoProgressTimeout(0);
        job.addFile(url, Files.createDirectories(tmp.resolve("out")).resolve(name).toString());
        return job;
    }

    private static void assertTransferred(BitsJob job) {
        assertEquals(JobState.TRANSFERRED, Await.state(job, TIMEOUT, JobState.TRANSFERRED, JobState.ERROR),
                () -> Await.describe(job));
    }

    private static JobError assertFails(BitsJob job, int hresult, String... secrets) {
        assertEquals(JobState.ERROR, Await.state(job, TIMEOUT, JobState.TRANSFERRED, JobState.ERROR),
                () -> Await.describe(job));
        JobError e = job.error().orElseThrow();
        assertEquals(HResult.name(hresult), e.errorName(), e.toString());
        for (String s : secrets) {
            assertFalse(e.description().contains(s), "a password in the error: " + e.description());
        }
        return e;
    }

    @Test
    void basicCredentialsAnswerNginxsChallengeAndWrongOnesAre401() throws Exception {
        byte[] content = TestData.random(200_000, 1);
        nginx.put("basic/b.bin", content);
        String url = nginx.url("/basic/b.bin").toString();
        try (PortableEngine engine = engine()) {
            BitsJob none = job(engine, url, "none");
            none.resume();
            assertEquals(ErrorContext.REMOTE_FILE, assertFails(none, HResult.ofHttpStatus(401)).context());

            BitsJob good = job(engine, url, "good");
            good.setCredentials(AuthTarget.SERVER, AuthScheme.BASIC, NGINX_USER, NGINX_PASSWORD);
            good.resume();
            assertTransferred(good);
            good.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(tmp.resolve("out/good")));

            BitsJob wrong = job(engine, url, "wrong");
            wrong.setCredentials(AuthTarget.SERVER, AuthScheme.BASIC, NGINX_USER, "not-the-Pw");
            wrong.resume();
            assertEquals(ErrorContext.REMOTE_FILE, assertFails(wrong, HResult.ofHttpStatus(401), "not-the-Pw").context());

            // A Digest credential does not answer a Basic challenge; removing the Basic one leaves the 401.
            BitsJob removed = job(engine, url, "removed");
            removed.setCredentials(AuthTarget.SERVER, AuthScheme.BASIC, NGINX_USER, NGINX_PASSWORD);
            removed.setCredentials(AuthTarget.SERVER, AuthScheme.DIGEST, NGINX_USER, NGINX_PASSWORD);
            removed.removeCredentials(AuthTarget.SERVER, AuthScheme.BASIC);
            removed.resume();
            assertFails(removed, HResult.ofHttpStatus(401));
        }
    }

    @Test
    void digestCredentialsAnswerApachesModAuthDigest() throws Exception {
        ApacheServer apache = ApacheServer.shared();
        byte[] content = TestData.random(300_000, 2);
        apache.put("d.bin", content);
        String url = apache.digestUrl("d.bin").toString();
        try (PortableEngine engine = engine()) {
            BitsJob good = job(engine, url, "digest");
            good.setCredentials(AuthTarget.SERVER, AuthScheme.DIGEST, ApacheServer.USER, ApacheServer.PASSWORD);
            good.resume();
            assertTransferred(good);
            good.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(tmp.resolve("out/digest")));
            assertTrue(apache.accessLog().stream().anyMatch(l -> l.contains(" " + ApacheServer.USER + " ")
                    && l.contains("/digest/d.bin") && l.contains(" 200 ")), () -> String.join("\n", apache.accessLog()));

            BitsJob wrong = job(engine, url, "digest-wrong");
            wrong.setCredentials(AuthTarget.SERVER, AuthScheme.DIGEST, ApacheServer.USER, "wrong-Digest-Pw");
            wrong.resume();
            assertFails(wrong, HResult.ofHttpStatus(401), "wrong-Digest-Pw");
        }
    }

    private static ProxySettings through(int port) {
        return new ProxySettings(ProxyUsage.OVERRIDE, List.of("127.0.0.1:" + port), List.of());
    }

    @Test
    void proxyBasicAndNtlmThroughSquidForHttpAndHttpsAndWrongProxyCredentialsAre407() throws Exception {
        SquidServer squid = SquidServer.shared();
        byte[] content = TestData.random(250_000, 3);
        nginx.put("p.bin", content);
        tls.put("p.bin", content);
        String ca = Files.readString(TestCa.shared().caCertificate());
        try (PortableEngine engine = engine()) {
            BitsJob basic = job(engine, nginx.url("p.bin").toString(), "proxy-basic");
            basic.setProxySettings(through(squid.port()));
            basic.setCredentials(AuthTarget.PROXY, AuthScheme.BASIC, SquidServer.BASIC_USER, SquidServer.BASIC_PASSWORD);
            basic.resume();
            assertTransferred(basic);

            BitsJob ntlm = job(engine, nginx.url("p.bin").toString(), "proxy-ntlm");
            ntlm.setProxySettings(through(squid.port()));
            ntlm.setCredentials(AuthTarget.PROXY, AuthScheme.NTLM, SquidServer.NTLM_DOMAIN + "\\" + SquidServer.NTLM_USER,
                    SquidServer.NTLM_PASSWORD);
            ntlm.resume();
            assertTransferred(ntlm);

            BitsJob https = job(engine, tls.url("p.bin").toString(), "proxy-connect");
            https.setProxySettings(through(squid.port()));
            https.setTrustedCertificates(ca);
            https.setCredentials(AuthTarget.PROXY, AuthScheme.NTLM, SquidServer.NTLM_USER, SquidServer.NTLM_PASSWORD);
            https.resume();
            assertTransferred(https);
            https.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(tmp.resolve("out/proxy-connect")));

            List<String> log = squid.accessLog();
            assertTrue(log.stream().anyMatch(l -> l.contains("GET " + nginx.url("p.bin")) && l.contains(SquidServer.BASIC_USER)
                    && l.contains("/200 ")), () -> String.join("\n", log));
            assertTrue(log.stream().anyMatch(l -> l.contains("GET " + nginx.url("p.bin")) && l.contains(SquidServer.NTLM_USER)
                    && l.contains("/200 ")), () -> String.join("\n", log));
            // Squid logs a tunnel when it closes; the one that carried the file may still be open: that the proxy
            // challenged the CONNECT, and the file came through it, shows the NTLM handshake passed.
            assertTrue(log.stream().anyMatch(l -> l.contains("TCP_DENIED/407") && l.contains("CONNECT 127.0.0.1:" + tls.port())),
                    () -> String.join("\n", log));

            BitsJob wrong = job(engine, nginx.url("p.bin").toString(), "proxy-wrong");
            wrong.setProxySettings(through(squid.port()));
            wrong.setCredentials(AuthTarget.PROXY, AuthScheme.NTLM, SquidServer.NTLM_USER, "wrong-Ntlm-Pw");
            wrong.resume();
            assertEquals(ErrorContext.REMOTE_FILE, assertFails(wrong, HResult.ofHttpStatus(407), "wrong-Ntlm-Pw").context());

            BitsJob wrongTunnel = job(engine, tls.url("p.bin").toString(), "proxy-wrong-connect");
            wrongTunnel.setProxySettings(through(squid.port()));
            wrongTunnel.setTrustedCertificates(ca);
            wrongTunnel.setCredentials(AuthTarget.PROXY, AuthScheme.BASIC, SquidServer.BASIC_USER, "wrong-Basic-Pw");
            wrongTunnel.resume();
            assertFails(wrongTunnel, HResult.ofHttpStatus(407), "wrong-Basic-Pw");
        }
    }

    @Test
    void theBypassListAndSchemeSpecificProxiesChooseTheRoute() throws Exception {
        SquidServer squid = SquidServer.shared();
        nginx.put("bypassed.bin", TestData.random(10_000, 4));
        nginx.put("proxied.bin", TestData.random(10_000, 5));
        try (PortableEngine engine = engine()) {
            BitsJob bypassed = job(engine, nginx.url("bypassed.bin").toString(), "bypassed");
            bypassed.setProxySettings(new ProxySettings(ProxyUsage.OVERRIDE, List.of("127.0.0.1:" + squid.openPort()),
                    List.of("127.0.0.*")));
            bypassed.resume();
            assertTransferred(bypassed);

            BitsJob proxied = job(engine, nginx.url("proxied.bin").toString(), "proxied");
            proxied.setProxySettings(new ProxySettings(ProxyUsage.OVERRIDE,
                    List.of("https=127.0.0.1:1", "http=http://127.0.0.1:" + squid.openPort()), List.of("*.example.org")));
            proxied.resume();
            assertTransferred(proxied);
        }
        List<String> log = squid.accessLog();
        assertFalse(log.stream().anyMatch(l -> l.contains("bypassed.bin")), () -> String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.contains("proxied.bin")), () -> String.join("\n", log));
    }

    @Test
    void anUnreachableProxyIsATransientConnectFailureAndAutoDetectIsInvalidProxyInfo() throws Exception {
        nginx.put("u.bin", TestData.random(1000, 6));
        try (PortableEngine engine = engine()) {
            BitsJob unreachable = job(engine, nginx.url("u.bin").toString(), "unreachable");
            unreachable.setNoProgressTimeout(3600);
            unreachable.setProxySettings(through(1));
            unreachable.resume();
            assertEquals(JobState.TRANSIENT_ERROR, Await.state(unreachable, TIMEOUT, JobState.TRANSIENT_ERROR, JobState.ERROR));
            assertEquals(HResult.name(HResult.BG_E_CONNECT_FAILURE), unreachable.error().orElseThrow().errorName());

            BitsJob auto = job(engine, nginx.url("u.bin").toString(), "auto");
            auto.setProxySettings(new ProxySettings(ProxyUsage.AUTO_DETECT, List.of(), List.of()));
            auto.resume();
            JobError e = assertFails(auto, HResult.BG_E_INVALID_PROXY_INFO);
            assertTrue(e.description().contains("auto-detection"), e.description());
        }
    }

    @Test
    void aServerThatOffersOnlyNegotiateIsOneClearErrorWithoutKerberos() throws Exception {
        try (MockWebServer server = new MockWebServer(); PortableEngine engine = engine()) {
            server.enqueue(new MockResponse().setResponseCode(401).addHeader("WWW-Authenticate", "Negotiate"));
            server.start();
            BitsJob job = job(engine, server.url("/n.bin").toString(), "negotiate");
            job.setCredentials(AuthTarget.SERVER, AuthScheme.NEGOTIATE, "erin", "negotiate-Pw6");
            job.resume();
            JobError e = assertFails(job, HResult.ofHttpStatus(401), "negotiate-Pw6");
            assertTrue(e.description().contains("Negotiate (Kerberos)"), e.description());
            assertEquals(1, server.getRequestCount(), "answered without a second request");
        }
    }
}
