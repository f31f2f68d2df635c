package jcifs.smb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection as a {@link SocketChannel} in non-blocking mode, read and written through blocking streams (what
 * jcifs-ng's connection expects of its {@code java.net.Socket}) and, for jbits' bulk writes, from {@link ByteBuffer}s
 * ({@link Out#write(ByteBuffer[])}): a direct buffer goes to the kernel as it is, where a {@code java.net.Socket}'s
 * stream copies every byte array into a temporary direct buffer first (an upload's data was copied twice in the
 * agent: the local file into a heap block, the block into that buffer).
 *
 * <p>Why non-blocking: a blocking channel is interruptible, and an interrupt of a thread inside one of its reads or
 * writes closes the channel, so an interrupted caller (a command stopped with Ctrl-C while it lists a share) would end
 * the connection every job on it shares; a {@code java.net.Socket} is not closed so. Here no read or write blocks in
 * the channel: each waits on a selector of its own, which an interrupt only wakes; the wait goes on and the interrupt
 * is set again when the call returns (a message half-sent cannot be taken back, as with a socket's stream).
 *
 * <p>Reads honour the socket's {@code SO_TIMEOUT} ({@link Socket#setSoTimeout} on {@link #socket}, as jcifs-ng sets
 * it) with a {@link SocketTimeoutException}; a write waits as long as the peer does not read, as a socket's does, and
 * fails once the connection is closed. One thread reads at a time (jcifs-ng's receive thread) and one writes at a time
 * (under jcifs-ng's output lock).
 */
final class ChannelConnection implements AutoCloseable {
    /** The longest a wait sleeps before it looks again whether the connection was closed under it. */
    private static final long SLICE_MILLIS = 1000;

    private final SocketChannel channel;
    private final Selector readable;
    private final Selector writable;
    /** Whether this thread's wait cleared an interrupt, to be set again when its call returns. */
    private final ThreadLocal<Boolean> interrupted = new ThreadLocal<>();
    private final In in = new In();
    private final Out out = new Out();

    private ChannelConnection(SocketChannel channel, Selector readable, Selector writable) {
        this.channel = channel;
        this.readable = readable;
        this.writable = writable;
    }

    /** Connects to {@code remote} (from {@code local} when not null) within {@code timeoutMillis} (0: no limit). */
    static ChannelConnection connect(InetSocketAddress local, InetSocketAddress remote, int timeoutMillis)
            throws IOException {
        SocketChannel ch = SocketChannel.open();
        Selector r = null;
        Selector w = null;
        try {
            if (local != null) {
                ch.bind(local);
            }
            ch.configureBlocking(false);
            r = Selector.open();
            w = Selector.open();
            ch.register(r, SelectionKey.OP_READ);
            SelectionKey key = ch.register(w, SelectionKey.OP_CONNECT);
            ChannelConnection c = new ChannelConnection(ch, r, w);
            if (!ch.connect(remote)) {
                long deadline = timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
                try {
                    while (!ch.finishConnect()) {
                        if (!c.await(w, deadline)) {
                            throw new SocketTimeoutException("Connect timed out");
                        }
                    }
                } finally {
                    c.restoreInterrupt();
                }
            }
            key.interestOps(SelectionKey.OP_WRITE);
            return c;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, r, w);
            throw e;
        }
    }

    /** The channel's socket: for jcifs-ng's {@code SO_TIMEOUT}, {@code shutdownOutput}, {@code isClosed}, close. */
    Socket socket() {
        return channel.socket();
    }

    InputStream in() {
        return in;
    }

    Out out() {
        return out;
    }

    @Override
    public void close() {
        closeQuietly(channel, readable, writable);
    }

    private static void closeQuietly(SocketChannel ch, Selector r, Selector w) {
        // The channel first: its keys are cancelled, and closing the selectors deregisters them, which releases the
        // socket (a registered channel's close is completed only then).
        for (AutoCloseable c : new AutoCloseable[] {ch, r, w}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing anyway
                }
            }
        }
    }

    /**
     * Waits until {@code selector}'s one key is ready or {@code deadline} ({@code System.nanoTime()}; 0: none) has
     * passed; false on the deadline. An interrupt does not end the wait: it is cleared and set again by the caller
     * ({@link #interrupted}).
     */
    private boolean await(Selector selector, long deadline) throws IOException {
        while (true) {
            if (!channel.isOpen()) {
                throw new SocketException("Socket closed");
            }
            long wait = SLICE_MILLIS;
            if (deadline != 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                wait = Math.min(wait, left);
            }
            try {
                if (selector.select(wait) > 0) {
                    selector.selectedKeys().clear();
                    return true;
                }
            } catch (ClosedSelectorException | java.nio.channels.CancelledKeyException e) {
                throw new SocketException("Socket closed");
            }
            if (Thread.interrupted()) {
                interrupted.set(Boolean.TRUE);
            }
        }
    }

    private void restoreInterrupt() {
        if (interrupted.get() != null) {
            interrupted.remove();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The connection's input: reads as a socket's stream does, {@code SO_TIMEOUT} included, and into a
     * {@link ByteBuffer} ({@link #read(ByteBuffer)}: a direct one takes the bytes from the kernel with no copy in this
     * process, where a socket's stream reads into a temporary direct buffer and copies from it).
     */
    final class In extends InputStream {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            return read(ByteBuffer.wrap(b, off, len));
        }

        /**
         * Reads at least one byte into {@code dst} (which has room for one) as the socket's next bytes come, and no
         * more than it has room for; the count, -1 at the end of the stream.
         */
        int read(ByteBuffer dst) throws IOException {
            if (!dst.hasRemaining()) {
                return 0;
            }
            if (!channel.isOpen()) {
                throw new SocketException("Socket closed");
            }
            try {
                int timeout = channel.socket().getSoTimeout();
                long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0;
                while (true) {
                    int n = channel.read(dst);
                    if (n != 0) {
                        return n;
                    }
                    if (!await(readable, deadline)) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                }
            } finally {
                restoreInterrupt();
            }
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public void close() {
            ChannelConnection.this.close();
        }
    }

    /** The connection's output: writes every byte before it returns, as a socket's stream does. */
    final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            write(new ByteBuffer[] {ByteBuffer.wrap(b, off, len)});
        }

        /** Writes what remains of every buffer, in order (one {@code writev} where the socket takes it all). */
        void write(ByteBuffer[] srcs) throws IOException {
            long left = 0;
            for (ByteBuffer b : srcs) {
                left += b.remaining();
            }
            try {
                while (left > 0) {
                    long n = channel.write(srcs);
                    left -= n;
                    if (left > 0 && n == 0) {
                        await(writable, 0);
                    }
                }
            } finally {
                restoreInterrupt();
            }
        }

        @Override
        public void close() {
            ChannelConnection.this.close();
        }
    }
}
