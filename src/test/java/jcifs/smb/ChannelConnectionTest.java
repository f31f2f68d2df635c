package jcifs.smb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SMB connection's channel: what jcifs-ng expects of a socket, and what a blocking channel would not do. */
class ChannelConnectionTest {
    private ServerSocket server;
    private ChannelConnection connection;
    private Socket peer;

    @BeforeEach
    void connect() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        connection = ChannelConnection.connect(null,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5000);
        peer = accepted.get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws IOException {
        connection.close();
        peer.close();
        server.close();
    }

    @Test
    void aGatheringWriteOfDirectAndHeapBuffersArrivesInOrder() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length - 100);
        direct.put(data, 100, data.length - 100).flip();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                byte[] got = new byte[data.length];
                new DataInputStream(peer.getInputStream()).readFully(got);
                return got;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        connection.out().write(new ByteBuffer[] {ByteBuffer.wrap(data, 0, 100), direct});
        assertArrayEquals(data, read.get(10, TimeUnit.SECONDS));
        assertEquals(0, direct.remaining(), "the view given is consumed");
    }

    @Test
    void aReadWaitsNoLongerThanTheSocketsTimeout() throws Exception {
        connection.socket().setSoTimeout(300);
        long t0 = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> connection.in().read(new byte[10], 0, 10));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 250 && ms < 5000, ms + " ms");
        // Still usable after the timeout, as a socket's stream is.
        peer.getOutputStream().write(new byte[] {1, 2, 3});
        byte[] b = new byte[3];
        assertEquals(3, connection.in().read(b, 0, 3));
        assertArrayEquals(new byte[] {1, 2, 3}, b);
    }

    @Test
    void anInterruptedReaderAndWriterLeaveTheConnectionOpen() throws Exception {
        // A blocking channel would be closed by either interrupt; a socket, and this connection, are not.
        connection.socket().setSoTimeout(0);
        AtomicBoolean flagKept = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try {
                byte[] b = new byte[1];
                int n = connection.in().read(b, 0, 1);
                flagKept.set(n == 1 && b[0] == 42 && Thread.currentThread().isInterrupted());
            } catch (IOException e) {
                flagKept.set(false);
            }
        });
        reader.start();
        Thread.sleep(200);
        reader.interrupt();
        Thread.sleep(200);
        assertTrue(reader.isAlive(), "the read goes on after the interrupt");
        peer.getOutputStream().write(42);
        reader.join(5000);
        assertTrue(flagKept.get(), "the byte was read and the interrupt set again");

        // A writer whose peer does not read fills the socket's buffers and waits; interrupted, it goes on.
        byte[] big = new byte[64 << 20];
        AtomicBoolean written = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try {
                connection.out().write(big, 0, big.length);
                written.set(Thread.currentThread().isInterrupted());
            } catch (IOException e) {
                written.set(false);
            }
        });
        writer.start();
        Thread.sleep(300);
        writer.interrupt();
        Thread.sleep(200);
        assertTrue(writer.isAlive(), "the write goes on after the interrupt");
        InputStream in = peer.getInputStream();
        long total = 0;
        byte[] buf = new byte[1 << 20];
        while (total < big.length) {
            int n = in.read(buf);
            assertTrue(n > 0);
            total += n;
        }
        writer.join(5000);
        assertTrue(written.get(), "every byte written and the interrupt set again");
        assertFalse(connection.socket().isClosed());

        // And the connection still carries bytes both ways.
        OutputStream out = connection.out();
        out.write(7);
        assertEquals(7, in.read());
    }

    @Test
    void aWriteOnAClosedConnectionFails() {
        connection.close();
        assertTrue(connection.socket().isClosed());
        assertThrows(IOException.class, () -> connection.out().write(new byte[10], 0, 10));
    }
}
