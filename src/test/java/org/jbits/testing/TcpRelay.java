package org.jbits.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fault-injecting TCP relay on a free 127.0.0.1 port in front of a real server (smbd): it forwards both ways,
 * holds the server's replies to a byte rate (so a transfer is observably in progress for seconds), and can
 * {@link #cut} every connection it carries, as a network that drops. Threads are daemons; {@link #close} ends all.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile long bytesPerSecond;
    /** The rate of what the client sends to the server (an upload's bytes); 0: no limit. */
    private volatile long upBytesPerSecond;
    private volatile boolean closed;

    private TcpRelay(int targetPort, long bytesPerSecond) throws IOException {
        this.targetPort = targetPort;
        this.bytesPerSecond = bytesPerSecond;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "tcp-relay-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** A relay to 127.0.0.1:{@code targetPort} holding replies to {@code bytesPerSecond} (0: no limit). */
    public static TcpRelay to(int targetPort, long bytesPerSecond) {
        try {
            return new TcpRelay(targetPort, bytesPerSecond);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Holds what the client sends (an upload's writes) to {@code bytesPerSecond} from now on (0: no limit). */
    public void upstreamRate(long bytesPerSecond) {
        this.upBytesPerSecond = bytesPerSecond;
    }

    /** Changes the rate of the server's replies from now on (0: no limit). */
    public void rate(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Closes every connection the relay carries now (new ones are still accepted). */
    public void cut() {
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        cut();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                open.add(client);
                open.add(server);
                pump(client, server, () -> upBytesPerSecond);
                pump(server, client, () -> bytesPerSecond);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, java.util.function.LongSupplier limit) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            long start = System.nanoTime();
            long sent = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    long rate = limit.getAsLong();
                    if (rate > 0) {
                        sent += n;
                        long due = start + sent * 1_000_000_000L / rate;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } else if (wait < -200_000_000L) {
                            // No burst after a quiet spell: the rate counts from now.
                            start = System.nanoTime();
                            sent = 0;
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the other side closed, or the relay cut the connection
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
