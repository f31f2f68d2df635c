package org.jbits.server;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.jbits.server.BitsProtocolTest.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's limits: the session cap, expiry by the injected clock, Basic authentication, HTTPS, idle timeouts. */
class ServerLimitsTest {
    @TempDir(factory = OnTheBuildDisk.class)
    Path dir;

    @Test
    void theSessionCapIsAnswered503WithRetryAfterAndFreesAsSessionsEnd() throws Exception {
        try (UploadServer server = UploadServer.builder(dir).port(0).maxSessions(3).build().start()) {
            BitsClient bits = new BitsClient(server.url());
            String first = bits.session("/a");
            bits.session("/b");
            bits.session("/c");
            BitsClient.Ack full = bits.create("/d");
            assertError(full, 503, "0x801901f7");
            assertEquals("60", full.header("Retry-After"));
            assertEquals(200, bits.cancel("/a", first).status());
            assertEquals(200, bits.create("/d").status(), "a cancelled session makes room");
            bits.disconnect();
        }
    }

    @Test
    void anAbandonedSessionExpiresByTheClockAndItsBytesAreDeleted() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (UploadServer server = UploadServer.builder(dir).port(0).sessionExpiry(Duration.ofHours(1)).clock(clock)
                .build().start()) {
            BitsClient bits = new BitsClient(server.url());
            byte[] file = TestData.random(1000, 1);
            String idle = bits.session("/idle.bin");
            bits.fragment("/idle.bin", idle, file, 0, 499);
            String busy = bits.session("/busy.bin");
            clock.advance(Duration.ofMinutes(59));
            assertEquals(0, server.expireSessions(), "not yet");
            bits.fragment("/busy.bin", busy, file, 0, 499);
            clock.advance(Duration.ofMinutes(2));
            assertEquals(1, server.expireSessions(), "only the session without a packet for an hour");
            assertError(bits.fragment("/idle.bin", idle, file, 500, 999), 500, "0x8020001f");
            assertEquals(1000, bits.fragment("/busy.bin", busy, file, 500, 999).received());
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(1, s.filter(p -> p.getFileName().toString().endsWith(".part")).count(),
                        "the expired session's received file is gone");
            }
            bits.disconnect();
        }
    }

    @Test
    void basicAuthenticationRefusesMissingAndWrongCredentialsAndAcceptsTheRightOnes() throws Exception {
        Path creds = Files.writeString(dir.resolve("../creds-" + dir.getFileName()), "# uploaders\nalice:s3cret:with:colons\n");
        try (UploadServer server = UploadServer.builder(dir).port(0).basicAuthFile(creds).build().start()) {
            BitsClient anonymous = new BitsClient(server.url());
            BitsClient.Ack refused = anonymous.create("/f.bin");
            assertError(refused, 401, "0x80070005");
            assertTrue(refused.header("WWW-Authenticate").startsWith("Basic realm="), refused.toString());
            assertError(anonymous.withBasic("alice", "wrong").create("/f.bin"), 401, "0x80070005");
            assertError(anonymous.withBasic("mallory", "s3cret:with:colons").create("/f.bin"), 401, "0x80070005");
            byte[] file = TestData.random(3000, 2);
            anonymous.withBasic("alice", "s3cret:with:colons").upload("/f.bin", file, 1000);
            assertArrayEquals(file, Files.readAllBytes(dir.resolve("f.bin")));
            anonymous.disconnect();
        } finally {
            Files.delete(creds);
        }
    }

    @Test
    void httpsServesTheSameProtocolWithThePkcs12KeyStoresCertificate() throws Exception {
        Path store = dir.resolveSibling("tls-" + dir.getFileName() + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "jbits", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1").redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertEquals(0, keytool.waitFor(), out);
        try (UploadServer server = UploadServer.builder(dir).port(0).tls(store, "changeit".toCharArray()).build().start()) {
            assertEquals("https", server.url().getScheme());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                trust.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[]{tm}, null);
            BitsClient bits = new BitsClient(server.url(), new OkHttpClient.Builder().retryOnConnectionFailure(false)
                    .sslSocketFactory(ctx.getSocketFactory(), tm).build());
            byte[] file = TestData.random(200_000, 3);
            bits.upload("/secure.bin", file, 64_000);
            assertArrayEquals(file, Files.readAllBytes(dir.resolve("secure.bin")));
            // Plain HTTP to the TLS port is not answered as an upload.
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                s.setSoTimeout(5000);
                s.getOutputStream().write("BITS_POST /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                byte[] reply = s.getInputStream().readNBytes(12);
                assertFalse(new String(reply, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
            }
            bits.disconnect();
        } finally {
            Files.deleteIfExists(store);
        }
    }

    @Test
    void aClientThatStopsSendingIsCutOffAfterTheIdleTimeoutKeepingWhatItSent() throws Exception {
        try (UploadServer server = UploadServer.builder(dir).port(0).idleTimeout(Duration.ofSeconds(1)).maxThreads(8)
                .build().start()) {
            BitsClient bits = new BitsClient(server.url());
            byte[] file = TestData.random(100_000, 4);
            String id = bits.session("/slow.bin");
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("BITS_POST /slow.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\nBITS-Session-Id: " + id
                        + "\r\nContent-Range: bytes 0-99999/100000\r\nContent-Length: 100000\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(file, 0, 30_000);
                out.flush();
                // ... and nothing more: the server gives up on the body after the idle timeout and closes.
                InputStream in = s.getInputStream();
                try {
                    while (in.read() >= 0) {
                        // a reply, if any, then the close
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the server kept a stalled connection open for 10 s", e);
                } catch (java.io.IOException reset) {
                    // closed
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 5, "cut off after " + seconds + " s");
            // What arrived was kept: the client resumes from it (on a new connection: the pooled one timed out too).
            bits.disconnect();
            BitsClient.Ack probe = bits.fragment("/slow.bin", id, file, 99_000, 99_999);
            assertEquals(416, probe.status(), probe.toString());
            assertEquals(30_000, probe.received());
            assertEquals(100_000, bits.fragment("/slow.bin", id, file, 30_000, 99_999).received());
            bits.disconnect();
        }
    }

    @Test
    void aSlowClientThatKeepsSendingIsNotCutOff() throws Exception {
        try (UploadServer server = UploadServer.builder(dir).port(0).idleTimeout(Duration.ofSeconds(1)).build().start()) {
            BitsClient bits = new BitsClient(server.url());
            byte[] file = TestData.random(8_000, 5);
            String id = bits.session("/trickle.bin");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("BITS_POST /trickle.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\nBITS-Session-Id: "
                        + id + "\r\nContent-Range: bytes 0-7999/8000\r\nContent-Length: 8000\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 0; i < 8; i++) {
                    out.write(file, i * 1000, 1000);
                    out.flush();
                    Thread.sleep(400);
                }
                RawHttp.Reply r = RawHttp.read(s.getInputStream());
                assertEquals(200, r.status(), r.headers().toString());
                assertEquals("8000", r.header("BITS-Received-Content-Range"));
            }
            bits.disconnect();
            assertEquals(200, bits.close("/trickle.bin", id).status());
            assertArrayEquals(file, Files.readAllBytes(dir.resolve("trickle.bin")));
            bits.disconnect();
        }
    }

    @Test
    void aPlainPutWritesTheFileWhenEnabled() throws Exception {
        try (UploadServer server = UploadServer.builder(dir).port(0).plainPut(true).build().start()) {
            BitsClient bits = new BitsClient(server.url());
            byte[] file = TestData.random(3 << 20, 6);
            BitsClient.Ack put = bits.call("PUT", "/put.bin", Map.of(), file);
            assertEquals(201, put.status(), put.toString());
            assertEquals("0", put.header("Content-Length"));
            assertArrayEquals(file, Files.readAllBytes(dir.resolve("put.bin")));
            assertError(bits.call("PUT", "/put.bin", Map.of(), file), 409, "0x80070005");
            RawHttp.Reply escape = RawHttp.send(server.port(), "PUT /../escape.bin HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 3\r\nConnection: close\r\n\r\nabc");
            assertEquals(400, escape.status());
            assertEquals("0x80070057", escape.header("BITS-Error-Code"));
            assertFalse(Files.exists(dir.resolveSibling("escape.bin")));
            bits.disconnect();
        }
    }
}
