package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sockets HttpTransport reads responses through and writes requests through: big reads and writes, but never
 * waiting for a full buffer, and no Nagle.
 */
class ReadBufferedSocketFactoryTest {
    @Test
    void aReadReturnsWhatHasArrivedWithoutWaitingForAFullBufferAndTimeoutsStillApply() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("ten bytes!".getBytes());
                    out.flush();
                    release.await(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // the test fails on its own side
                }
            });
            peer.start();
            try (Socket s = new ReadBufferedSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 2000);
                s.setSoTimeout(3000);
                InputStream in = s.getInputStream();
                assertTrue(in == s.getInputStream(), "one stream per socket, so no buffered byte is lost");
                byte[] b = new byte[8192];
                long t0 = System.nanoTime();
                int n = in.read(b);
                assertEquals(10, n, "the ten bytes that arrived, at once");
                assertArrayEquals("ten bytes!".getBytes(), Arrays.copyOf(b, n));
                assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "did not wait for the buffer to fill");
                s.setSoTimeout(200);
                assertThrows(SocketTimeoutException.class, () -> in.read(b), "SO_TIMEOUT still applies");
            } finally {
                release.countDown();
                peer.join(5000);
            }
        }
    }

    @Test
    void passesEveryByteInOrder() throws Exception {
        int size = 3 * ReadBufferedSocketFactory.BUFFER + 123;
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31);
        }
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(data);
                } catch (Exception ignored) {
                    // the test fails on its own side
                }
            });
            peer.start();
            try (Socket s = new ReadBufferedSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                InputStream in = s.getInputStream();
                byte[] got = in.readAllBytes();
                assertArrayEquals(data, got, "every byte, in order, through the buffer");
            }
            peer.join(5000);
        }
    }

    @Test
    void smallWritesArriveInOrderAFullBufferGoesAtOnceAndAFlushSendsTheRest() throws Exception {
        int size = 2 * ReadBufferedSocketFactory.BUFFER + 777;
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 7 + 3);
        }
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket s = new ReadBufferedSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                     server.getLocalPort());
             Socket peer = server.accept()) {
            assertTrue(s.getTcpNoDelay(), "no Nagle: a request's last segment is not held for the peer's ack");
            OutputStream out = s.getOutputStream();
            assertTrue(out == s.getOutputStream(), "one stream per socket, so no buffered byte is lost");
            peer.setSoTimeout(10_000);
            InputStream in = peer.getInputStream();
            // Okio's way: 8 KiB at a time, and odd sizes. A full buffer goes out without a flush.
            int at = 0;
            while (at < ReadBufferedSocketFactory.BUFFER) {
                int n = Math.min(at % 3 == 0 ? 8192 : 5000, ReadBufferedSocketFactory.BUFFER - at);
                out.write(data, at, n);
                at += n;
            }
            byte[] first = in.readNBytes(ReadBufferedSocketFactory.BUFFER);
            assertArrayEquals(Arrays.copyOf(data, at), first, "the full buffer arrived unflushed, in order");
            out.write(data[at++]);
            out.write(data, at, ReadBufferedSocketFactory.BUFFER);     // a large write goes straight through
            at += ReadBufferedSocketFactory.BUFFER;
            out.write(data, at, size - at);
            out.flush();
            byte[] rest = in.readNBytes(size - ReadBufferedSocketFactory.BUFFER);
            assertArrayEquals(Arrays.copyOfRange(data, ReadBufferedSocketFactory.BUFFER, size), rest,
                    "the rest, in order, once flushed");
        }
    }
}
