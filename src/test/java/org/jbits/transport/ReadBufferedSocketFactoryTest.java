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

/** The sockets HttpTransport reads responses through: big reads, but never waiting for a full buffer. */
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
}
