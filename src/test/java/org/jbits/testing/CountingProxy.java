package org.jbits.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A forwarding HTTP/1.1 proxy in front of a server (a "reverse proxy": clients use its URL as the server's) that
 * counts what reaches the server: every request with its method, {@code BITS-Packet-Type}, {@code Content-Range},
 * the body bytes it forwarded and the answer's status and {@code BITS-Received-Content-Range}. A request cut short
 * by the client (a kill -9) is forwarded as far as it came and the server then sees the connection end, as it would
 * without the proxy. The server behind it can change ({@link #target}): a restarted server on a new port keeps the
 * client's URL.
 *
 * <p>{@link #resentBytes()} is the server's view of an upload's waste: the fragment bytes that reached the server
 * for offsets that had reached it before.
 */
public final class CountingProxy implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("(?i)bytes\\s+(\\d+)-(\\d+)/(\\d+)");

    /** One request as it passed; {@code status} -1 when no answer came back. */
    public record Packet(String method, String path, String type, String contentRange, long declaredLength,
            long forwarded, int status, String received, String range) {
        /** The first byte of a fragment's Content-Range, or -1. */
        public long first() {
            Matcher m = contentRange == null ? null : RANGE.matcher(contentRange.trim());
            return m != null && m.matches() ? Long.parseLong(m.group(1)) : -1;
        }

        public boolean isFragment() {
            return type != null && type.equalsIgnoreCase("Fragment");
        }
    }

    private final ServerSocket listener;
    private volatile InetSocketAddress target;
    private final List<Packet> packets = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger threads = new AtomicInteger();
    private volatile boolean closed;
    /** Request bodies go through at most this fast (0: at full speed). */
    private volatile long bytesPerSecond;
    /** Response bodies go through at most this fast (0: at full speed). */
    private volatile long responseBytesPerSecond;
    /** The next fragment's connection is cut after this many body bytes (-1: none). */
    private volatile long cutAfter = -1;
    /** Fragments declaring more bytes than this get their connection closed at once, as a server may refuse them. */
    private volatile long refuseOver = Long.MAX_VALUE;
    /** The end of the fragment bytes forwarded so far, highest of all: where an upload is, acked or on its way. */
    private final java.util.concurrent.atomic.AtomicLong frontier = new java.util.concurrent.atomic.AtomicLong();

    private CountingProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::accept, "counting-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    /** A proxy on a free loopback port in front of {@code target}. */
    public static CountingProxy start(InetSocketAddress target) throws IOException {
        return new CountingProxy(target);
    }

    /** Request bodies go through at most {@code rate} bytes per second from now on (0: at full speed). */
    public CountingProxy throttle(long rate) {
        this.bytesPerSecond = rate;
        return this;
    }

    /** Response bodies (a reply's download) go through at most {@code rate} bytes per second (0: at full speed). */
    public CountingProxy throttleResponses(long rate) {
        this.responseBytesPerSecond = rate;
        return this;
    }

    /** Cuts the next fragment's connection (both sides) after {@code bytes} of its body: a network that fails. */
    public CountingProxy cutNextFragmentAfter(long bytes) {
        this.cutAfter = bytes;
        return this;
    }

    /** Closes the connection of every fragment of more than {@code bytes} before its body: a server's size limit. */
    public CountingProxy refuseFragmentsOver(long bytes) {
        this.refuseOver = bytes;
        return this;
    }

    /** Where new connections go from now on. */
    public void target(InetSocketAddress next) {
        this.target = next;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT} + {@code path}. */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Every request so far, in the order their answers (or failures) came. */
    public List<Packet> packets() {
        return List.copyOf(packets);
    }

    /** The fragments so far. */
    public List<Packet> fragments() {
        return packets.stream().filter(Packet::isFragment).toList();
    }

    /** Fragment body bytes forwarded to the server, in all. */
    public long fragmentBytes() {
        return fragments().stream().mapToLong(Packet::forwarded).sum();
    }

    /** Of the fragment bytes forwarded, those for offsets forwarded before (the ones the server got twice). */
    public long resentBytes() {
        return resentBytes(fragments());
    }

    /** {@link #resentBytes()} over {@code fragments}, in their order. */
    public static long resentBytes(List<Packet> fragments) {
        TreeMap<Long, Long> covered = new TreeMap<>();
        long resent = 0;
        for (Packet p : fragments) {
            long first = p.first();
            if (first < 0 || p.forwarded() <= 0) {
                continue;
            }
            long end = first + p.forwarded();
            resent += overlap(covered, first, end);
            add(covered, first, end);
        }
        return resent;
    }

    private static long overlap(TreeMap<Long, Long> covered, long start, long end) {
        long n = 0;
        for (Map.Entry<Long, Long> e : covered.entrySet()) {
            long s = Math.max(start, e.getKey());
            long t = Math.min(end, e.getValue());
            if (t > s) {
                n += t - s;
            }
        }
        return n;
    }

    private static void add(TreeMap<Long, Long> covered, long start, long end) {
        long s = start;
        long t = end;
        for (Map.Entry<Long, Long> e : new ArrayList<>(covered.entrySet())) {
            if (e.getKey() <= t && e.getValue() >= s) {
                s = Math.min(s, e.getKey());
                t = Math.max(t, e.getValue());
                covered.remove(e.getKey());
            }
        }
        covered.put(s, t);
    }

    /** Closes every connection through the proxy now (a network that drops), keeping the proxy listening. */
    public void dropConnections() {
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "counting-proxy-" + threads.incrementAndGet());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    Await.sleep(10);
                }
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try (client) {
            InputStream cin = client.getInputStream();
            OutputStream cout = client.getOutputStream();
            while (!closed) {
                Head req = Head.read(cin);
                if (req == null) {
                    return;
                }
                if (upstream == null) {
                    upstream = new Socket();
                    upstream.connect(target, 5000);
                    open.add(upstream);
                }
                InputStream uin = upstream.getInputStream();
                OutputStream uout = upstream.getOutputStream();
                uout.write(req.raw);
                long declared = req.contentLength();
                long forwarded = 0;
                long cut = cutAfter;
                if ("fragment".equalsIgnoreCase(String.valueOf(req.header("bits-packet-type")))
                        && declared > refuseOver) {
                    packets.add(new Packet(req.method(), req.path(), req.header("bits-packet-type"),
                            req.header("content-range"), declared, 0, -1, null, req.header("range")));
                    return;
                }
                boolean cutting = cut >= 0 && "fragment".equalsIgnoreCase(String.valueOf(req.header("bits-packet-type")))
                        && cut < declared;
                if (cutting) {
                    cutAfter = -1;
                }
                long fragmentFirst = "fragment".equalsIgnoreCase(String.valueOf(req.header("bits-packet-type")))
                        ? new Packet(null, null, null, req.header("content-range"), 0, 0, 0, null, null).first() : -1;
                forwarded = copy(cin, uout, cutting ? cut : declared, true, fragmentFirst);
                if (cutting || forwarded < declared) {
                    // Cut here, or one side is gone mid-body: the other sees its connection end there.
                    packets.add(new Packet(req.method(), req.path(), req.header("bits-packet-type"),
                            req.header("content-range"), declared, forwarded, -1, null, req.header("range")));
                    if (cutting) {
                        return;
                    }
                    try {
                        uout.flush();
                        upstream.shutdownOutput();
                    } catch (IOException serverGone) {
                        // nothing more reaches it
                    }
                }
                if (forwarded < declared) {
                    return;
                }
                uout.flush();
                Head resp;
                try {
                    resp = Head.read(uin);
                } catch (IOException e) {
                    resp = null;
                }
                packets.add(new Packet(req.method(), req.path(), req.header("bits-packet-type"),
                        req.header("content-range"), declared, forwarded, resp == null ? -1 : resp.status(),
                        resp == null ? null : resp.header("bits-received-content-range"), req.header("range")));
                if (resp == null) {
                    return;
                }
                cout.write(resp.raw);
                boolean noBody = req.method().equals("HEAD") || resp.status() == 204 || resp.status() == 304
                        || resp.status() < 200;
                if (!noBody) {
                    if ("chunked".equalsIgnoreCase(String.valueOf(resp.header("transfer-encoding")).trim())) {
                        copyChunked(uin, cout);
                    } else if (resp.contentLength() >= 0) {
                        copy(uin, cout, resp.contentLength(), false);
                    } else {
                        uin.transferTo(cout);
                        cout.flush();
                        return;
                    }
                }
                cout.flush();
            }
        } catch (IOException e) {
            // a connection ended; the other side sees it end too
        } finally {
            if (upstream != null) {
                closeQuietly(upstream);
                open.remove(upstream);
            }
            open.remove(client);
        }
    }

    /**
     * The highest end of fragment bytes forwarded to the server so far, counted as they pass (a fragment on its way
     * moves it, before its ack): where to kill a client or server in the middle of a fragment, whatever its size.
     */
    public long frontier() {
        return frontier.get();
    }

    private long copy(InputStream in, OutputStream out, long n, boolean request) throws IOException {
        return copy(in, out, n, request, -1);
    }

    /** Copies {@code n} bytes; a fragment's body from its byte {@code fragmentFirst} when that is not -1. */
    private long copy(InputStream in, OutputStream out, long n, boolean request, long fragmentFirst)
            throws IOException {
        byte[] buf = new byte[64 << 10];
        long done = 0;
        long began = System.nanoTime();
        while (done < n) {
            long rate = request ? bytesPerSecond : responseBytesPerSecond;
            if (rate > 0) {
                long due = began + done * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Await.sleep(Math.max(1, wait / 1_000_000));
                }
                out.flush();
            }
            int r;
            try {
                r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            } catch (SocketException e) {
                return done;
            }
            if (r < 0) {
                return done;
            }
            try {
                out.write(buf, 0, r);
            } catch (IOException e) {
                // The far side is gone (a server killed): what was written before counts as having reached it.
                return done;
            }
            done += r;
            if (fragmentFirst >= 0) {
                frontier.accumulateAndGet(fragmentFirst + done, Math::max);
            }
        }
        return done;
    }

    private static long copyPlain(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[64 << 10];
        long done = 0;
        while (done < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                return done;
            }
            out.write(buf, 0, r);
            done += r;
        }
        return done;
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String line = line(in);
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int semi = line.indexOf(';');
            long size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
            if (size == 0) {
                String trailer;
                while (!(trailer = line(in)).isEmpty()) {
                    out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            if (copyPlain(in, out, size) < size) {
                throw new EOFException("chunk cut short");
            }
            out.write((line(in) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        throw new EOFException("the connection ended in a line");
    }

    /** A request or response head: its raw bytes, first line and headers (names in lower case). */
    private record Head(byte[] raw, String first, Map<String, String> headers) {
        static Head read(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int state = 0;
            while (state < 4) {
                int c = in.read();
                if (c < 0) {
                    if (b.size() == 0) {
                        return null;
                    }
                    throw new EOFException("the connection ended in a head");
                }
                b.write(c);
                state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                        ? state + 1 : c == '\r' ? 1 : 0;
                if (b.size() > 256 << 10) {
                    throw new IOException("a head longer than 256 KiB");
                }
            }
            byte[] raw = b.toByteArray();
            String[] lines = new String(raw, StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> h = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    h.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            return new Head(raw, lines[0], h);
        }

        String header(String name) {
            return headers.get(name);
        }

        String method() {
            return first.split(" ", 2)[0];
        }

        String path() {
            String[] p = first.split(" ");
            return p.length > 1 ? p[1] : "";
        }

        int status() {
            String[] p = first.split(" ");
            return p.length > 1 ? Integer.parseInt(p[1]) : -1;
        }

        long contentLength() {
            String v = headers.get("content-length");
            return v == null ? (first.startsWith("HTTP/") ? -1 : 0) : Long.parseLong(v.trim());
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closed
        }
        dropConnections();
    }
}
