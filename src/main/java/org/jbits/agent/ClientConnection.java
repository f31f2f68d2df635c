package org.jbits.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection as the agent's I/O thread sees it: reading a request line, waiting for its reply, or
 * writing the reply. One request is in flight at a time (reading pauses meanwhile, so a client that sends faster
 * than it is answered is slowed by its own socket buffer, not by the agent's memory). Touched by the I/O thread only.
 */
final class ClientConnection {
    /** Where the connection is in its request/reply cycle. */
    enum Phase {
        /** Reading a request line. */
        READING,
        /** A request is with the workers. */
        DISPATCHED,
        /** Writing a reply. */
        WRITING
    }

    final SocketChannel channel;
    final SelectionKey key;
    final LineBuffer in;
    /** Who is at the other end; null for a refused peer, which only gets its refusal. */
    final Caller caller;
    Phase phase = Phase.READING;
    ByteBuffer out;
    /** A reply being written in parts ({@link #out} is its current part), or null. */
    ReplyStream.Parted parts;
    boolean closeAfterWrite;
    boolean closed;
    /** System.nanoTime() by which the current phase must end; Long.MAX_VALUE for none. */
    long deadline;
    /** System.nanoTime() of the last byte received or sent. */
    long lastActivity;

    ClientConnection(SocketChannel channel, SelectionKey key, LineBuffer in, Caller caller, long now) {
        this.channel = channel;
        this.key = key;
        this.in = in;
        this.caller = caller;
        this.lastActivity = now;
    }

    /** True when closing it loses nothing but an idle or unfinished connection (no request with the workers, no reply half sent). */
    boolean isIdle() {
        return phase == Phase.READING && !closeAfterWrite;
    }

    /** What {@link #read} found. */
    enum Read {
        /** Nothing complete yet; read again when there is more. */
        MORE,
        /** A complete request line is buffered. */
        LINE,
        /** The client closed its end. */
        END,
        /** The line is over the limit. */
        TOO_LONG,
        /** The budget refused the memory the line needs. */
        NO_MEMORY
    }

    /**
     * Reads what the socket has, at most {@code reads} times through {@code scratch}, into the line buffer, and
     * never more than the line may still hold, so that nothing read is dropped. The first byte of a request starts
     * its deadline of {@code requestTime}.
     */
    Read read(ByteBuffer scratch, int reads, LineBuffer.Budget budget, java.time.Duration requestTime) throws IOException {
        for (int i = 0; i < reads; i++) {
            scratch.clear();
            scratch.limit(Math.min(scratch.capacity(), in.room()));
            int n = channel.read(scratch);
            if (n < 0) {
                return Read.END;
            }
            if (n == 0) {
                return Read.MORE;
            }
            scratch.flip();
            long now = System.nanoTime();
            if (!in.hasPartial()) {
                deadline = now + requestTime.toNanos();
            }
            lastActivity = now;
            switch (in.append(scratch, budget)) {
                case LINE -> {
                    return Read.LINE;
                }
                case TOO_LONG -> {
                    return Read.TOO_LONG;
                }
                case NO_MEMORY -> {
                    return Read.NO_MEMORY;
                }
                case PARTIAL -> {
                    // read on
                }
            }
        }
        return Read.MORE;
    }

    /** Writes as much of the reply as the socket takes; true when all of it is written. */
    boolean flush() throws IOException {
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                return false;
            }
        }
        return true;
    }
}
