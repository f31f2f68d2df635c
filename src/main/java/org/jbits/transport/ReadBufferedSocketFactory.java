package org.jbits.transport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
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
 */
final class ReadBufferedSocketFactory extends SocketFactory {
    /** Bytes one socket read may take. */
    static final int BUFFER = 256 * 1024;

    private static final class ReadBufferedSocket extends Socket {
        private InputStream in;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new BufferedInputStream(super.getInputStream(), BUFFER);
            }
            return in;
        }
    }

    @Override
    public Socket createSocket() {
        return new ReadBufferedSocket();
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
