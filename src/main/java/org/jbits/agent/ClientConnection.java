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
