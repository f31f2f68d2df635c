package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.NginxServer.AccessLogEntry;
import org.jbits.testing.TestData;
import org.jbits.transport.FileTransport;
import org.jbits.transport.HttpTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS downloads from a real nginx serving TLS with a self-signed certificate: the transfer and its resume with
 * Range/If-Range go through TLS exactly as over plain HTTP (TLS is layered over the transport's read-buffered
 * sockets), and a server the client does not trust is a fatal error that writes nothing.
 */
class HttpsDownloadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static NginxServer nginx;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.builder().tls().limitRate("1m").start();
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    /** An HTTP transport that trusts exactly the certificate in {@code pem}. */
    static HttpTransport trusting(Path pem) throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(pem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("nginx", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{tm}, null);
        return new HttpTransport(5000, 10000, ctx.getSocketFactory(), tm);
    }

    private PortableEngine engine(HttpTransport http) {
        return new PortableEngine(tmp.resolve("state"), EngineSettings.from(Engines.settings()), EngineClock.SYSTEM,
                List.of(http, new FileTransport()));
    }

    @Test
    void downloadsOverTlsAndResumesWithRangeAfterSuspend() throws Exception {
        byte[] content = TestData.random(3 << 20, 21);
        nginx.put("tls.bin", content);
        Path local = Files.createDirectories(tmp.resolve("downloads")).resolve("tls.bin");
        try (PortableEngine engine = engine(trusting(nginx.certificate()))) {
            BitsJob job = engine.createJob("tls", JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            String url = nginx.slowUrl("tls.bin").toString();
            assertTrue(url.startsWith("https://"), url);
            job.addFile(url, local.toString());
            job.resume();
            Await.progressBeyond(job, 0, TIMEOUT);
            job.suspend();
            long held = job.progress().bytesTransferred();
            assertTrue(held > 0 && held < content.length, "suspended mid-file at " + held);

            job.resume();
            Await.state(job, TIMEOUT, JobState.TRANSFERRED);
            job.complete();
            assertEquals(TestData.sha256(content), TestData.sha256(local), "the file is whole after a resume over TLS");

            List<AccessLogEntry> requests = nginx.awaitRequests(e -> e.path().equals("/slow/tls.bin"), 2, TIMEOUT);
            AccessLogEntry second = requests.stream().filter(e -> e.range() != null).findFirst().orElseThrow();
            Engines.assertResumedAt(held, second.rangeStart(), tmp);
            assertEquals(206, second.status());
            assertNotNull(second.ifRange(), "the resume carries If-Range");
            assertEquals(content.length - second.rangeStart(), second.bodyBytesSent(), "only the rest was sent again");
        }
    }

    @Test
    void anUntrustedServerIsAFatalInvalidCaErrorAndWritesNothing() throws Exception {
        nginx.put("untrusted.bin", TestData.random(100_000, 22));
        Path downloads = Files.createDirectories(tmp.resolve("untrusted"));
        // The JVM's own trust store does not know the test's self-signed certificate.
        try (PortableEngine engine = engine(new HttpTransport(5000, 10000))) {
            BitsJob job = engine.createJob("untrusted", JobType.DOWNLOAD);
            job.addFile(nginx.url("untrusted.bin").toString(), downloads.resolve("untrusted.bin").toString());
            job.resume();
            assertEquals(JobState.ERROR, Await.state(job, TIMEOUT, JobState.ERROR, JobState.TRANSIENT_ERROR),
                    "a certificate the client does not trust is not retried: " + Await.describe(job));
            JobError error = job.error().orElseThrow();
            assertEquals(HResult.name(HResult.ERROR_WINHTTP_SECURE_INVALID_CA), error.errorName(), error.toString());
            assertFalse(error.description().contains("PKIX"), "Java's text is not shown: " + error.description());
            assertEquals(ErrorContext.GENERAL_TRANSPORT, error.context());
            assertEquals(0, job.progress().bytesTransferred());
            job.cancel();
            try (var files = Files.list(downloads)) {
                assertFalse(files.findAny().isPresent(), "nothing is left in the destination directory");
            }
        }
    }
}
