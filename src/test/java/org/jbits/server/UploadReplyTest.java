package org.jbits.server;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.jbits.server.BitsProtocolTest.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upload-reply: the complete upload goes to the back-end application (a command, or a URL by reference or by
 * value), its reply is announced in the final fragment's {@code BITS-Reply-URL} and downloaded from there as a
 * normal BITS download (HEAD, GET with Range), and the application's failure reaches the client in the
 * REMOTE_APPLICATION context.
 */
class UploadReplyTest {
    @TempDir(factory = OnTheBuildDisk.class)
    Path dir;

    /** A shell script as the notification command; its body sees the BITS_* variables. */
    private Path script(String body) throws Exception {
        Path s = dir.resolveSibling("notify-" + dir.getFileName() + "-" + System.nanoTime() + ".sh");
        Files.writeString(s, "#!/bin/sh\nset -e\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    /** Uploads {@code file} in fragments of {@code fragment}; returns the final fragment's ack. */
    private static BitsClient.Ack uploadUpToTheLastFragment(BitsClient bits, String path, String id, byte[] file,
            int fragment) {
        BitsClient.Ack a = null;
        for (int first = 0; first < file.length; first += fragment) {
            a = bits.fragment(path, id, file, first, Math.min(file.length, first + fragment) - 1);
            assertEquals(200, a.status(), a.toString());
        }
        return a;
    }

    @Test
    void theCommandsReplyIsServedAtTheReplyUrlWithRangesUntilClose() throws Exception {
        Path cmd = script("tr 'a-z' 'A-Z' < \"$BITS_REQUEST_DATAFILE_NAME\" > \"$BITS_RESPONSE_DATAFILE_NAME\"\n"
                + "printf '%s' \"$BITS_ORIGINAL_REQUEST_URL\" >> \"$BITS_RESPONSE_DATAFILE_NAME\"");
        try (UploadServer server = UploadServer.builder(dir).port(0).notifyCommand(List.of(cmd.toString())).build()
                .start()) {
            BitsClient bits = new BitsClient(server.url());
            byte[] file = "hello, upload-reply world; ".repeat(4000).getBytes(StandardCharsets.US_ASCII);
            String id = bits.session("/req.txt");
            BitsClient.Ack last = uploadUpToTheLastFragment(bits, "/req.txt", id, file, 30_000);
            String replyUrl = last.header("BITS-Reply-URL");
            assertNotNull(replyUrl, "the final fragment's ack names the reply: " + last);
            assertTrue(replyUrl.startsWith(server.url().toString()), replyUrl);
            byte[] expected = (new String(file, StandardCharsets.US_ASCII).toUpperCase() + server.url().resolve("/req.txt"))
                    .getBytes(StandardCharsets.US_ASCII);
            String path = URI.create(replyUrl).getRawPath();
            BitsClient.Ack head = bits.call("HEAD", path, Map.of(), null);
            assertEquals(200, head.status());
            assertEquals(Integer.toString(expected.length), head.header("Content-Length"));
            assertEquals("bytes", head.header("Accept-Ranges"));
            BitsClient.Ack whole = bits.call("GET", path, Map.of(), null);
            assertArrayEquals(expected, whole.body());
            BitsClient.Ack part = bits.call("GET", path, Map.of("Range", "bytes=100-"), null);
            assertEquals(206, part.status());
            assertEquals("bytes 100-" + (expected.length - 1) + "/" + expected.length, part.header("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(expected, 100, expected.length), part.body());
            BitsClient.Ack ifRange = bits.call("GET", path, Map.of("Range", "bytes=0-9", "If-Range", head.header("ETag")),
                    null);
            assertArrayEquals(Arrays.copyOfRange(expected, 0, 10), ifRange.body());
            assertEquals(200, bits.call("GET", path, Map.of("Range", "bytes=0-9", "If-Range", "\"other\""), null).status());
            assertEquals(416, bits.call("GET", path, Map.of("Range", "bytes=" + expected.length + "-"), null).status());
            // The final fragment sent again (its ack was lost) names the same reply; the command does not run again.
            BitsClient.Ack again = bits.fragment("/req.txt", id, file, file.length - 10, file.length - 1);
            assertEquals(replyUrl, again.header("BITS-Reply-URL"));
            assertEquals(200, bits.close("/req.txt", id).status());
            assertFalse(Files.exists(dir.resolve("req.txt")), "by default the application keeps the upload, not the server");
            assertEquals(404, bits.call("GET", path, Map.of(), null).status(), "the reply is gone with its session");
            bits.disconnect();
        }
    }

    @Test
    void aFailingCommandIsTheApplicationsErrorAndTheFinalFragmentCanBeSentAgain() throws Exception {
        Path flag = dir.resolveSibling("flag-" + dir.getFileName());
        Path cmd = script("if [ ! -e '" + flag + "' ]; then touch '" + flag + "'; exit 3; fi\n"
                + "echo 'BITS-Copy-File-To-Destination: yes'\necho done > \"$BITS_RESPONSE_DATAFILE_NAME\"");
        try (UploadServer server = UploadServer.builder(dir).port(0).notifyCommand(List.of(cmd.toString())).build()
                .start()) {
            BitsClient bits = new BitsClient(server.url());
            byte[] file = TestData.random(50_000, 1);
            String id = bits.session("/kept.bin");
            bits.fragment("/kept.bin", id, file, 0, 39_999);
            BitsClient.Ack failed = bits.fragment("/kept.bin", id, file, 40_000, 49_999);
            assertError(failed, 500, "0x801901f4");
            assertEquals("0x7", failed.header("BITS-Error-Context"), "REMOTE_APPLICATION");
            assertEquals(50_000, failed.received(), "the bytes are safe; only the application failed");
            BitsClient.Ack retried = bits.fragment("/kept.bin", id, file, 40_000, 49_999);
            assertEquals(200, retried.status(), retried.toString());
            assertNotNull(retried.header("BITS-Reply-URL"));
            assertEquals(200, bits.close("/kept.bin", id).status());
            assertArrayEquals(file, Files.readAllBytes(dir.resolve("kept.bin")), "BITS-Copy-File-To-Destination kept it");
            bits.disconnect();
        } finally {
            Files.deleteIfExists(flag);
        }
    }

    @Test
    void anApplicationSlowerThanTheIdleTimeoutStillGetsItsAckThrough() throws Exception {
        Path cmd = script("sleep 3\necho slow > \"$BITS_RESPONSE_DATAFILE_NAME\"");
        try (UploadServer server = UploadServer.builder(dir).port(0).idleTimeout(java.time.Duration.ofSeconds(1))
                .notifyCommand(List.of(cmd.toString())).build().start()) {
            BitsClient bits = new BitsClient(server.url());
            byte[] file = TestData.random(1000, 4);
            String id = bits.session("/slow-app.bin");
            BitsClient.Ack last = bits.fragment("/slow-app.bin", id, file, 0, 999);
            assertEquals(200, last.status(), last.toString());
            assertNotNull(last.header("BITS-Reply-URL"));
            bits.disconnect();
        }
    }

    @Test
    void aUrlApplicationGetsTheUploadByValueAndItsResponseBodyIsTheReply() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicReference<byte[]> received = new AtomicReference<>();
        AtomicReference<String> original = new AtomicReference<>();
        app.createContext("/app", ex -> {
            received.set(ex.getRequestBody().readAllBytes());
            original.set(ex.getRequestHeaders().getFirst("BITS-Original-Request-URL"));
            byte[] reply = ("got " + received.get().length + " bytes").getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, reply.length);
            ex.getResponseBody().write(reply);
            ex.close();
        });
        app.start();
        try (UploadServer server = UploadServer.builder(dir).port(0)
                .notifyUrl(URI.create("http://127.0.0.1:" + app.getAddress().getPort() + "/app"), true).build().start()) {
            BitsClient bits = new BitsClient(server.url());
            byte[] file = TestData.random(300_000, 2);
            String id = bits.session("/v.bin");
            BitsClient.Ack last = uploadUpToTheLastFragment(bits, "/v.bin", id, file, 100_000);
            assertArrayEquals(file, received.get());
            assertEquals(server.url().resolve("/v.bin").toString(), original.get());
            BitsClient.Ack reply = bits.call("GET", URI.create(last.header("BITS-Reply-URL")).getRawPath(), Map.of(), null);
            assertEquals("got 300000 bytes", new String(reply.body(), StandardCharsets.US_ASCII));
            assertEquals(200, bits.close("/v.bin", id).status());
            bits.disconnect();
        } finally {
            app.stop(0);
        }
    }

    @Test
    void aUrlApplicationByReferenceReadsTheRequestFileAndMayAnswerWithAStaticReplyOrAnError() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicReference<byte[]> read = new AtomicReference<>();
        app.createContext("/ref", ex -> {
            String request = ex.getRequestHeaders().getFirst("BITS-Request-DataFile-Name");
            assertEquals(request, ex.getRequestHeaders().getFirst("BITS-Request-DataEntity-Name"));
            read.set(Files.readAllBytes(Path.of(request)));
            if (read.get().length == 7) {
                ex.getResponseHeaders().add("BITS-Error", "0x80070005");
                ex.sendResponseHeaders(403, -1);
            } else {
                ex.getResponseHeaders().add("BITS-Static-Response-URL", "http://updates.example/pkg-42.cab");
                ex.sendResponseHeaders(200, -1);
            }
            ex.close();
        });
        app.start();
        try (UploadServer server = UploadServer.builder(dir).port(0)
                .notifyUrl(URI.create("http://127.0.0.1:" + app.getAddress().getPort() + "/ref"), false).build().start()) {
            BitsClient bits = new BitsClient(server.url());
            byte[] file = TestData.random(20_000, 3);
            String id = bits.session("/r.bin");
            BitsClient.Ack last = uploadUpToTheLastFragment(bits, "/r.bin", id, file, 20_000);
            assertArrayEquals(file, read.get());
            assertEquals("http://updates.example/pkg-42.cab", last.header("BITS-Reply-URL"));
            assertEquals(200, bits.close("/r.bin", id).status());
            String denied = bits.session("/d.bin");
            BitsClient.Ack refused = bits.fragment("/d.bin", denied, "7 bytes".getBytes(StandardCharsets.US_ASCII), 0, 6);
            assertError(refused, 403, "0x80070005");
            assertEquals("0x7", refused.header("BITS-Error-Context"), "the application's own code, [MC-BUP] spelling read");
            bits.disconnect();
        } finally {
            app.stop(0);
        }
    }
}
