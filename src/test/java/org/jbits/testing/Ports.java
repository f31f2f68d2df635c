package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback ports for test servers. */
public final class Ports {
    private Ports() {
    }

    /**
     * A 127.0.0.1 port that was free a moment ago: for a server about to bind it, or as a port where a
     * connection is refused because nothing listens.
     */
    public static int free() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
