package org.jbits.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting TCP relay on a free 127.0.0.1 port in front of a real server (smbd): it forwards both ways,
 * holds the server's replies to a byte rate (so a transfer is observably in progress for seconds), and can
 * {@link #cut} every connection it carries, as a network that drops. Threads are daemons; {@link #close} ends all.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** The local port of every connection the relay has made to the server, open or closed. */
    private final Set<Integer> upstreamPorts = ConcurrentHashMap.newKeySet();
    private volatile long bytesPerSecond;
    /** The rate of what the client sends to the server (an upload's bytes); 0: no limit. */
    private volatile long upBytesPerSecond;
    private volatile boolean closed;
    /** Each connection accepted from now on ends after this many bytes of the server's replies; 0: never. */
    private volatile long endAfter;
    /** Each connection accepted from now on ends at the reply to an SMB2 READ (or WRITE) at this offset; -1: never. */
    private volatile long endAtReadAt = -1;
    /** ... that command's ({@link #SMB2_READ} or {@link #SMB2_WRITE}). */
    private volatile int endAtCommand = SMB2_READ;
    /** ... inside that reply (half of it), or right after it. */
    private volatile boolean endInside;
    /** ... after this many bytes of it (its 4-byte frame header counted), when above 0. */
    private volatile int endAfterBytesOfReply;
    /** Whether connections accepted from now on hold each interim reply until its final one (see below). */
    private volatile boolean interimsWithFinals;
    private final AtomicLong interimsHeld = new AtomicLong();
    private final AtomicLong interimCredits = new AtomicLong();

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

    /**
     * Makes every connection accepted from now on end (both ways closed) after exactly {@code bytes} of the server's
     * replies have been forwarded, wherever that falls in a message; 0: connections run on.
     */
    public void endAfter(long bytes) {
        this.endAfter = bytes;
    }

    /**
     * Makes every connection accepted from now on carry SMB2 message by message, and end (a FIN) at smbd's reply to
     * the first READ request at file offset {@code offset}: half-way through it when {@code inside}, else 300 ms after
     * it; -1: connections run on.
     */
    public void endAtReplyToReadAt(long offset, boolean inside) {
        this.endInside = inside;
        this.endAfterBytesOfReply = 0;
        this.endAtCommand = SMB2_READ;
        this.endAtReadAt = offset;
    }

    /**
     * Makes every connection accepted from now on carry SMB2 message by message, and end (a FIN) after the first
     * {@code bytes} bytes (its 4-byte frame header counted) of smbd's reply to the first WRITE request at file offset
     * {@code offset}.
     */
    public void endInsideReplyToWriteAt(long offset, int bytes) {
        this.endInside = true;
        this.endAfterBytesOfReply = bytes;
        this.endAtCommand = SMB2_WRITE;
        this.endAtReadAt = offset;
    }

    /**
     * Makes every connection accepted from now on carry smbd's replies message by message and hold each interim reply
     * (STATUS_PENDING, async: MS-SMB2 3.3.4.2) until the final reply to the same request comes, then send both in one
     * write: the client reads the final reply right after the interim one, as it does whenever a slow operation
     * completes just after smbd said it would be slow.
     */
    public void interimsWithFinals() {
        this.interimsWithFinals = true;
    }

    /** How many interim replies the relay has held so far (on every connection). */
    public long interimsHeld() {
        return interimsHeld.get();
    }

    /** The credits those interim replies granted (their CreditResponse fields, summed). */
    public long interimCredits() {
        return interimCredits.get();
    }

    /** Closes every connection the relay carries now (new ones are still accepted). */
    public void cut() {
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /** Whether every connection the relay has carried is closed both ways (what it was sent, it has forwarded). */
    public boolean idle() {
        return open.isEmpty();
    }

    /** The local port of every connection the relay has made to the server, as the server sees its client. */
    public Set<Integer> upstreamPorts() {
        return Set.copyOf(upstreamPorts);
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
                upstreamPorts.add(server.getLocalPort());
                long readAt = endAtReadAt;
                if (readAt >= 0) {
                    boolean half = endInside;
                    int command = endAtCommand;
                    int cut = endAfterBytesOfReply;
                    Set<Long> marked = ConcurrentHashMap.newKeySet();
                    framed(client, server, frame -> {
                        if (isSmb2(frame) && le16(frame, 12) == command && le64(frame, 72) == readAt
                                && marked.isEmpty()) {
                            marked.add(le64(frame, 24));
                        }
                        return false;
                    }, frame -> frame.length);
                    // At its final reply: smbd may answer a slow read first with an interim one.
                    framed(server, client, frame -> isSmb2(frame) && marked.contains(le64(frame, 24))
                            && !isInterim(frame),
                            frame -> !half ? frame.length : cut > 0 ? Math.min(cut, frame.length) : frame.length / 2);
                    continue;
                }
                if (interimsWithFinals) {
                    pump(client, server, () -> upBytesPerSecond, 0);
                    holdingInterims(server, client);
                    continue;
                }
                pump(client, server, () -> upBytesPerSecond, 0);
                pump(server, client, () -> bytesPerSecond, endAfter);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, java.util.function.LongSupplier limit, long endAfter) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            long start = System.nanoTime();
            long sent = 0;
            long total = 0;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (endAfter > 0 && total + n >= endAfter) {
                        out.write(buf, 0, (int) (endAfter - total));
                        out.flush();
                        // Only the FIN: the client reads every byte before it, then closes; the other pump sees
                        // that and closes both (closing here could send a reset that discards the bytes).
                        to.shutdownOutput();
                        return;
                    }
                    total += n;
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
            }
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }, "tcp-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static final int SMB2_READ = 8;
    private static final int SMB2_WRITE = 9;

    /**
     * Forwards {@code from} to {@code to} one NetBIOS session message at a time (4-byte header, 24-bit length); after
     * the message {@code endAt} picks (the first {@code sent} bytes of it) comes the FIN (see {@link #pump}).
     */
    private void framed(Socket from, Socket to, java.util.function.Predicate<byte[]> endAt,
            java.util.function.ToIntFunction<byte[]> sent) {
        messages("tcp-relay-framed", from, to, (in, out) -> {
            while (true) {
                byte[] frame = readFrame(in);
                if (endAt.test(frame)) {
                    int n = sent.applyAsInt(frame);
                    out.write(frame, 0, n);
                    out.flush();
                    if (n == frame.length) {
                        // A whole message, then the end a while later: the client has taken the message by then.
                        Thread.sleep(300);
                    }
                    to.shutdownOutput();
                    return;
                }
                out.write(frame);
            }
        });
    }

    private static final long STATUS_PENDING = 0x103;
    private static final int SMB2_FLAGS_ASYNC_COMMAND = 0x2;

    /** Forwards smbd's replies message by message, each interim reply held and sent with its request's final one. */
    private void holdingInterims(Socket from, Socket to) {
        Map<Long, byte[]> held = new HashMap<>();
        messages("tcp-relay-interims", from, to, (in, out) -> {
            while (true) {
                byte[] frame = readFrame(in);
                if (!isSmb2(frame)) {
                    out.write(frame);
                    continue;
                }
                long mid = le64(frame, 24);
                if (isInterim(frame)) {
                    held.put(mid, frame);
                    interimsHeld.incrementAndGet();
                    interimCredits.addAndGet(le16(frame, 14));
                    continue;
                }
                byte[] interim = held.remove(mid);
                if (interim != null) {
                    byte[] both = Arrays.copyOf(interim, interim.length + frame.length);
                    System.arraycopy(frame, 0, both, interim.length, frame.length);
                    frame = both;
                }
                out.write(frame);
            }
        });
    }

    /** What a message-by-message direction of a connection does with what it reads. */
    private interface Forwarding {
        void run(DataInputStream in, OutputStream out) throws IOException, InterruptedException;
    }

    /**
     * Runs {@code forwarding} from {@code from} to {@code to} on a daemon thread; when it ends (either side closed,
     * or the relay cut the connection), both sockets are closed.
     */
    private void messages(String name, Socket from, Socket to, Forwarding forwarding) {
        Thread t = new Thread(() -> {
            try {
                forwarding.run(new DataInputStream(from.getInputStream()), to.getOutputStream());
            } catch (IOException | InterruptedException e) {
                // the other side closed, or the relay cut the connection
            }
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** The next NetBIOS session message (4-byte header, 24-bit length), its header included. */
    private static byte[] readFrame(DataInputStream in) throws IOException {
        byte[] head = new byte[4];
        in.readFully(head);
        int len = (head[1] & 0xff) << 16 | (head[2] & 0xff) << 8 | head[3] & 0xff;
        byte[] frame = new byte[4 + len];
        System.arraycopy(head, 0, frame, 0, 4);
        in.readFully(frame, 4, len);
        return frame;
    }

    /** Whether an SMB2 message is an interim reply: async, STATUS_PENDING (MS-SMB2 3.3.4.2). */
    private static boolean isInterim(byte[] frame) {
        return (le32(frame, 16) & SMB2_FLAGS_ASYNC_COMMAND) != 0 && le32(frame, 8) == STATUS_PENDING;
    }

    /** Whether a NetBIOS message carries an SMB2 header (offsets below count from that header). */
    private static boolean isSmb2(byte[] frame) {
        return frame.length >= 4 + 64 && frame[4] == (byte) 0xFE && frame[5] == 'S' && frame[6] == 'M' && frame[7] == 'B';
    }

    private static int le16(byte[] frame, int at) {
        return frame.length < 4 + at + 2 ? -1 : (frame[4 + at] & 0xff) | (frame[5 + at] & 0xff) << 8;
    }

    private static long le32(byte[] frame, int at) {
        if (frame.length < 4 + at + 4) {
            return -1;
        }
        return (frame[4 + at] & 0xffL) | (frame[5 + at] & 0xffL) << 8 | (frame[6 + at] & 0xffL) << 16
                | (frame[7 + at] & 0xffL) << 24;
    }

    private static long le64(byte[] frame, int at) {
        if (frame.length < 4 + at + 8) {
            return -1;
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (frame[4 + at + i] & 0xff);
        }
        return v;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
