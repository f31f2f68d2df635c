package org.jbits.transport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain sockets whose input stream reads from the kernel in big gulps. OkHttp (through Okio) reads a response in
 * 8 KiB segments, one socket read each: about 131,000 system calls per GiB, which made reading alone slower than
 * curl writing the same GiB to disk. Behind a {@link BufferedInputStream} of {@value #BUFFER} bytes, one read
 * takes whatever the socket holds (up to that size) and Okio's 8 KiB reads are served from memory. A read still
 * returns as soon as some bytes are there, so a slow link is not held up, and SO_TIMEOUT still applies.
 * TLS sockets are layered over these, so HTTPS gains the same.
 *
 * <p>Writes likewise: Okio writes a request body (an upload's fragment) in 8 KiB segments, one {@code write(2)}
 * each (65,536 per 512 MiB, measured with strace -c on the agent). Gathered into {@value #BUFFER} bytes
 * ({@link Coalescing}) they reach the kernel in 256 KiB writes, written as soon as the buffer is full; Okio flushes
 * at the end of every request (and TLS after every record), which writes out the rest, so nothing waits in the
 * buffer for an answer.
 */
final class ReadBufferedSocketFactory extends SocketFactory {
    /** Bytes one socket read may take. */
    static final int BUFFER = 256 * 1024;

    /** Null, or the pacer of the one transfer whose connections these are (see {@link #paced}). */
    private final Pacer pacer;

    ReadBufferedSocketFactory() {
        this(null);
    }

    private ReadBufferedSocketFactory(Pacer pacer) {
        this.pacer = pacer;
    }

    /**
     * Sockets for a paced transfer: SO_RCVBUF set to what the pacer asks before they connect (the window the sender
     * sees must be small for reading slowly to slow the sender down; set later, the window scale is already fixed
     * and the kernel's autotuning has already grown the buffer), and the pacer told of each connection.
     */
    static ReadBufferedSocketFactory paced(Pacer pacer) {
        return new ReadBufferedSocketFactory(pacer);
    }

    private static final class ReadBufferedSocket extends Socket {
        private final Pacer pacer;
        private InputStream in;
        private OutputStream out;

        ReadBufferedSocket(Pacer pacer) throws IOException {
            this.pacer = pacer;
            // No Nagle (OkHttp leaves it on; curl turns it off): a request's last partial segment went only once the
            // server acknowledged the ones before, which a receiver delays by up to 40 ms, once at the end of every
            // upload fragment (measured: 1-16 MiB fragments took about 50 ms each over loopback, 1 MiB of it data).
            // Writes are gathered above ({@link Coalescing}), so small segments do not multiply without it.
            setTcpNoDelay(true);
            if (pacer != null && pacer.receiveBuffer() > 0) {
                setReceiveBufferSize(pacer.receiveBuffer());
            }
        }

        @Override
        public void connect(java.net.SocketAddress endpoint, int timeout) throws IOException {
            super.connect(endpoint, timeout);
            if (pacer != null) {
                pacer.connected(this);
            }
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new BufferedInputStream(super.getInputStream(), BUFFER);
            }
            return in;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new Coalescing(super.getOutputStream());
            }
            return out;
        }
    }

    /**
     * Gathers small writes into one buffer and writes it out the moment it is full (a {@link java.io.BufferedOutputStream}
     * would hold a full buffer until the next write: a paced upload's last chunk until the next one is due), and
     * on every flush; a write as large as the buffer goes straight through. The buffer starts at {@value #FIRST}
     * bytes and grows to {@value #BUFFER} only on a connection that carries a body that large, so a download's
     * connections, which write only request heads, do not hold 256 KiB each.
     */
    static final class Coalescing extends java.io.FilterOutputStream {
        static final int FIRST = 16 << 10;
        private byte[] buf = new byte[FIRST];
        private int count;

        Coalescing(OutputStream out) {
            super(out);
        }

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len >= BUFFER) {
                drain();
                out.write(b, off, len);
                return;
            }
            if (len > buf.length - count) {
                if (buf.length < BUFFER) {
                    buf = java.util.Arrays.copyOf(buf, Math.min(BUFFER, Math.max(2 * buf.length, count + len)));
                }
                if (len > buf.length - count) {
                    drain();
                }
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
            if (count == BUFFER) {
                drain();
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            drain();
            out.flush();
        }

        private void drain() throws IOException {
            if (count > 0) {
                int n = count;
                count = 0;
                out.write(buf, 0, n);
            }
        }
    }

    @Override
    public Socket createSocket() throws IOException {
        return new ReadBufferedSocket(pacer);
    }

    // OkHttp creates unconnected sockets (createSocket() above) and connects them itself; these are SocketFactory's
    // other forms, for completeness.
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
    }

    private Socket connected(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        Socket s = createSocket();
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }
}
