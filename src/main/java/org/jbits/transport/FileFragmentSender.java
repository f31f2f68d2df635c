package org.jbits.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttp;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * Sends an upload's Fragment packets over plain HTTP straight from the local file to the socket:
 * {@link FileChannel#transferTo} is {@code sendfile(2)}, so the bytes go from the page cache to the connection
 * without passing through the JVM. Through OkHttp each byte was copied five times in the agent (file to heap buffer,
 * to Okio's segments, to the socket's gathering buffer, to the JDK's native buffer, to the kernel): 1.3 s of the
 * agent's CPU per GiB, on a machine where the server's CPU is what an upload waits for (measured with
 * {@code /proc/PID/stat} over loopback; curl, which copies twice, took 0.7 s).
 *
 * <p>Only what OkHttp would send the same way comes here ({@link PacketSender} decides): a Fragment (a body from a
 * file) to an {@code http://} URL with no proxy for it. The request is what OkHttp writes for the same packet: the
 * request line, {@code Host}, the packet's headers in order, {@code Content-Length}, {@code Connection: Keep-Alive},
 * OkHttp's {@code User-Agent} unless the job gives one. The answer is read liberally: HTTP/1.0 or 1.1, any reason,
 * interim 1xx answers skipped, folded header lines joined, its body (by length, chunked, or to the end of the
 * connection) read and dropped, as a BITS ack says everything in its headers. A server that answers before the body
 * is all sent (a 413 by Content-Length) is heard: its answer is returned and the connection closed.
 *
 * <p>One keep-alive connection, reused for the next fragment unless the server closes it or asks to; one that the
 * server closed while idle is found before it is used (a read that sees its end). The OkHttp client's timeouts apply:
 * connect, write (no byte accepted for that long) and read (no byte of the answer for that long). {@link #close} from
 * another thread (a stopped transfer) ends a packet in flight. Not for concurrent packets: one upload's.
 */
final class FileFragmentSender implements AutoCloseable {
    /** Bytes one {@code sendfile} may move when the transfer is not paced; a paced one asks per 256 KiB. */
    private static final long UNPACED_CHUNK = 8L << 20;
    private static final long PACED_CHUNK = 256L << 10;
    /** The most an answer's status line and headers may take. */
    private static final int MAX_HEAD = 64 << 10;
    private static final String USER_AGENT = "okhttp/" + OkHttp.VERSION;

    /** An answer: its status and headers. */
    record Answer(int status, Headers headers) {
    }

    private final int connectTimeoutMillis;
    private final int writeTimeoutMillis;
    private final int readTimeoutMillis;
    private final Object lock = new Object();
    private SocketChannel channel;
    private Selector selector;
    /** "host:port" of the open connection. */
    private String connectedTo;
    private volatile boolean closed;
    /** The answer's bytes read but not yet parsed. */
    private final ByteBuffer in = ByteBuffer.allocate(MAX_HEAD);

    FileFragmentSender(int connectTimeoutMillis, int writeTimeoutMillis, int readTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.writeTimeoutMillis = writeTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /**
     * Sends {@code BITS_POST url} with {@code headers} and {@code length} bytes of {@code file} from {@code position}
     * as its body, and reads the answer.
     *
     * @throws PacketSender.SourceFailure when the file is shorter than the range (it changed)
     * @throws IOException when the connection failed or the answer is not HTTP
     */
    Answer post(HttpUrl url, Headers headers, FileChannel file, long position, long length, Pacer pacer)
            throws IOException {
        byte[] head = head(url, headers, length);
        String where = url.host() + ":" + url.port();
        try {
            boolean reused = connection(url, where);
            try {
                writeAll(ByteBuffer.wrap(head));
            } catch (IOException e) {
                if (!reused || closed) {
                    throw e;
                }
                // A kept connection the server closed just now: nothing of the body went, so once more on a new one.
                disconnect();
                connection(url, where);
                writeAll(ByteBuffer.wrap(head));
            }
            Answer early = sendBody(file, position, length, pacer);
            if (early != null) {
                disconnect(); // the rest of the body was not sent: this connection cannot carry another request
                return early;
            }
            return readAnswer();
        } catch (IOException | RuntimeException e) {
            // Whatever failed, the connection is in an unknown state (half a body sent, an answer half read or still
            // to come): never used again, as OkHttp drops a connection after a failed exchange.
            disconnect();
            throw e;
        }
    }

    /**
     * Closes the connection for good; a packet in flight fails (its thread wakes from any wait). Safe from any thread,
     * and more than once.
     */
    @Override
    public void close() {
        closed = true;
        SocketChannel ch;
        Selector sel;
        synchronized (lock) {
            ch = channel;
            sel = selector;
        }
        if (sel != null) {
            sel.wakeup();
        }
        closeQuietly(ch);
    }

    /** Ends the connection and frees what it held (the sending thread's, or after {@link #close}). */
    void release() {
        close();
        disconnect();
    }

    // ------------------------------------------------------------------ the request

    private static byte[] head(HttpUrl url, Headers headers, long length) {
        StringBuilder b = new StringBuilder(512);
        b.append(PacketSender.BITS_POST).append(' ').append(url.encodedPath());
        if (url.encodedQuery() != null) {
            b.append('?').append(url.encodedQuery());
        }
        b.append(" HTTP/1.1\r\n");
        boolean agent = false;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (name.equalsIgnoreCase("Content-Length")) {
                continue; // this request's own, as OkHttp's bridge sets it
            }
            agent |= name.equalsIgnoreCase("User-Agent");
            b.append(name).append(": ").append(headers.value(i)).append("\r\n");
        }
        // What OkHttp's bridge adds, in its order (the packet sender leaves a request with its own Host, Connection,
        // Expect or Transfer-Encoding to OkHttp).
        b.append("Content-Length: ").append(length).append("\r\n");
        String host = url.host().contains(":") ? "[" + url.host() + "]" : url.host();
        b.append("Host: ").append(host);
        if (url.port() != HttpUrl.defaultPort(url.scheme())) {
            b.append(':').append(url.port());
        }
        b.append("\r\n");
        b.append("Connection: Keep-Alive\r\n");
        b.append("Accept-Encoding: gzip\r\n");
        if (!agent) {
            b.append("User-Agent: ").append(USER_AGENT).append("\r\n");
        }
        b.append("\r\n");
        // The names and values are those of an OkHttp Request, which checked them (no CR, LF or NUL can be in them).
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Null, or the server's answer that came before the body was all sent. */
    private Answer sendBody(FileChannel file, long position, long length, Pacer pacer) throws IOException {
        long chunk = pacer == Pacer.UNLIMITED ? UNPACED_CHUNK : PACED_CHUNK;
        long at = position;
        long end = position + length;
        while (at < end) {
            long want = Math.min(chunk, end - at);
            checkLength(file, at + want, end);
            pacer.pace((int) want);
            long stop = at + want;
            while (at < stop) {
                long n;
                try {
                    n = file.transferTo(at, stop - at, channel);
                } catch (IOException e) {
                    checkOpen();
                    readable(file, at, e);
                    Answer a = answerAfterFailure();
                    if (a != null) {
                        return a;
                    }
                    throw e;
                }
                at += n;
                if (n > 0) {
                    continue;
                }
                // Nothing went: the socket is full, or the file ended (it shrank since the check above).
                checkLength(file, stop, end);
                int ready = await(SelectionKey.OP_WRITE | SelectionKey.OP_READ, writeTimeoutMillis,
                        "the server took no byte of the fragment for " + writeTimeoutMillis + " ms");
                if ((ready & SelectionKey.OP_READ) != 0) {
                    // The server says something before it has the whole body: an interim 1xx (dropped: the body goes
                    // on), or its answer, a refusal, which is what the packet gets.
                    Answer a = earlyAnswer();
                    if (a != null) {
                        return a;
                    }
                }
            }
        }
        return null;
    }

    /** The file holds at least {@code upTo} bytes, else it changed: a LocalFile failure. */
    /**
     * A sendfile that failed because the local file could not be read (an I/O error of its disk, say) is the file's
     * failure, as a read of it through OkHttp would be (LocalFile context), not the connection's: the file is read
     * once more at {@code at} to tell the two apart.
     */
    private static void readable(FileChannel file, long at, IOException failed) throws PacketSender.SourceFailure {
        try {
            file.read(ByteBuffer.allocate(1), at);
        } catch (IOException e) {
            e.addSuppressed(failed);
            throw new PacketSender.SourceFailure(TransferException.localFile("cannot read the file to upload", e));
        }
    }

    private static void checkLength(FileChannel file, long upTo, long end) throws IOException {
        long size = file.size();
        if (size < upTo) {
            throw new PacketSender.SourceFailure(TransferException.fatal(HResult.BG_E_LOCAL_FILE_CHANGED,
                    ErrorContext.LOCAL_FILE, "the file to upload ended at byte " + size + " of " + end
                            + ": it changed during the upload", null));
        }
    }

    /**
     * What the server sent while the body was going: null after an interim answer (its head dropped, and whatever came
     * after it left for later), else the final answer, read up to its headers only (the connection is not used
     * again). A connection the server ended without an answer fails.
     */
    private Answer earlyAnswer() throws IOException {
        if (fill() < 0 && in.position() == 0) {
            throw new EOFException("the server closed the connection before the fragment was all sent");
        }
        if (headEnd() < 0 && in.hasRemaining()) {
            return null; // a head not yet all here: the body goes on until it is (or the socket is full again)
        }
        Head h = readHead();
        if (h.interim()) {
            return null;
        }
        return new Answer(h.status(), h.headers());
    }

    /** The answer a server gave before it stopped taking the body (a write failed), or null when there is none. */
    private Answer answerAfterFailure() {
        try {
            while (true) {
                Head h = readHead();
                if (!h.interim()) {
                    return new Answer(h.status(), h.headers());
                }
            }
        } catch (IOException e) {
            return null;
        }
    }

    private void writeAll(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.write(b) > 0) {
                continue;
            }
            await(SelectionKey.OP_WRITE, writeTimeoutMillis,
                    "the server took no byte of the request for " + writeTimeoutMillis + " ms");
        }
    }

    /**
     * Waits until the connection is ready for {@code ops}; returns the ready set. A stop ({@link #close}) or an
     * interrupt ends the wait with InterruptedIOException, {@code timeoutMillis} without readiness with
     * SocketTimeoutException.
     */
    private int await(int ops, int timeoutMillis, String timedOut) throws IOException {
        checkOpen();
        SelectionKey key = channel.keyFor(selector);
        int ready;
        try {
            if (key == null || !key.isValid()) {
                throw new java.nio.channels.ClosedChannelException();
            }
            key.interestOps(ops);
            ready = selector.select(timeoutMillis) == 0 ? 0 : key.readyOps();
            selector.selectedKeys().clear();
        } catch (java.nio.channels.CancelledKeyException | java.nio.channels.ClosedSelectorException e) {
            checkOpen();
            throw new java.nio.channels.ClosedChannelException();
        }
        checkOpen();
        if (Thread.interrupted()) {
            throw new InterruptedIOException("interrupted");
        }
        if (ready == 0) {
            throw new SocketTimeoutException(timedOut);
        }
        return ready;
    }

    // ------------------------------------------------------------------ the answer

    /** An answer's status line and headers. */
    private record Head(String statusLine, int status, Headers headers) {
        boolean interim() {
            return status >= 100 && status < 200 && status != 101; // 100 Continue, 102 Processing, 103 Early Hints
        }
    }

    /** Reads the answer to the request that was all sent, skipping interim ones, and its body. */
    private Answer readAnswer() throws IOException {
        Head h;
        do {
            h = readHead();
        } while (h.interim());
        boolean http10 = h.statusLine().startsWith("HTTP/1.0");
        String connection = String.valueOf(h.headers().get("Connection")).toLowerCase(Locale.ROOT);
        boolean reusable = http10 ? connection.contains("keep-alive") : !connection.contains("close");
        reusable &= dropBody(h.status(), h.headers());
        if (!reusable) {
            disconnect();
        }
        return new Answer(h.status(), h.headers());
    }

    /** One status line and its headers, parsed. */
    private Head readHead() throws IOException {
        String headText = readHeadText();
        String[] lines = headText.split("\r?\n", -1);
        int status = status(lines[0]);
        Headers.Builder hb = new Headers.Builder();
        String name = null;
        StringBuilder value = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                value.append(' ').append(line.strip()); // obs-fold (RFC 9112 5.2): one value
                continue;
            }
            add(hb, name, value);
            int colon = line.indexOf(':');
            if (colon <= 0) {
                name = null; // not a header line: ignored, as OkHttp's lenient reader does
                continue;
            }
            name = line.substring(0, colon).strip();
            value = new StringBuilder(line.substring(colon + 1).strip());
        }
        add(hb, name, value);
        return new Head(lines[0], status, hb.build());
    }

    private static void add(Headers.Builder hb, String name, StringBuilder value) {
        if (name == null) {
            return;
        }
        try {
            hb.addUnsafeNonAscii(name, value.toString());
        } catch (IllegalArgumentException e) {
            // a name OkHttp would not take either: left out
        }
    }

    private static int status(String line) throws ProtocolException {
        // "HTTP/1.1 200 OK", a missing reason, or HTTP/1.0
        String[] p = line.split(" ", 3);
        if (p.length < 2 || !p[0].startsWith("HTTP/1.") || p[1].length() != 3) {
            throw new ProtocolException("the server's answer does not start with an HTTP/1 status line: "
                    + Redacted.text(line.length() > 80 ? line.substring(0, 80) : line));
        }
        try {
            return Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            throw new ProtocolException("the server's answer has no status code: " + Redacted.text(p[1]));
        }
    }

    /** The status line and headers, up to the empty line (CRLF or bare LF). */
    private String readHeadText() throws IOException {
        while (true) {
            dropLeadingLineEnds();
            int end = headEnd();
            if (end >= 0) {
                byte[] b = new byte[end];
                in.flip();
                in.get(b);
                skipTerminator();
                in.compact();
                String text = new String(b, StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            if (!in.hasRemaining()) {
                throw new ProtocolException("the server's answer has more than " + MAX_HEAD + " bytes of headers");
            }
            if (fill() < 0) {
                throw new EOFException("the server closed the connection before it answered");
            }
        }
    }

    /** Line ends before a status line (after a body whose length was one line end short): skipped. */
    private void dropLeadingLineEnds() {
        int n = 0;
        while (n < in.position() && (in.get(n) == '\r' || in.get(n) == '\n')) {
            n++;
        }
        if (n > 0) {
            in.flip();
            in.position(n);
            in.compact();
        }
    }

    /** The length of the head in {@link #in} (before its blank line), or -1 while it is not all there. */
    private int headEnd() {
        for (int i = 0; i < in.position(); i++) {
            if (in.get(i) == '\n') {
                if (i + 1 < in.position() && in.get(i + 1) == '\n') {
                    return i;
                }
                if (i + 2 < in.position() && in.get(i + 1) == '\r' && in.get(i + 2) == '\n') {
                    return i;
                }
            }
        }
        return -1;
    }

    /** After readHead took the head: drops the "\n\n" or "\n\r\n" that ends it (its last line's own end is in it). */
    private void skipTerminator() {
        in.get(); // '\n' of the last header line
        if (in.get() == '\r') {
            in.get();
        }
    }

    /** Reads and drops the answer's body; false when it ran to the end of the connection. */
    private boolean dropBody(int status, Headers h) throws IOException {
        if (status == 204 || status == 304) {
            return true;
        }
        String te = h.get("Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String line = readLine();
                int semi = line.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semi >= 0 ? line.substring(0, semi) : line).strip(), 16);
                } catch (NumberFormatException e) {
                    size = -1;
                }
                if (size < 0) {
                    throw new ProtocolException("the server's chunked answer has a bad chunk size");
                }
                if (size == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers: dropped
                    }
                    return true;
                }
                skip(size);
                readLine();
            }
        }
        String cl = h.get("Content-Length");
        if (cl != null) {
            long n;
            try {
                n = Long.parseLong(cl.strip());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0) {
                throw new ProtocolException("the server's answer has a bad Content-Length");
            }
            skip(n);
            return true;
        }
        // Neither: the body is what comes until the server closes the connection. An ack says everything in its
        // headers, so it is not waited for: the connection is dropped instead (OkHttp drains such a body for at most
        // 100 ms, then drops the connection too).
        return false;
    }

    private String readLine() throws IOException {
        while (true) {
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    byte[] b = new byte[i];
                    in.flip();
                    in.get(b);
                    in.get();
                    in.compact();
                    String s = new String(b, StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
            }
            if (!in.hasRemaining()) {
                throw new ProtocolException("a line of the server's answer is longer than " + MAX_HEAD + " bytes");
            }
            if (fill() < 0) {
                throw new EOFException("the server closed the connection inside its answer");
            }
        }
    }

    private void skip(long n) throws IOException {
        long left = n;
        while (true) {
            long have = Math.min(left, in.position());
            in.flip();
            in.position((int) have);
            in.compact();
            left -= have;
            if (left == 0) {
                return;
            }
            if (fill() < 0) {
                throw new EOFException("the server closed the connection inside its answer's body");
            }
        }
    }

    /** Reads what the connection has into {@link #in} (waiting up to the read timeout); -1 at its end. */
    private int fill() throws IOException {
        while (true) {
            int n = channel.read(in);
            if (n != 0 || !in.hasRemaining()) {
                return n;
            }
            await(SelectionKey.OP_READ, readTimeoutMillis, "the server did not answer for " + readTimeoutMillis + " ms");
        }
    }

    // ------------------------------------------------------------------ the connection

    /** Opens a connection to {@code where}, or keeps the one there; true when it was kept. */
    private boolean connection(HttpUrl url, String where) throws IOException {
        synchronized (lock) {
            checkOpen();
            if (channel != null && where.equals(connectedTo) && idleAndOpen()) {
                return true;
            }
        }
        disconnect();
        IOException failure = null;
        for (InetAddress a : InetAddress.getAllByName(url.host())) {
            SocketChannel ch = SocketChannel.open();
            Selector sel = null;
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                sel = Selector.open();
            } catch (IOException | RuntimeException e) {
                ch.close();
                if (sel != null) {
                    sel.close();
                }
                throw e;
            }
            try {
                synchronized (lock) {
                    channel = ch;
                    selector = sel;
                    connectedTo = where;
                }
                checkOpen(); // a close() before the channel was there did not see it
                SelectionKey key = ch.register(sel, 0);
                if (!ch.connect(new InetSocketAddress(a, url.port()))) {
                    await(SelectionKey.OP_CONNECT, connectTimeoutMillis, "connect to " + a.getHostAddress() + ":"
                            + url.port() + " timed out after " + connectTimeoutMillis + " ms");
                    ch.finishConnect();
                }
                key.interestOps(0);
                in.clear();
                return false;
            } catch (IOException e) {
                disconnect();
                if (closed) {
                    throw new InterruptedIOException("the transfer was stopped");
                }
                failure = e;
            }
        }
        throw failure != null ? failure : new IOException("no address for " + url.host());
    }

    /** A kept connection with nothing unread and not ended by the server. */
    private boolean idleAndOpen() {
        if (in.position() > 0) {
            return false; // bytes after the last answer: not a connection to trust with another request
        }
        try {
            return channel.read(in) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private void checkOpen() throws InterruptedIOException {
        if (closed) {
            throw new InterruptedIOException("the transfer was stopped");
        }
    }

    private void disconnect() {
        SocketChannel ch;
        Selector sel;
        synchronized (lock) {
            ch = channel;
            sel = selector;
            channel = null;
            selector = null;
            connectedTo = null;
        }
        if (sel != null) {
            sel.wakeup();
        }
        closeQuietly(sel);
        closeQuietly(ch);
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing more to do: the connection is given up either way
            }
        }
    }
}
