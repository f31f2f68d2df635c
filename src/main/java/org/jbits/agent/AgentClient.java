package org.jbits.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One connection to an agent: send a request, read its reply, each within a deadline, so that a hung agent makes
 * the CLI fail in bounded time instead of waiting forever. The channel is non-blocking and every wait goes through
 * a selector with the time left: a Unix socket channel has no read timeout of its own.
 */
public final class AgentClient implements AutoCloseable {
    /** How long connecting may take, including while the agent's accept backlog is full. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How long a reply may take beyond what the request itself asks to wait ({@code wait}): {@code submit} of many
     * files commits each to the store. {@code -Djbits.client.replyTimeoutMillis} changes it.
     */
    public static final Duration REPLY_TIMEOUT = Duration.ofMillis(Long.getLong("jbits.client.replyTimeoutMillis", 30_000));
    /** How long a status probe may take: an agent that cannot answer that in this time is as good as hung. */
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    /** A reply larger than this is refused rather than held (a get of very many jobs stays far below it). */
    private static final int MAX_REPLY_BYTES = 256 << 20;

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    /** Bytes received and not yet returned: {@code received[0..length)}, of which {@code scanned} hold no newline. */
    private byte[] received = new byte[0];
    private int length;
    private int scanned;

    private AgentClient(SocketChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    /** Connects to the agent listening on {@code socket}, within {@link #CONNECT_TIMEOUT}. */
    public static AgentClient connect(Path socket) throws IOException {
        return connect(socket, CONNECT_TIMEOUT);
    }

    /**
     * Connects within {@code timeout}. A full accept backlog (the agent is not accepting) is retried until then;
     * no socket file, or one nobody listens on, fails at once.
     */
    public static AgentClient connect(Path socket, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            Selector sel = null;
            try {
                ch.configureBlocking(false);
                sel = Selector.open();
                if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                    ch.register(sel, SelectionKey.OP_CONNECT);
                    while (!ch.finishConnect()) {
                        if (!waitFor(sel, deadline)) {
                            throw timeout("connecting to the agent", timeout, null);
                        }
                    }
                    sel.selectedKeys().clear();
                }
                return new AgentClient(ch, sel);
            } catch (ConnectException noListener) {
                close(ch, sel);
                throw noListener;
            } catch (SocketException e) {
                close(ch, sel);
                // EAGAIN: the socket is there but its backlog is full. Anything else (no file, no access) is final.
                if (!Files.exists(socket) || !Files.isWritable(socket)) {
                    throw e;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw timeout("connecting to the agent", timeout, e);
                }
                pause();
            } catch (IOException | RuntimeException e) {
                close(ch, sel);
                throw e;
            }
        }
    }

    private static void close(SocketChannel ch, Selector sel) {
        try {
            ch.close();
            if (sel != null) {
                sel.close();
            }
        } catch (IOException ignored) {
            // nothing was sent
        }
    }

    private static void pause() throws SocketTimeoutException {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketTimeoutException("interrupted while connecting to the agent");
        }
    }

    /** What an agent said to a status request, or why none did. */
    public record Probe(Outcome outcome, ObjectNode reply, String problem) {
        /** The outcomes of a probe. */
        public enum Outcome {
            /** The agent answered and serves this user. */
            RUNNING,
            /** An agent answered but refuses this user (another user's agent); {@code reply} is the refusal. */
            REFUSED,
            /** No agent listens there (no socket, or a stale one). */
            ABSENT,
            /** Something accepted the connection but gave no valid answer in time: a hung or broken agent. */
            UNRESPONSIVE
        }
    }

    /** Asks the agent on {@code socket} for its status, within {@link #PROBE_TIMEOUT}. */
    public static Probe probe(Path socket) {
        AgentClient c;
        try {
            c = connect(socket, PROBE_TIMEOUT);
        } catch (SocketTimeoutException e) {
            return new Probe(Probe.Outcome.UNRESPONSIVE, null, e.getMessage());
        } catch (IOException e) {
            return new Probe(Probe.Outcome.ABSENT, null, e.getMessage());
        }
        try (c) {
            ObjectNode reply = c.call(new Request.Status(), PROBE_TIMEOUT);
            return reply.path("ok").asBoolean(false)
                    ? new Probe(Probe.Outcome.RUNNING, reply, null)
                    : new Probe(Probe.Outcome.REFUSED, reply, reply.path("message").asText());
        } catch (IOException e) {
            return new Probe(Probe.Outcome.UNRESPONSIVE, null, e.getMessage());
        }
    }

    /** True when an agent answers a status request on {@code socket} and serves this user. */
    public static boolean answers(Path socket) {
        return probe(socket).outcome() == Probe.Outcome.RUNNING;
    }

    /** Sends one request and returns its reply (which may be a failure reply), within the reply deadline. */
    public ObjectNode call(Request request) throws IOException {
        Duration asked = request instanceof Request.Wait w ? w.timeout() : Duration.ZERO;
        return call(request, REPLY_TIMEOUT.plus(asked));
    }

    /**
     * Sends one request and returns its reply within {@code timeout}. An agent that refuses this peer answers and
     * closes before reading the request, so when the write fails the refusal already sent is still read and
     * returned; only without one does the write's error stand.
     */
    public ObjectNode call(Request request, Duration timeout) throws IOException {
        return parse(callLine(request, timeout));
    }

    /**
     * Sends one request and returns its reply line as the agent sent it, without the newline (for a reply that is
     * copied through rather than read into a tree: {@code get --json} of every job).
     */
    public byte[] callLine(Request request) throws IOException {
        return callLine(request, REPLY_TIMEOUT);
    }

    private byte[] callLine(Request request, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            write(ByteBuffer.wrap(RequestCodec.line(request)), deadline, timeout);
        } catch (SocketTimeoutException stuck) {
            throw stuck;
        } catch (IOException writeFailed) {
            try {
                return readLine(deadline, timeout);
            } catch (IOException noReply) {
                writeFailed.addSuppressed(noReply);
                throw writeFailed;
            }
        }
        return readLine(deadline, timeout);
    }

    /** A reply line as the object it must be. */
    public static ObjectNode parse(byte[] line) throws IOException {
        JsonNode reply = Json.parse(new String(line, StandardCharsets.UTF_8));
        if (!(reply instanceof ObjectNode o)) {
            throw new IOException("the agent sent a malformed reply");
        }
        return o;
    }

    private void write(ByteBuffer bytes, long deadline, Duration timeout) throws IOException {
        SelectionKey key = channel.keyFor(selector) != null ? channel.keyFor(selector)
                : channel.register(selector, 0);
        while (bytes.hasRemaining()) {
            if (channel.write(bytes) == 0) {
                key.interestOps(SelectionKey.OP_WRITE);
                if (!waitFor(selector, deadline)) {
                    throw timeout("sending the request to the agent", timeout, null);
                }
            }
        }
    }

    private byte[] readLine(long deadline, Duration timeout) throws IOException {
        SelectionKey key = channel.keyFor(selector) != null ? channel.keyFor(selector)
                : channel.register(selector, 0);
        while (true) {
            byte[] line = takeLine();
            if (line != null) {
                return line;
            }
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (n < 0) {
                throw new IOException("the agent closed the connection");
            }
            if (n == 0) {
                key.interestOps(SelectionKey.OP_READ);
                if (!waitFor(selector, deadline)) {
                    throw timeout("waiting for the agent's reply", timeout, null);
                }
                continue;
            }
            if (length + n > MAX_REPLY_BYTES) {
                throw new IOException("the agent's reply is over " + (MAX_REPLY_BYTES >> 20) + " MiB");
            }
            if (length + n > received.length) {
                received = java.util.Arrays.copyOf(received, Math.max(length + n, 2 * received.length));
            }
            System.arraycopy(readBuffer.array(), 0, received, length, n);
            length += n;
        }
    }

    /** The first complete line received, without its newline, or null; what follows it is kept for the next. */
    private byte[] takeLine() {
        for (; scanned < length; scanned++) {
            if (received[scanned] == '\n') {
                byte[] line = java.util.Arrays.copyOf(received, scanned);
                int rest = length - scanned - 1;
                System.arraycopy(received, scanned + 1, received, 0, rest);
                length = rest;
                scanned = 0;
                return line;
            }
        }
        return null;
    }

    /** Waits until the selector has a ready key or the deadline passes; false when it passed. */
    private static boolean waitFor(Selector sel, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        sel.select(Math.max(1, left / 1_000_000));
        sel.selectedKeys().clear();
        return true;
    }

    private static SocketTimeoutException timeout(String what, Duration timeout, Throwable cause) {
        SocketTimeoutException e = new SocketTimeoutException(what + " took over " + seconds(timeout));
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            selector.close();
        }
    }
}
