package org.jbits.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A reply line written in parts by the worker that makes it (the reply to {@code get} of every job): the memory it
 * takes is a few parts, not the whole reply. {@link #close} ends the line; {@link #abort} gives up on it. Until the
 * first part has gone ({@link #sentAny}), the caller may still answer with an error line instead.
 */
abstract class ReplyStream extends OutputStream {
    /** True once bytes may have reached the client: an error can then only close the connection. */
    abstract boolean sentAny();

    /** Gives up on the reply: the connection is closed (or, before anything was sent, nothing happens). */
    abstract void abort();

    /** The parts gathered and handed to {@code whole} in one piece at close (a reply sink that takes only lines). */
    static ReplyStream gathered(Consumer<byte[]> whole) {
        return new ReplyStream() {
            private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            private boolean done;

            @Override
            public void write(int b) {
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buffer.write(b, off, len);
            }

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    whole.accept(buffer.toByteArray());
                }
            }

            @Override
            boolean sentAny() {
                return done;
            }

            @Override
            void abort() {
                done = true;
            }
        };
    }

    /**
     * The I/O thread's side of a reply written in parts; every call only posts to that thread. {@code started} comes
     * once, before the first part; {@code more} after each later part and after the last; {@code aborted} when the
     * worker gives up.
     */
    interface Connection {
        void started(Parted reply);

        void more(Parted reply);

        void aborted(Parted reply);
    }

    /**
     * Parts of {@value #PART_BYTES} bytes handed to the I/O thread, at most {@value #PARTS_IN_FLIGHT} unwritten at
     * once: the worker waits while the client is behind, up to {@code writeTimeout}, and fails with an IOException
     * once the connection is gone.
     */
    static final class Parted extends ReplyStream {
        static final int PART_BYTES = 64 * 1024;
        static final int PARTS_IN_FLIGHT = 8;

        private final Connection connection;
        private final long writeTimeoutNanos;
        private final Semaphore room = new Semaphore(PARTS_IN_FLIGHT);
        private final Queue<ByteBuffer> parts = new ConcurrentLinkedQueue<>();
        private byte[] buffer = new byte[PART_BYTES];
        private int filled;
        private boolean started;
        private boolean finished;
        private volatile boolean ended;
        private volatile boolean gone;

        Parted(Connection connection, long writeTimeoutNanos) {
            this.connection = connection;
            this.writeTimeoutNanos = writeTimeoutNanos;
        }

        @Override
        public void write(int b) throws IOException {
            if (filled == buffer.length) {
                send();
            }
            buffer[filled++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (filled == buffer.length) {
                    send();
                }
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        /** Hands the filled buffer over, waiting for room. */
        private void send() throws IOException {
            if (finished) {
                throw new IOException("the reply was ended");
            }
            if (gone) {
                throw new IOException("the client went away");
            }
            try {
                if (!room.tryAcquire(writeTimeoutNanos, TimeUnit.NANOSECONDS)) {
                    throw new IOException("the client did not read the reply");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the client read the reply");
            }
            if (gone) {
                throw new IOException("the client went away");
            }
            parts.add(ByteBuffer.wrap(filled == buffer.length ? buffer : Arrays.copyOf(buffer, filled)));
            buffer = new byte[PART_BYTES];
            filled = 0;
            if (!started) {
                started = true;
                connection.started(this);
            } else {
                connection.more(this);
            }
        }

        /** Sends what is left and ends the line. */
        @Override
        public void close() throws IOException {
            if (finished) {
                return;
            }
            send();
            finished = true;
            ended = true;
            connection.more(this);
        }

        @Override
        boolean sentAny() {
            return started;
        }

        @Override
        void abort() {
            finished = true;
            if (started) {
                connection.aborted(this);
            }
        }

        // --- the I/O thread's side ---

        /** The next part to write, or null. */
        ByteBuffer nextPart() {
            return parts.poll();
        }

        /** A part was written: room for another. */
        void partWritten() {
            room.release();
        }

        /** True when every part has been handed over (the queue may still hold some). */
        boolean ended() {
            return ended;
        }

        /** The connection is closed: the worker's next part fails instead of waiting. */
        void connectionGone() {
            gone = true;
            room.release(PARTS_IN_FLIGHT);
        }
    }
}
