package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.jbits.HResult;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sender of fragments straight from the file, against a server on a raw socket that answers each request with
 * what the test scripts: the request it writes, a kept connection, the answers real servers give (HTTP/1.0, chunked,
 * folded, interim, to the end of the connection), an answer before the body is all sent, a kept connection the server
 * closed, a stop from another thread, a timeout, a file that shrank.
 */
class FileFragmentSenderTest {
    private static final String ACK = "HTTP/1.1 200 OK\r\nBITS-Packet-Type: Ack\r\nBITS-Received-Content-Range: 100\r\n"
            + "Content-Length: 0\r\n\r\n";

    @TempDir
    Path tmp;
    private ServerSocket listener;
    private Thread acceptor;
    /** What the server answers to each request, in order (a request is read whole first unless the answer is early). */
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    private final List<Request> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    private byte[] content;
    private FileChannel file;

    /**
     * {@code answer}, sent after the whole request ({@code early}: after its head only, and the connection then held
     * open until the client ends it, or closed with {@code closeAfter}), then maybe a close; {@code interim} is sent
     * right after the head, before the body is read.
     */
    private record Script(String interim, String answer, boolean early, boolean closeAfter) {
        Script(String answer, boolean early, boolean closeAfter) {
            this(null, answer, early, closeAfter);
        }

        static Script of(String answer) {
            return new Script(null, answer, false, false);
        }
    }

    private record Request(int connection, String head, byte[] body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) {
                    return line.substring(c + 1).strip();
                }
            }
            return null;
        }
    }

    @BeforeEach
    void start() throws Exception {
        content = TestData.random(3 << 20, 11);
        Path f = tmp.resolve("upload.bin");
        Files.write(f, content);
        file = FileChannel.open(f, StandardOpenOption.READ);
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "scripted-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        listener.close();
        file.close();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n), "scripted-connection-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connection) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                Script script = scripts.poll(10, TimeUnit.SECONDS);
                if (script == null) {
                    return;
                }
                long length = Long.parseLong(new Request(0, head, null).header("Content-Length"));
                if (script.interim() != null) {
                    out.write(script.interim().getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
                if (script.early()) {
                    requests.add(new Request(connection, head, null));
                    out.write(script.answer().getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (!script.closeAfter()) {
                        while (in.read(new byte[65536]) >= 0) {
                            // held open, reading nothing of it, until the client ends the connection
                        }
                    }
                    return; // closes without reading the body, as a server refusing it by its length does
                }
                byte[] body = in.readNBytes((int) length);
                requests.add(new Request(connection, head, body));
                if (script.answer() == null) {
                    Thread.sleep(60_000); // never answers
                    return;
                }
                out.write(script.answer().getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (script.closeAfter()) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                return new String(a, 0, n - 4, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private HttpUrl url(String path) {
        return HttpUrl.get("http://127.0.0.1:" + listener.getLocalPort() + path);
    }

    private static Headers packetHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Custom", "one");
        h.put("BITS-Packet-Type", "Fragment");
        h.put("BITS-Session-Id", "{1234}");
        h.put("Content-Range", "bytes 0-99/3145728");
        return Headers.of(h);
    }

    private FileFragmentSender sender() {
        return new FileFragmentSender(2000, 2000, 2000);
    }

    @Test
    void sendsTheRequestOkHttpWouldAndKeepsTheConnectionForTheNextFragment() throws Exception {
        scripts.add(Script.of(ACK));
        scripts.add(Script.of(ACK));
        try (FileFragmentSender s = sender()) {
            FileFragmentSender.Answer a = s.post(url("/in/a%20b.bin?x=1"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED);
            assertEquals(200, a.status());
            assertEquals("100", a.headers().get("BITS-Received-Content-Range"));
            FileFragmentSender.Answer b = s.post(url("/in/a%20b.bin?x=1"), packetHeaders(), file, 100, 2 << 20,
                    Pacer.UNLIMITED);
            assertEquals(200, b.status());
        }
        assertEquals(1, connections.get(), "one kept connection");
        Request first = requests.get(0);
        String[] lines = first.head().split("\r\n");
        assertEquals("BITS_POST /in/a%20b.bin?x=1 HTTP/1.1", lines[0]);
        assertEquals(List.of("X-Custom: one", "BITS-Packet-Type: Fragment", "BITS-Session-Id: {1234}",
                "Content-Range: bytes 0-99/3145728", "Content-Length: 100",
                "Host: 127.0.0.1:" + listener.getLocalPort(), "Connection: Keep-Alive", "Accept-Encoding: gzip"),
                Arrays.asList(lines).subList(1, 9), "the headers OkHttp writes for the packet, in its order");
        assertTrue(first.header("User-Agent").startsWith("okhttp/"), first.head());
        assertArrayEquals(Arrays.copyOfRange(content, 0, 100), first.body());
        assertArrayEquals(Arrays.copyOfRange(content, 100, 100 + (2 << 20)), requests.get(1).body());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // HTTP/1.0 keep-alive, bare LF line ends, no reason
        "HTTP/1.0 200\nConnection: keep-alive\nBITS-Packet-Type: Ack\nBITS-Received-Content-Range: 100\nContent-Length: 3\n\nabc",
        // chunked, with an extension and a trailer
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nBITS-Packet-Type: ack\r\nbits-received-content-range: 100\r\n\r\n"
                + "5;x=y\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n",
        // interim answers first, a folded header
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nBITS-Packet-Type: Ack\r\n"
                + "BITS-Received-Content-Range:\r\n  100\r\nContent-Length: 0\r\n\r\n",
    })
    void answersAsRealServersWriteThemAreRead(String answer) throws Exception {
        scripts.add(Script.of(answer));
        scripts.add(Script.of(ACK));
        try (FileFragmentSender s = sender()) {
            FileFragmentSender.Answer a = s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED);
            assertEquals(200, a.status());
            assertEquals("100", a.headers().get("BITS-Received-Content-Range"));
            assertEquals("ack", a.headers().get("BITS-Packet-Type").toLowerCase(Locale.ROOT));
            assertEquals(200, s.post(url("/a"), packetHeaders(), file, 100, 100, Pacer.UNLIMITED).status());
        }
        assertEquals(1, connections.get(), "the connection was kept after the answer's body");
    }

    @Test
    void anAnswerWithoutALengthIsNotWaitedForAndTheNextFragmentGoesOnANewConnection() throws Exception {
        // The body of such an answer ends with the connection, which this server keeps open: not waited for.
        scripts.add(new Script("HTTP/1.1 200 OK\r\nBITS-Packet-Type: Ack\r\nBITS-Received-Content-Range: 100\r\n\r\n"
                + "<html>a body without a length</html>", false, false));
        scripts.add(Script.of(ACK));
        try (FileFragmentSender s = sender()) {
            long t0 = System.nanoTime();
            assertEquals(200, s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED).status());
            assertTrue(System.nanoTime() - t0 < 1_500_000_000L, "not held up by the 2 s read timeout");
            assertEquals(200, s.post(url("/a"), packetHeaders(), file, 100, 100, Pacer.UNLIMITED).status());
        }
        assertEquals(2, connections.get());
    }

    @Test
    void anInterimAnswerWhileTheBodyGoesIsDroppedAndTheBodyGoesOn() throws Exception {
        scripts.add(new Script("HTTP/1.1 100 Continue\r\n\r\n", ACK, false, false));
        scripts.add(Script.of(ACK));
        try (FileFragmentSender s = sender()) {
            assertEquals(200, s.post(url("/a"), packetHeaders(), file, 0, 3 << 20, Pacer.UNLIMITED).status());
            assertEquals(200, s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED).status());
        }
        assertArrayEquals(content, requests.get(0).body());
        assertEquals(1, connections.get(), "the connection is still good for the next fragment");
    }

    @Test
    void aConnectionWhoseExchangeFailedIsNeverUsedAgain() throws Exception {
        scripts.add(new Script(null, false, false)); // never answers: the read times out
        scripts.add(Script.of(ACK));
        try (FileFragmentSender s = new FileFragmentSender(2000, 2000, 300)) {
            assertThrows(SocketTimeoutException.class,
                    () -> s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED));
            assertEquals(200, s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED).status());
        }
        assertEquals(2, connections.get(), "the second fragment did not go inside the first one's exchange");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length: -5\r\n", "Transfer-Encoding: chunked\r\n"})
    void aBadBodyLengthIsAProtocolError(String framing) {
        String body = framing.startsWith("Transfer") ? "-1\r\nx\r\n0\r\n\r\n" : "";
        scripts.add(Script.of("HTTP/1.1 200 OK\r\nBITS-Packet-Type: Ack\r\n" + framing + "\r\n" + body));
        try (FileFragmentSender s = sender()) {
            assertThrows(java.net.ProtocolException.class,
                    () -> s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED));
        }
    }

    @Test
    void aKeptConnectionTheServerClosedMeanwhileIsReplacedWithoutLosingTheFragment() throws Exception {
        scripts.add(new Script(ACK, false, true)); // says keep-alive, then closes
        scripts.add(Script.of(ACK));
        try (FileFragmentSender s = sender()) {
            assertEquals(200, s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED).status());
            Thread.sleep(200); // the close reaches the client
            assertEquals(200, s.post(url("/a"), packetHeaders(), file, 100, 1000, Pacer.UNLIMITED).status());
        }
        assertEquals(2, connections.get());
        assertArrayEquals(Arrays.copyOfRange(content, 100, 1100), requests.get(1).body());
    }

    @Test
    void anAnswerBeforeTheBodyIsAllSentIsHeard() throws Exception {
        Path big = tmp.resolve("big.bin");
        try (FileChannel w = FileChannel.open(big, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            w.truncate(0);
            w.write(java.nio.ByteBuffer.allocate(1), (256L << 20) - 1); // 256 MiB, sparse
        }
        scripts.add(new Script("HTTP/1.1 413 Request Entity Too Large\r\nBITS-Packet-Type: Ack\r\n"
                + "BITS-Error-Code: 0x80200020\r\nBITS-Error-Context: 0x5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                true, true));
        scripts.add(Script.of(ACK));
        try (FileChannel bigFile = FileChannel.open(big, StandardOpenOption.READ); FileFragmentSender s = sender()) {
            FileFragmentSender.Answer a = s.post(url("/a"), packetHeaders(), bigFile, 0, 256L << 20, Pacer.UNLIMITED);
            assertEquals(413, a.status());
            assertEquals("0x80200020", a.headers().get("BITS-Error-Code"));
            assertEquals(200, s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED).status());
        }
        assertEquals(2, connections.get(), "the refused request's connection is not used again");
    }

    @Test
    void aServerThatDoesNotAnswerTimesOut() {
        scripts.add(new Script(null, false, false));
        try (FileFragmentSender s = new FileFragmentSender(2000, 2000, 300)) {
            long t0 = System.nanoTime();
            assertThrows(SocketTimeoutException.class,
                    () -> s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED));
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        }
    }

    @Test
    void closeFromAnotherThreadEndsAPostInFlight() throws Exception {
        scripts.add(new Script(null, false, false));
        FileFragmentSender s = sender();
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            s.close();
        });
        stopper.start();
        long t0 = System.nanoTime();
        InterruptedIOException e = assertThrows(InterruptedIOException.class,
                () -> s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED));
        assertFalse(e instanceof SocketTimeoutException, "ended by the close, not by the read timeout: " + e);
        assertTrue(System.nanoTime() - t0 < 1_900_000_000L, "ended by the close, not by the 2 s read timeout");
        stopper.join();
        assertThrows(InterruptedIOException.class,
                () -> s.post(url("/a"), packetHeaders(), file, 0, 100, Pacer.UNLIMITED), "closed for good");
        s.release();
    }

    @Test
    @org.junit.jupiter.api.Timeout(20)
    void aFileThatShrinksWhileItsBodyGoesIsALocalFileChangedNotASpin() throws Exception {
        Path big = tmp.resolve("shrinking.bin");
        Files.write(big, TestData.random(32 << 20, 12));
        scripts.add(new Script(null, false, false)); // reads the body slowly: never answers
        try (FileChannel shrinking = FileChannel.open(big, StandardOpenOption.READ);
                FileChannel writer = FileChannel.open(big, StandardOpenOption.WRITE);
                FileFragmentSender s = sender()) {
            // A paced body goes in 256 KiB chunks, each checked against the file's size before it is paced; the
            // second is cut short after its check, in the middle: sendfile then finds the end of the file.
            Pacer cutAfterFirst = new Pacer() {
                private int calls;

                @Override
                public void pace(int bytes) {
                    if (++calls == 2) {
                        try {
                            writer.truncate((256 << 10) + 100_000);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            };
            long t0 = System.nanoTime();
            PacketSender.SourceFailure f = assertThrows(PacketSender.SourceFailure.class,
                    () -> s.post(url("/a"), packetHeaders(), shrinking, 0, 32 << 20, cutAfterFirst));
            assertEquals(HResult.BG_E_LOCAL_FILE_CHANGED, f.cause.hresult());
            assertTrue(System.nanoTime() - t0 < 1_900_000_000L, "found at once, not by a timeout");
        }
    }

    @Test
    void aLocalFileThatCannotBeReadMidBodyIsTheFilesFailureNotTheConnections() throws Exception {
        scripts.add(new Script(null, false, false)); // reads what comes; the exchange ends on the client's side
        try (FileChannel failing = new FailingChannel(FileChannel.open(tmp.resolve("upload.bin"),
                StandardOpenOption.READ), 1 << 20); FileFragmentSender s = sender()) {
            PacketSender.SourceFailure f = assertThrows(PacketSender.SourceFailure.class,
                    () -> s.post(url("/a"), packetHeaders(), failing, 0, 3 << 20, Pacer.UNLIMITED));
            assertEquals(org.jbits.ErrorContext.LOCAL_FILE, f.cause.context(), f.cause.getMessage());
            assertEquals(HResult.E_FAIL, f.cause.hresult());
            assertTrue(f.cause.getMessage().contains("Input/output error"), f.cause.getMessage());
        }
    }

    /** A file whose bytes from {@code failAt} on cannot be read (as a disk's I/O error makes them). */
    private static final class FailingChannel extends FileChannel {
        private final FileChannel file;
        private final long failAt;

        FailingChannel(FileChannel file, long failAt) {
            this.file = file;
            this.failAt = failAt;
        }

        private void check(long at) throws IOException {
            if (at >= failAt) {
                throw new IOException("Input/output error");
            }
        }

        @Override
        public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target)
                throws IOException {
            check(position);
            return file.transferTo(position, Math.min(count, failAt - position), target);
        }

        @Override
        public int read(java.nio.ByteBuffer dst, long position) throws IOException {
            check(position);
            return file.read(dst, position);
        }

        @Override
        public int read(java.nio.ByteBuffer dst) throws IOException {
            check(file.position());
            return file.read(dst);
        }

        @Override
        public long read(java.nio.ByteBuffer[] dsts, int offset, int length) throws IOException {
            check(file.position());
            return file.read(dsts, offset, length);
        }

        @Override
        public int write(java.nio.ByteBuffer src) throws IOException {
            return file.write(src);
        }

        @Override
        public long write(java.nio.ByteBuffer[] srcs, int offset, int length) throws IOException {
            return file.write(srcs, offset, length);
        }

        @Override
        public int write(java.nio.ByteBuffer src, long position) throws IOException {
            return file.write(src, position);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            file.force(metaData);
        }

        @Override
        public long transferFrom(java.nio.channels.ReadableByteChannel src, long position, long count)
                throws IOException {
            return file.transferFrom(src, position, count);
        }

        @Override
        public java.nio.MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return file.map(mode, position, size);
        }

        @Override
        public java.nio.channels.FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public java.nio.channels.FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }

    @Test
    void aFileShorterThanTheRangeIsALocalFileChangedBeforeAnyOfTheRangeIsSent() {
        scripts.add(Script.of(ACK));
        try (FileFragmentSender s = sender()) {
            PacketSender.SourceFailure f = assertThrows(PacketSender.SourceFailure.class,
                    () -> s.post(url("/a"), packetHeaders(), file, content.length - 10, 20, Pacer.UNLIMITED));
            assertEquals(HResult.BG_E_LOCAL_FILE_CHANGED, f.cause.hresult());
        }
    }
}
