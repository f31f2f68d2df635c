package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.SecurityFlags;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestCa;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS options against nginx serving certificates a CA made by the tests signed: verification is on by default
 * (each bad certificate fails with WinHTTP's code for it, no Java text), a job's trusted CA makes a private server
 * good without turning anything off, each security flag relaxes exactly its check, a PKCS#12 client certificate
 * passes nginx's ssl_verify_client, and BITS' redirect policy (HTTPS to HTTP refused by default, disallow, report).
 */
class TlsOptionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static NginxServer good;
    private static NginxServer expired;
    private static NginxServer otherHost;
    private static NginxServer clientUsage;
    private static NginxServer clientAuth;
    private static NginxServer plain;
    private static String ca;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        TestCa c = TestCa.shared();
        ca = Files.readString(c.caCertificate());
        plain = NginxServer.start();
        good = NginxServer.builder().tls(c.certificate("good"), c.key("good"))
                .extraServerConfig("location = /to-http { return 302 " + plain.url("t.bin") + "; }"
                        + " location = /to-https { return 302 /t.bin; }").start();
        expired = NginxServer.builder().tls(c.certificate("expired"), c.key("expired")).start();
        otherHost = NginxServer.builder().tls(c.certificate("otherhost"), c.key("otherhost")).start();
        clientUsage = NginxServer.builder().tls(c.certificate("clientusage"), c.key("clientusage")).start();
        clientAuth = NginxServer.builder().tls(c.certificate("good"), c.key("good"))
                .extraServerConfig("ssl_client_certificate " + c.caCertificate() + "; ssl_verify_client on;").start();
        byte[] content = TestData.random(50_000, 7);
        for (NginxServer n : new NginxServer[]{plain, good, expired, otherHost, clientUsage, clientAuth}) {
            n.put("t.bin", content);
        }
    }

    @AfterAll
    static void stop() {
        for (NginxServer n : new NginxServer[]{plain, good, expired, otherHost, clientUsage, clientAuth}) {
            if (n != null) {
                n.close();
            }
        }
    }

    private BitsJob job(PortableEngine engine, String url, String name) throws Exception {
        BitsJob job = engine.createJob(name, JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.addFile(url, Files.createDirectories(tmp.resolve("out")).resolve(name).toString());
        return job;
    }

    private static JobState end(BitsJob job) {
        return Await.state(job, TIMEOUT, JobState.TRANSFERRED, JobState.ERROR);
    }

    private static void assertFails(BitsJob job, int hresult) {
        assertEquals(JobState.ERROR, end(job), () -> Await.describe(job));
        JobError e = job.error().orElseThrow();
        assertEquals(HResult.name(hresult), e.errorName(), e.toString());
        assertFalse(e.description().contains("PKIX") || e.description().contains("sun.security"), e.description());
    }

    private void runCase(PortableEngine engine, NginxServer server, String name, int flags, String trusted, int failure)
            throws Exception {
        BitsJob job = job(engine, server.url("t.bin").toString(), name);
        if (flags != 0) {
            job.setSecurityFlags(flags);
        }
        if (trusted != null) {
            job.setTrustedCertificates(trusted);
        }
        job.resume();
        if (failure == 0) {
            assertEquals(JobState.TRANSFERRED, end(job), () -> name + ": " + Await.describe(job));
        } else {
            assertFails(job, failure);
        }
    }

    @Test
    void verificationIsOnByDefaultAndEachFlagRelaxesOnlyItsCheck() throws Exception {
        try (PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            runCase(engine, good, "unknown-ca", 0, null, HResult.ERROR_WINHTTP_SECURE_INVALID_CA);
            runCase(engine, good, "trusted-ca", 0, ca, 0);
            runCase(engine, good, "ignore-unknown-ca", SecurityFlags.IGNORE_UNKNOWN_CA, null, 0);
            runCase(engine, expired, "expired", 0, ca, HResult.ERROR_WINHTTP_SECURE_CERT_DATE_INVALID);
            runCase(engine, expired, "ignore-date", SecurityFlags.IGNORE_CERT_DATE_INVALID, ca, 0);
            runCase(engine, otherHost, "other-host", 0, ca, HResult.ERROR_WINHTTP_SECURE_CERT_CN_INVALID);
            runCase(engine, otherHost, "ignore-cn", SecurityFlags.IGNORE_CERT_CN_INVALID, ca, 0);
            runCase(engine, otherHost, "ignore-date-only", SecurityFlags.IGNORE_CERT_DATE_INVALID, ca,
                    HResult.ERROR_WINHTTP_SECURE_CERT_CN_INVALID);
            runCase(engine, clientUsage, "wrong-usage", 0, ca, HResult.ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE);
            runCase(engine, clientUsage, "ignore-usage", SecurityFlags.IGNORE_CERT_WRONG_USAGE, ca, 0);
            // A private CA has no revocation list to check: with the CRL flag the check cannot be done, and fails.
            runCase(engine, good, "crl-check", SecurityFlags.ENABLE_CRL_CHECK, ca, HResult.ERROR_WINHTTP_SECURE_CERT_REV_FAILED);
        }
    }

    @Test
    void aClientCertificateFromPkcs12PassesSslVerifyClient() throws Exception {
        byte[] p12 = Files.readAllBytes(TestCa.shared().clientPkcs12());
        try (PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            BitsJob without = job(engine, clientAuth.url("t.bin").toString(), "no-client-cert");
            without.setTrustedCertificates(ca);
            without.resume();
            // nginx answers a request without the certificate it requires with 400, not a failed handshake.
            assertFails(without, HResult.ofHttpStatus(400));

            BitsJob with = job(engine, clientAuth.url("t.bin").toString(), "client-cert");
            with.setTrustedCertificates(ca);
            with.setClientCertificate(p12, TestCa.CLIENT_PASSWORD);
            assertEquals("CN=jbits test client", with.clientCertificateSubject());
            with.resume();
            assertEquals(JobState.TRANSFERRED, end(with), () -> Await.describe(with));
            with.removeClientCertificate();
            assertEquals(null, with.clientCertificateSubject());

            BitsJob bad = job(engine, clientAuth.url("t.bin").toString(), "bad-password");
            BitsException e = assertThrows(BitsException.class, () -> bad.setClientCertificate(p12, "wrong-p12-Pw"));
            assertEquals(HResult.E_INVALIDARG, e.hresult());
            assertFalse(e.getMessage().contains("wrong-p12-Pw"), e.getMessage());
            assertEquals(HResult.E_INVALIDARG, assertThrows(BitsException.class,
                    () -> bad.setTrustedCertificates("not a certificate")).hresult());
        }
    }

    @Test
    void redirectsFollowBitsPolicy() throws Exception {
        try (PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            BitsJob toHttp = job(engine, good.url("to-http").toString(), "https-to-http");
            toHttp.setTrustedCertificates(ca);
            toHttp.resume();
            assertFails(toHttp, HResult.ofHttpStatus(302));
            assertTrue(toHttp.error().orElseThrow().description().contains("plain HTTP"));

            BitsJob allowed = job(engine, good.url("to-http").toString(), "https-to-http-allowed");
            allowed.setTrustedCertificates(ca);
            allowed.setSecurityFlags(SecurityFlags.REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP);
            allowed.resume();
            assertEquals(JobState.TRANSFERRED, end(allowed), () -> Await.describe(allowed));
            assertEquals(good.url("to-http").toString(), allowed.files().get(0).remoteName(), "silent: the name stays");

            BitsJob disallowed = job(engine, good.url("to-https").toString(), "disallowed");
            disallowed.setTrustedCertificates(ca);
            disallowed.setSecurityFlags(SecurityFlags.REDIRECT_POLICY_DISALLOW);
            disallowed.resume();
            assertFails(disallowed, HResult.ofHttpStatus(302));

            BitsJob report = job(engine, good.url("to-https").toString(), "report");
            report.setTrustedCertificates(ca);
            report.setSecurityFlags(SecurityFlags.REDIRECT_POLICY_ALLOW_REPORT);
            report.resume();
            assertEquals(JobState.TRANSFERRED, end(report), () -> Await.describe(report));
            assertEquals(good.url("t.bin").toString(), report.files().get(0).remoteName(), "reported: the final URL");
        }
    }
}
