package org.jbits.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The agent's line protocol over a pair of byte streams (a child process's stdin and stdout, such as
 * {@code ssh HOST jbits agent bridge}): one request line out, one reply line back, each reply within a deadline.
 * A pipe has no read timeout, so one daemon thread reads the replies and hands each complete line over; the
 * caller waits for it with the time left. End of stream, or a read error, is handed over the same way and fails
 * the call waiting then and every later one.
 */
public final class StreamClient implements AgentLink {
    /** A reply larger than this is refused rather than held, as {@link AgentClient} refuses one. */
    private static final int MAX_REPLY_BYTES = 256 << 20;
    private static final Object EOF = new Object();

    private final OutputStream out;
    private final InputStream in;
    private final LinkedBlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    private final Thread reader;
    /** Added to every reply deadline: the time the far end may take to open (a login, an agent started there). */
    private volatile Duration firstReplyGrace;
    private Object ended;
    private boolean closed;

    /**
     * A client writing requests to {@code out} and reading replies from {@code in}; the first reply may take
     * {@code firstReplyGrace} more than the others.
     */
    public StreamClient(InputStream in, OutputStream out, Duration firstReplyGrace) {
        this.in = in;
        this.out = out;
        this.firstReplyGrace = firstReplyGrace;
        this.reader = new Thread(this::readLines, "jbits-stream-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLines() {
        byte[] buf = new byte[64 * 1024];
        byte[] line = new byte[1024];
        int length = 0;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines.add(Arrays.copyOf(line, length));
                        length = 0;
                        continue;
                    }
                    if (length == MAX_REPLY_BYTES) {
                        throw new IOException("the agent's reply is over " + (MAX_REPLY_BYTES >> 20) + " MiB");
                    }
                    if (length == line.length) {
                        line = Arrays.copyOf(line, Math.min(MAX_REPLY_BYTES, 2 * line.length));
                    }
                    line[length++] = buf[i];
                }
            }
            lines.add(EOF);
        } catch (IOException e) {
            lines.add(e);
        }
    }

    @Override
    public ObjectNode call(Request request) throws IOException {
        return AgentClient.parse(callLine(request));
    }

    @Override
    public byte[] callLine(Request request) throws IOException {
        Duration asked = request instanceof Request.Wait w ? w.timeout() : Duration.ZERO;
        return exchange(RequestCodec.line(request), AgentClient.REPLY_TIMEOUT.plus(asked));
    }

    /**
     * Sends {@code line} (with its newline) and returns the reply line within {@code timeout} (plus the first
     * reply's grace): for the requests that are not the agent's ({@code {"bridge": ...}}).
     */
    public byte[] exchange(byte[] line, Duration timeout) throws IOException {
        if (ended != null) {
            throw ended(ended);
        }
        Duration limit = timeout.plus(firstReplyGrace);
        try {
            out.write(line);
            out.flush();
        } catch (IOException writeFailed) {
            // The far end went away: what it said last (an error reply, or the end) is still to be read.
            Object next = poll(Duration.ofSeconds(2));
            if (next instanceof byte[] b) {
                return b;
            }
            throw writeFailed;
        }
        Object next = poll(limit);
        if (next == null) {
            throw new SocketTimeoutException("waiting for the agent's reply took over " + limit.toSeconds() + " s");
        }
        if (next instanceof byte[] b) {
            firstReplyGrace = Duration.ZERO;
            return b;
        }
        ended = next;
        throw ended(next);
    }

    private Object poll(Duration limit) throws IOException {
        try {
            return lines.poll(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the agent's reply");
        }
    }

    private static IOException ended(Object how) {
        return how instanceof IOException e ? new IOException(e.getMessage(), e)
                : new EOFException("the connection to the agent closed");
    }

    /** Closes the request stream (the far end sees its end) and the reply stream. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } finally {
            in.close();
        }
    }
}
