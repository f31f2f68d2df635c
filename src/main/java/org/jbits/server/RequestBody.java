package org.jbits.server;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Blocker;

/**
 * Reads a request body to its end in the handler's thread, chunk by chunk straight from Jetty's buffers (no copy
 * into a stream). A read that waits is parked on Jetty's demand; the connection's idle timeout fails it, so a
 * client that stops sending frees the thread after that long.
 */
final class RequestBody {
    /** Takes one chunk's bytes; what it does not consume is dropped. */
    interface Consumer {
        void accept(ByteBuffer bytes) throws BitsError;
    }

    private RequestBody() {
    }

    /** Hands every byte of {@code body} to {@code consumer}; returns how many there were. */
    static long read(Content.Source body, Consumer consumer) throws IOException, BitsError {
        long n = 0;
        while (true) {
            Content.Chunk chunk = body.read();
            if (chunk == null) {
                try (Blocker.Runnable wake = Blocker.runnable()) {
                    body.demand(wake);
                    wake.block();
                }
                continue;
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    Throwable t = chunk.getFailure();
                    throw t instanceof IOException io ? io : new InterruptedIOException("the request body failed: " + t);
                }
                ByteBuffer b = chunk.getByteBuffer();
                n += b.remaining();
                if (b.hasRemaining()) {
                    consumer.accept(b);
                }
                if (chunk.isLast()) {
                    return n;
                }
            } finally {
                chunk.release();
            }
        }
    }

    /** Reads and drops the body (a retransmitted fragment the server holds already). */
    static long discard(Content.Source body) throws IOException {
        try {
            return read(body, b -> b.position(b.limit()));
        } catch (BitsError impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
