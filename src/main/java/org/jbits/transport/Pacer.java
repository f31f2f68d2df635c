package org.jbits.transport;

import java.io.InterruptedIOException;
import java.net.Socket;

/**
 * What a transfer's byte loop asks before it moves more bytes: a rate limiter or the idle-bandwidth controller
 * sits behind it. Called from the transport's thread, so an implementation may block for as long as the rate wants.
 */
@FunctionalInterface
public interface Pacer {
    /** Never waits: a Foreground job, or no policy. */
    Pacer UNLIMITED = bytes -> {
    };

    /**
     * Called with the number of bytes the loop just moved (or is about to move); returns when the loop may go on.
     *
     * @throws InterruptedIOException when the thread is interrupted while waiting
     */
    void pace(int bytes) throws InterruptedIOException;

    /**
     * SO_RCVBUF for the transfer's connections, set before they connect (which fixes the window scale and turns the
     * kernel's receive autotuning off, so that reading slowly makes the sender slow); 0 leaves the kernel's default.
     */
    default int receiveBuffer() {
        return 0;
    }

    /**
     * How often the transport should measure the latency of a small request on a keep-alive connection of its own
     * to the same server and report it ({@link #latencySample}), nanoseconds; 0: not wanted.
     */
    default long probeIntervalNanos() {
        return 0;
    }

    /** One latency the transport measured (request sent to first byte of the answer), nanoseconds. */
    default void latencySample(long nanos) {
    }

    /** A connection of the transfer is up (the pacer may read its TCP_INFO, size its buffer, find its interface). */
    default void connected(Socket socket) {
    }
}
