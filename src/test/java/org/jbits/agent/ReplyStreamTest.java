package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reply written in parts through the agent's I/O loop on a real socket: a reply many times the parts in flight
 * arrives whole and in order to a client that reads slowly, the connection then takes the next request, and a
 * client that goes away mid-reply makes the worker's next write fail instead of waiting for it.
 */
class ReplyStreamTest {
    private static final ConnectionLimits LIMITS = new ConnectionLimits(32, 4096, 64 * 1024,
            Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(30));
    /** Over {@link ReplyStream.Parted#PARTS_IN_FLIGHT} parts and more than a socket buffer holds. */
    private static final int BIG = 5 * 1024 * 1024 + 12_345;

    @TempDir
    Path dir;
    private Path sock;
    private ConnectionLoop loop;
    private Thread thread;
    private final ExecutorService workers = Executors.newFixedThreadPool(2);
    private final CompletableFuture<Throwable> streamEnd = new CompletableFuture<>();

    @BeforeEach
    void start() throws IOException {
        sock = dir.resolve("agent.sock");
        ListeningSocket socket = ListeningSocket.bind(sock);
        ConnectionLoop.Requests requests = (line, caller, reply) -> workers.execute(() -> {
            String request = new String(line, StandardCharsets.UTF_8);
            if (request.equals("small")) {
                reply.accept("small reply\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            ReplyStream out = reply.stream();
            try {
                byte[] pattern = pattern(BIG);
                // Odd-sized writes: parts are cut across them.
                for (int off = 0; off < pattern.length; off += 7_777) {
                    out.write(pattern, off, Math.min(7_777, pattern.length - off));
                }
                out.write('\n');
                out.close();
                streamEnd.complete(null);
            } catch (IOException e) {
                out.abort();
                streamEnd.complete(e);
            }
        });
        loop = new ConnectionLoop(socket, PeerCheck.ofSocketOwner(sock), requests, LIMITS);
        thread = new Thread(loop, "test-io");
        thread.start();
    }

    @AfterEach
    void stop() throws Exception {
        loop.shutdown(Duration.ofMillis(100));
        thread.join(10_000);
        workers.shutdownNow();
    }

    /** Bytes that are never a newline and differ from part to part. */
    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + (i * 31 + i / 65_536) % 26);
        }
        return b;
    }

    private SocketChannel open() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(sock));
        return c;
    }

    private static void send(SocketChannel c, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /** One line, read in small reads with pauses (a slow client), without its newline. */
    private static byte[] slowLine(SocketChannel c) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        for (int reads = 0; ; reads++) {
            buf.clear();
            int n = c.read(buf);
            if (n < 0) {
                throw new IOException("closed after " + got.size() + " bytes");
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == '\n') {
                    got.write(buf.array(), 0, i);
                    return got.toByteArray();
                }
            }
            got.write(buf.array(), 0, n);
            if (reads % 16 == 0) {
                Thread.sleep(5);
            }
        }
    }

    @Test
    void aReplyInPartsArrivesWholeToASlowReaderAndTheConnectionGoesOn() throws Exception {
        try (SocketChannel c = open()) {
            send(c, "big\n");
            assertArrayEquals(pattern(BIG), slowLine(c));
            assertEquals(null, streamEnd.get(30, TimeUnit.SECONDS));
            send(c, "small\n");
            assertEquals("small reply", new String(slowLine(c), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aClientGoneMidReplyFailsTheWorkersWriteInsteadOfHoldingIt() throws Exception {
        try (SocketChannel c = open()) {
            send(c, "big\n");
            ByteBuffer some = ByteBuffer.allocate(1000);
            assertTrue(c.read(some) > 0);
        }
        Throwable end = streamEnd.get(30, TimeUnit.SECONDS);
        assertInstanceOf(IOException.class, end, "the worker's write after the client left");
    }
}
