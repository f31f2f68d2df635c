package org.jbits.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conformance suite's HTTP server, pure JDK so it runs in the same JVM on Linux and in a Windows JVM under Wine.
 * Bound to 127.0.0.1 on free ports. Files are generated from their name and size, so a test knows the expected bytes
 * without storing them; every file has a strong ETag, a Last-Modified date, and honours {@code Range} (one range)
 * and {@code If-Range}. {@code HEAD} answers with the headers and Content-Length only.
 *
 * <ul>
 *   <li>{@code /files/SIZE/NAME}: the file at full speed.</li>
 *   <li>{@code /slow/BYTES_PER_SECOND/SIZE/NAME}: the same, throttled, so a transfer is observably in progress.</li>
 *   <li>{@code /missing/NAME} (and any unknown path): 404.</li>
 *   <li>{@code /drop/N/SIZE/NAME}, on a second, raw-socket port: the first N GETs of the path announce the whole
 *       Content-Length, send half the body and close the connection; later GETs are served normally.</li>
 *   <li>{@code /hangup/NAME}, on the raw-socket port: every request is read and the connection closed without a
 *       response, so no attempt ever makes progress.</li>
 *   <li>{@code /bits/NAME}, {@code /bits-reply/NAME}: a BITS upload (upload-reply) endpoint ({@link ConformanceUploads}).</li>
 *   <li>{@code /basic/SIZE/NAME}: the file behind HTTP Basic authentication ({@link #BASIC_USER},
 *       {@link #BASIC_PASSWORD}); anything else is a 401 with a Basic challenge.</li>
 *   <li>{@code /header/SIZE/NAME}: the file only for a request carrying {@link #HEADER}; 403 otherwise.</li>
 * </ul>
 */
public final class ConformanceServer implements AutoCloseable {
    /** One request as the server received it; {@code nanoTime} is {@link System#nanoTime()} on arrival. */
    public record Request(String method, String path, String range, String ifRange, long nanoTime) {
    }

    /** The user and password {@code /basic/} paths take. */
    public static final String BASIC_USER = "conformance";
    public static final String BASIC_PASSWORD = "conf-Pw1";
    /** The header {@code /header/} paths need, as one line. */
    public static final String HEADER = "X-Conformance: yes-please";

    /** Strong validators: the same for every request of a path, as for an unchanged static file. */
    static final String LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final int CHUNK = 64 * 1024;

    private final HttpServer http;
    private final ServerSocket faults;
    private final ExecutorService threads;
    private final List<Request> log = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
    private final ConformanceUploads uploads = new ConformanceUploads();
    private volatile boolean closed;

    private ConformanceServer() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        AtomicInteger n = new AtomicInteger();
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "conformance-server-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
        http.createContext("/", this::handle);
        http.setExecutor(threads);
        http.start();
        faults = new ServerSocket(0, 50, loopback);
        threads.execute(this::acceptFaults);
    }

    /** Starts a server on free loopback ports. */
    public static ConformanceServer start() throws IOException {
        return new ConformanceServer();
    }

    /** A file served at full speed. */
    public String fileUrl(String name, int size) {
        return base() + "/files/" + size + "/" + name;
    }

    /** A file whose body is sent at about {@code bytesPerSecond}. */
    public String slowUrl(String name, int size, int bytesPerSecond) {
        return base() + "/slow/" + bytesPerSecond + "/" + size + "/" + name;
    }

    /** A file behind Basic authentication ({@link #BASIC_USER}). */
    public String basicUrl(String name, int size) {
        return base() + "/basic/" + size + "/" + name;
    }

    /** A file served only to requests with {@link #HEADER}. */
    public String headerUrl(String name, int size) {
        return base() + "/header/" + size + "/" + name;
    }

    /** A URL that answers 404. */
    public String missingUrl(String name) {
        return base() + "/missing/" + name;
    }

    /** An upload URL (nothing is served there yet: AddFile does not contact the server). */
    public String uploadUrl(String name) {
        return base() + "/upload/" + name;
    }

    /** A BITS upload URL: the upload protocol's packets are answered, and a closed session's file kept. */
    public String bitsUploadUrl(String name) {
        return base() + "/bits/" + name;
    }

    /** A BITS upload-reply URL: as {@link #bitsUploadUrl}, and the reply is {@link #replyFor}. */
    public String bitsUploadReplyUrl(String name) {
        return base() + "/bits-reply/" + name;
    }

    /** What an upload to {@code name} left on the server once its session was closed, or null. */
    public byte[] uploaded(String name) {
        return uploads.uploaded(name);
    }

    /** The reply to {@code length} bytes uploaded as {@code name} to {@link #bitsUploadReplyUrl}. */
    public static byte[] replyFor(String name, int length) {
        return ConformanceUploads.replyFor(name, length);
    }

    /** A file whose first {@code drops} GETs are cut off half-way through the body. */
    public String droppingUrl(String name, int size, int drops) {
        return "http://127.0.0.1:" + faults.getLocalPort() + "/drop/" + drops + "/" + size + "/" + name;
    }

    /** A URL whose server reads the request and hangs up without answering, every time. */
    public String hangupUrl(String name) {
        return "http://127.0.0.1:" + faults.getLocalPort() + "/hangup/" + name;
    }

    private String base() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** The bytes every URL above serves for {@code name} and {@code size}. */
    public static byte[] content(String name, int size) {
        byte[] b = new byte[size];
        fill(name.hashCode(), 0, b, size);
        return b;
    }

    /** Every request so far whose path ends in {@code /name}, in arrival order. */
    public List<Request> requests(String name) {
        return log.stream().filter(r -> r.path().endsWith("/" + name)).toList();
    }

    /** Every request so far. */
    public List<Request> requests() {
        return List.copyOf(log);
    }

    @Override
    public void close() {
        closed = true;
        http.stop(0);
        try {
            faults.close();
        } catch (IOException ignored) {
            // closing a listening socket does not fail in a way that matters here
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- what to send

    /** What a path names: {@code kind} is files, slow, drop or hangup. */
    record Spec(String kind, String name, int size, int rate, int drops) {
        static Spec parse(String path) {
            String[] s = path.split("/");
            try {
                if (s.length == 4 && (s[1].equals("files") || s[1].equals("basic") || s[1].equals("header"))) {
                    return new Spec(s[1], s[3], Integer.parseInt(s[2]), 0, 0);
                }
                if (s.length == 5 && s[1].equals("slow")) {
                    return new Spec("slow", s[4], Integer.parseInt(s[3]), Integer.parseInt(s[2]), 0);
                }
                if (s.length == 3 && s[1].equals("hangup")) {
                    return new Spec("hangup", s[2], 0, 0, 0);
                }
                if (s.length == 5 && s[1].equals("drop")) {
                    return new Spec("drop", s[4], Integer.parseInt(s[3]), 0, Integer.parseInt(s[2]));
                }
            } catch (NumberFormatException e) {
                return null;
            }
            return null;
        }

        String etag() {
            return "\"" + name + "-" + size + "\"";
        }
    }

    /** The status, the byte range of the body, and the headers (without Content-Length). */
    record Plan(int status, long start, long length, Map<String, String> headers) {
    }

    /** RFC 9110 range handling for one range; anything else (several ranges, garbage) gets the whole file. */
    static Plan plan(Spec spec, String range, String ifRange) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/octet-stream");
        h.put("Accept-Ranges", "bytes");
        h.put("ETag", spec.etag());
        h.put("Last-Modified", LAST_MODIFIED);
        long total = spec.size();
        boolean rangeApplies = range != null
                && (ifRange == null || ifRange.equals(spec.etag()) || ifRange.equals(LAST_MODIFIED));
        if (rangeApplies) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                long first;
                long last;
                if (m.group(1).isEmpty()) {
                    first = Math.max(0, total - Long.parseLong(m.group(2)));
                    last = total - 1;
                } else {
                    first = Long.parseLong(m.group(1));
                    last = m.group(2).isEmpty() ? total - 1 : Math.min(total - 1, Long.parseLong(m.group(2)));
                }
                if (first >= total || last < first) {
                    h.put("Content-Range", "bytes */" + total);
                    return new Plan(416, 0, 0, h);
                }
                h.put("Content-Range", "bytes " + first + "-" + last + "/" + total);
                return new Plan(206, first, last - first + 1, h);
            }
        }
        return new Plan(200, 0, total, h);
    }

    static void fill(long seed, long offset, byte[] buf, int len) {
        for (int i = 0; i < len; i++) {
            long x = (offset + i + seed) * 0x9E3779B97F4A7C15L;
            x ^= x >>> 29;
            buf[i] = (byte) (x >>> 24);
        }
    }

    /** Writes {@code length} bytes of the file from {@code start}, at about {@code rate} bytes per second (0: at once). */
    private void writeBody(OutputStream out, Spec spec, long start, long length, int rate) throws IOException {
        int chunk = rate > 0 ? Math.max(1024, Math.min(CHUNK, rate / 50)) : CHUNK;
        byte[] buf = new byte[chunk];
        long pos = start;
        long end = start + length;
        long began = System.nanoTime();
        while (pos < end && !closed) {
            int n = (int) Math.min(chunk, end - pos);
            fill(spec.name().hashCode(), pos, buf, n);
            out.write(buf, 0, n);
            pos += n;
            if (rate > 0) {
                out.flush();
                // Pace against the start, not per chunk, so timer slack does not slow the average.
                long due = began + (pos - start) * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
        out.flush();
    }

    // ---------------------------------------------------------------- com.sun.net.httpserver front

    private void handle(HttpExchange ex) {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            String range = ex.getRequestHeaders().getFirst("Range");
            String ifRange = ex.getRequestHeaders().getFirst("If-Range");
            log.add(new Request(method, path, range, ifRange, System.nanoTime()));
            if (ConformanceUploads.handles(path)) {
                uploads.handle(ex, path);
                return;
            }
            Spec spec = Spec.parse(path);
            if (spec == null || spec.kind().equals("drop") || spec.kind().equals("hangup")) {
                byte[] body = ("no such file: " + path + "\n").getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain");
                ex.sendResponseHeaders(404, method.equals("HEAD") ? -1 : body.length);
                if (!method.equals("HEAD")) {
                    ex.getResponseBody().write(body);
                }
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (spec.kind().equals("basic")) {
                String expected = "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (BASIC_USER + ":" + BASIC_PASSWORD).getBytes(StandardCharsets.UTF_8));
                if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"conformance\"");
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
            }
            if (spec.kind().equals("header")) {
                String name = HEADER.substring(0, HEADER.indexOf(':'));
                String value = HEADER.substring(HEADER.indexOf(':') + 1).trim();
                if (!value.equals(ex.getRequestHeaders().getFirst(name))) {
                    ex.sendResponseHeaders(403, -1);
                    return;
                }
            }
            Plan p = plan(spec, range, ifRange);
            p.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            if (method.equals("HEAD")) {
                // -1 means "no body"; the JDK then sends no length of its own, so say it ourselves.
                ex.getResponseHeaders().set("Content-Length", Long.toString(p.length()));
                ex.sendResponseHeaders(p.status(), -1);
                return;
            }
            ex.sendResponseHeaders(p.status(), p.length() == 0 ? -1 : p.length());
            writeBody(ex.getResponseBody(), spec, p.start(), p.length(), spec.rate());
        } catch (IOException e) {
            // The client went away (suspend, cancel, close): nothing to do.
        }
    }

    // ---------------------------------------------------------------- raw-socket fault front

    private void acceptFaults() {
        while (!closed) {
            try {
                Socket s = faults.accept();
                threads.execute(() -> serveFault(s));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException e) {
                // the pool is shut down: the server is closing
                return;
            }
        }
    }

    private void serveFault(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String requestLine = readLine(in);
            if (requestLine == null) {
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            String[] parts = requestLine.split(" ");
            String method = parts[0];
            String path = parts.length > 1 ? parts[1].replaceFirst("\\?.*", "") : "/";
            String range = headers.get("range");
            String ifRange = headers.get("if-range");
            log.add(new Request(method, path, range, ifRange, System.nanoTime()));
            OutputStream out = socket.getOutputStream();
            Spec spec = Spec.parse(path);
            if (spec != null && spec.kind().equals("hangup")) {
                return;
            }
            if (spec == null || !spec.kind().equals("drop")) {
                out.write(("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            Plan p = plan(spec, range, ifRange);
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(p.status()).append(' ').append(reason(p.status())).append("\r\n");
            p.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(p.length()).append("\r\n").append("Connection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            if (method.equals("HEAD")) {
                out.flush();
                return;
            }
            int n = gets.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            boolean drop = n <= spec.drops();
            writeBody(out, spec, p.start(), drop ? p.length() / 2 : p.length(), 0);
            // Closing here, short of the announced length, is the fault: the client sees the stream end early.
        } catch (SocketException e) {
            // the client hung up first
        } catch (IOException e) {
            // nothing to report to: the test sees what the client saw
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 416 -> "Range Not Satisfiable";
            default -> "Status";
        };
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }
}
