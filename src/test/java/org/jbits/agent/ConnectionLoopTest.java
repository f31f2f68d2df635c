package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jbits.HResult;
import org.jbits.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's I/O loop on a real socket, with small limits and a request handler that echoes: its bounds hold
 * against clients that never finish, and a well-behaved client is still answered.
 */
class ConnectionLoopTest {
    private static final ConnectionLimits LIMITS = new ConnectionLimits(32, 4096, 64 * 1024,
            Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(5));

    @TempDir
    Path dir;
    private Path sock;
    private ConnectionLoop loop;
    private Thread thread;
    private final AtomicLong handled = new AtomicLong();
    private final List<SocketChannel> opened = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        start(LIMITS);
    }

    private void start(ConnectionLimits limits) throws IOException {
        sock = dir.resolve("agent.sock");
        ListeningSocket socket = ListeningSocket.bind(sock);
        ConnectionLoop.Requests echo = (line, caller, reply) -> {
            handled.incrementAndGet();
            String json = Json.object().put("ok", true).put("echo", new String(line, StandardCharsets.UTF_8))
                    .put("uid", caller.uid()).toString();
            reply.accept((json + "\n").getBytes(StandardCharsets.UTF_8));
        };
        loop = new ConnectionLoop(socket, PeerCheck.ofSocketOwner(sock), echo, limits);
        thread = new Thread(loop, "test-io");
        thread.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (SocketChannel c : opened) {
            c.close();
        }
        loop.shutdown(Duration.ofMillis(100));
        thread.join(10_000);
    }

    private SocketChannel open() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(sock));
        opened.add(c);
        return c;
    }

    private static void send(SocketChannel c, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /** One reply line, or null at end of stream. */
    private static JsonNode reply(SocketChannel c) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (c.read(one) < 0) {
                return sb.length() == 0 ? null : Json.parse(sb.toString());
            }
            char ch = (char) one.get(0);
            if (ch == '\n') {
                return Json.parse(sb.toString());
            }
            sb.append(ch);
        }
    }

    /**
     * True when the agent has closed {@code c}: end of stream, or a reset, which a Unix socket reports to the peer
     * of one closed with bytes still unread (after the bytes sent before it, which are read first).
     */
    private static boolean closed(SocketChannel c) throws IOException {
        try {
            return reply(c) == null;
        } catch (java.net.SocketException reset) {
            return reset.getMessage().contains("reset");
        }
    }

    @Test
    void aFloodOfConnectionsThatNeverFinishALineCannotKeepANewClientFromBeingAnswered() throws Exception {
        int threadsBefore = Thread.activeCount();
        for (int i = 0; i < 500; i++) {
            send(open(), "{\"op\":\"sta");
        }
        long t0 = System.nanoTime();
        SocketChannel c = open();
        send(c, "{\"op\":\"status\"}\n");
        JsonNode r = reply(c);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("{\"op\":\"status\"}", r.path("echo").asText(), r.toString());
        assertTrue(millis < 1000, "answered in " + millis + " ms");
        assertTrue(loop.connectionCount() <= LIMITS.maxConnections(), "held " + loop.connectionCount());
        assertTrue(Thread.activeCount() <= threadsBefore + 1, "threads " + threadsBefore + " -> " + Thread.activeCount());
        assertEquals(1, handled.get(), "no half line was handled as a request");
    }

    @Test
    void aLineOverTheLimitGetsOneErrorAndTheConnectionIsClosedWithoutReadingTheRest() throws Exception {
        SocketChannel c = open();
        Thread writer = new Thread(() -> {
            try {
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                for (int i = 0; i < 1600; i++) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        c.write(chunk);
                    }
                }
            } catch (IOException expected) {
                // the agent closed the connection
            }
        });
        writer.start();
        JsonNode r = reply(c);
        assertEquals(HResult.E_INVALIDARG, r.path("hresult").asInt(), r.toString());
        assertTrue(r.path("message").asText().contains("over 4096 bytes"), r.toString());
        assertTrue(closed(c), "closed after the one error");
        writer.join(30_000);
        assertTrue(!writer.isAlive(), "the writer was stopped by the closed connection, not by sending 100 MB");
        assertEquals(0, handled.get());
    }

    @Test
    void aRequestThatDoesNotArriveInTimeIsAnsweredAndClosed() throws Exception {
        SocketChannel c = open();
        send(c, "{\"op\":");
        long t0 = System.nanoTime();
        JsonNode r = reply(c);
        assertEquals(HResult.E_INVALIDARG, r.path("hresult").asInt(), r.toString());
        assertTrue(r.path("message").asText().contains("did not arrive"), r.toString());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 3000);
        assertTrue(closed(c));
    }

    @Test
    void requestsSentTogetherAreAnsweredInOrderOnOneConnection() throws Exception {
        SocketChannel c = open();
        send(c, "{\"n\":1}\n{\"n\":2}\n{\"n\":");
        assertEquals("{\"n\":1}", reply(c).path("echo").asText());
        assertEquals("{\"n\":2}", reply(c).path("echo").asText());
        send(c, "3}\n");
        JsonNode third = reply(c);
        assertEquals("{\"n\":3}", third.path("echo").asText());
        assertEquals(Files.getAttribute(sock, "unix:uid"), third.path("uid").asInt(), "the caller is the peer's uid");
    }

    @Test
    void unfinishedLinesTogetherCannotTakeMoreThanTheBudget() throws Exception {
        // 64 KiB in all: a few connections with 3 KiB each fit, and the one that would pass it is refused.
        List<SocketChannel> held = new ArrayList<>();
        String part = "x".repeat(3000);
        JsonNode refused = null;
        for (int i = 0; i < 32 && refused == null; i++) {
            SocketChannel c = open();
            send(c, part);
            held.add(c);
            c.configureBlocking(false);
            Await.sleep(20);
            ByteBuffer b = ByteBuffer.allocate(512);
            if (c.read(b) > 0) {
                refused = Json.parse(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim());
            }
        }
        assertTrue(refused != null, "one connection was refused");
        assertEquals(HResult.E_OUTOFMEMORY, refused.path("hresult").asInt(), refused.toString());
        assertTrue(held.size() > 4, "the first ones fitted: " + held.size());
    }

    @Test
    void aRemovedOrReplacedSocketFileIsBoundAgain() throws Exception {
        Files.delete(sock);
        Await.until(Duration.ofSeconds(5), "the socket bound again", () -> Files.exists(sock));
        SocketChannel c = open();
        send(c, "{}\n");
        assertEquals("{}", reply(c).path("echo").asText());

        Files.delete(sock);
        Files.writeString(sock, "not a socket");
        Await.until(Duration.ofSeconds(5), "the socket bound again", () -> !Files.isRegularFile(sock) && Files.exists(sock));
        SocketChannel d = open();
        send(d, "{}\n");
        assertEquals("{}", reply(d).path("echo").asText());
        assertEquals("{}", reply(sendAgain(c)).path("echo").asText(), "connections made before go on being served");
    }

    private static SocketChannel sendAgain(SocketChannel c) throws IOException {
        send(c, "{}\n");
        return c;
    }

    @Test
    void stoppingRemovesTheSocketFile() {
        loop.stopAccepting();
        assertTrue(!Files.exists(sock));
    }
}
