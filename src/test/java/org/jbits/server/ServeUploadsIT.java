package org.jbits.server;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jbits serve-uploads} from the packaged jar, in a JVM of its own: killed with {@code kill -9} in the middle
 * of a fragment and started again, a session resumes from the offset the server reports and the file arrives byte
 * for byte; SIGTERM stops it cleanly; and 10,000 Create-Sessions meet the session cap with bounded memory.
 */
class ServeUploadsIT {
    private static final Path LOGS = Path.of("target", "serve-uploads-it");

    @TempDir(factory = OnTheBuildDisk.class)
    Path dir;

    /** Sends a fragment's headers and only {@code sent} bytes of its body, then leaves the connection open. */
    private static Socket halfAFragment(ServerProcess server, String path, String id, byte[] file, int first, int last,
            int sent) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(server.url().getHost(), server.url().getPort()), 5000);
        OutputStream out = s.getOutputStream();
        out.write(("BITS_POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nBITS-Packet-Type: Fragment\r\n"
                + "BITS-Session-Id: " + id + "\r\nContent-Range: bytes " + first + "-" + last + "/" + file.length + "\r\n"
                + "Content-Length: " + (last - first + 1) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(file, first, sent);
        out.flush();
        return s;
    }

    private static long hiddenPartSize(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).mapToLong(p -> p.toFile().length())
                    .findFirst().orElse(-1);
        }
    }

    @Test
    void aSessionResumesAfterKillDashNineMidFragmentAndTheFileArrivesByteForByte() throws Exception {
        byte[] file = TestData.random(48 << 20, 11);
        int fragment = 8 << 20;
        String id;
        long acked;
        try (ServerProcess first = ServerProcess.start(LOGS, "--dir", dir.toString())) {
            BitsClient bits = new BitsClient(first.url());
            id = bits.session("/big.bin");
            acked = 0;
            for (int i = 0; i < 2; i++) {
                BitsClient.Ack a = bits.fragment("/big.bin", id, file, i * fragment, (i + 1) * fragment - 1);
                assertEquals(200, a.status(), a.toString());
                acked = a.received();
            }
            // The third fragment is half sent when the server dies: wait until some of it reached the file.
            try (Socket s = halfAFragment(first, "/big.bin", id, file, 2 * fragment, 3 * fragment - 1, fragment / 2)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (hiddenPartSize(dir) <= acked && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(137, first.signal("KILL"), "killed by SIGKILL");
            }
            bits.disconnect();
        }
        assertEquals(16L << 20, acked);
        try (ServerProcess second = ServerProcess.start(LOGS, "--dir", dir.toString())) {
            assertTrue(second.stdout().contains("serving BITS uploads into"), second.stdout());
            BitsClient bits = new BitsClient(second.url());
            assertEquals(200, bits.ping("/big.bin").status());
            // As a BITS client does after an interruption: resend the fragment it was sending, learn the offset.
            BitsClient.Ack resent = bits.fragment("/big.bin", id, file, 2 * fragment, 3 * fragment - 1);
            assertEquals(200, resent.status(), "the session survived kill -9: " + resent);
            assertEquals(3L * fragment, resent.received());
            long from = resent.received();
            while (from < file.length) {
                long last = Math.min(file.length, from + fragment) - 1;
                BitsClient.Ack a = bits.fragment("/big.bin", id, file, from, last);
                assertEquals(200, a.status(), a.toString());
                from = a.received();
            }
            assertFalse(Files.exists(dir.resolve("big.bin")), "not before Close-Session");
            assertEquals(200, bits.close("/big.bin", id).status());
            assertArrayEquals(file, Files.readAllBytes(dir.resolve("big.bin")));
            bits.disconnect();
        }
    }

    @Test
    void afterKillDashNineTheReceivedRangeIsWhatTheDiskHoldsAndTheClientResyncsFromIt() throws Exception {
        byte[] file = TestData.random(24 << 20, 12);
        String id;
        try (ServerProcess first = ServerProcess.start(LOGS, "--dir", dir.toString())) {
            BitsClient bits = new BitsClient(first.url());
            id = bits.session("/r.bin");
            assertEquals(1 << 20, bits.fragment("/r.bin", id, file, 0, (1 << 20) - 1).received());
            try (Socket s = halfAFragment(first, "/r.bin", id, file, 1 << 20, (24 << 20) - 1, 12 << 20)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (hiddenPartSize(dir) < (8 << 20) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                first.signal("KILL");
            }
            bits.disconnect();
        }
        try (ServerProcess second = ServerProcess.start(LOGS, "--dir", dir.toString())) {
            BitsClient bits = new BitsClient(second.url());
            // A fragment past what survived: 416 and the offset to go on from (at least the acked MiB, and what the
            // journal's ranges prove of the half-sent fragment).
            BitsClient.Ack probe = bits.fragment("/r.bin", id, file, (20 << 20), (24 << 20) - 1);
            assertEquals(416, probe.status(), probe.toString());
            long held = probe.received();
            assertTrue(held >= 1 << 20 && held <= 13 << 20, "held " + held);
            assertEquals(24 << 20, bits.fragment("/r.bin", id, file, held, (24 << 20) - 1).received());
            assertEquals(200, bits.close("/r.bin", id).status());
            assertArrayEquals(file, Files.readAllBytes(dir.resolve("r.bin")));
            bits.disconnect();
        }
    }

    @Test
    void sigtermStopsTheServerCleanlyAndTheSessionWaitsForTheNextStart() throws Exception {
        byte[] file = TestData.random(1 << 20, 13);
        String id;
        try (ServerProcess first = ServerProcess.start(LOGS, "--dir", dir.toString())) {
            assertTrue(first.stdout().matches("(?s)jbits: serving BITS uploads into .* at http://127\\.0\\.0\\.1:\\d+/\\s*"),
                    first.stdout());
            BitsClient bits = new BitsClient(first.url());
            id = bits.session("/t.bin");
            bits.fragment("/t.bin", id, file, 0, 99_999);
            bits.disconnect();
            int exit = first.signal("TERM");
            assertTrue(exit == 0 || exit == 143, "exit " + exit);
            assertFalse(first.stderr().contains("Exception"), first.stderr());
        }
        try (ServerProcess second = ServerProcess.start(LOGS, "--dir", dir.toString())) {
            BitsClient bits = new BitsClient(second.url());
            assertEquals((1 << 20), bits.fragment("/t.bin", id, file, 100_000, (1 << 20) - 1).received());
            assertEquals(200, bits.close("/t.bin", id).status());
            assertArrayEquals(file, Files.readAllBytes(dir.resolve("t.bin")));
            bits.disconnect();
        }
    }

    @Test
    void tenThousandCreateSessionsMeetTheCapWithBoundedMemory() throws Exception {
        // A 128 MiB heap: 5,000 open sessions and 10,000 requests must fit in it.
        try (ServerProcess server = ServerProcess.start(LOGS, java.util.List.of("-Xmx128m"), "--dir", dir.toString(),
                "--max-sessions", "5000")) {
            long before = server.rssKib();
            OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false)
                    .connectionPool(new ConnectionPool(4, 1, java.util.concurrent.TimeUnit.MINUTES)).build();
            BitsClient bits = new BitsClient(server.url(), http);
            int created = 0;
            int refused = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                BitsClient.Ack a = bits.create("/f" + i);
                if (a.status() == 200) {
                    created++;
                } else {
                    assertEquals(503, a.status(), a.toString());
                    assertEquals("0x801901f7", a.errorCode());
                    assertEquals("60", a.header("Retry-After"));
                    refused++;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long after = server.rssKib();
            System.out.printf("10,000 Create-Sessions in %.1f s: %d created, %d refused at the cap; RSS %d MiB before,"
                    + " %d MiB after%n", seconds, created, refused, before >> 10, after >> 10);
            assertEquals(5000, created);
            assertEquals(5000, refused);
            assertTrue(after < 400 << 10, "RSS " + (after >> 10) + " MiB");
            try (Stream<Path> s = Files.list(dir.resolve(UploadServer.STATE_DIRECTORY))) {
                assertEquals(5000, s.count(), "one journal per session");
            }
            bits.disconnect();
        }
    }
}
