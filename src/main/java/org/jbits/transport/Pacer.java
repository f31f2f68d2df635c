package org.jbits.transport;

import java.io.InterruptedIOException;

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
}
