package org.jbits.bandwidth;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The received-bytes counter of the interface a connection uses, from /proc/net/dev (this network namespace's
 * interfaces, Linux). The pacer subtracts its own bytes: what remains is someone else's traffic on the same link.
 */
final class InterfaceCounters {
    private final String name;
    private final Path dev;

    private InterfaceCounters(String name, Path dev) {
        this.name = name;
        this.dev = dev;
    }

    /** The counters of the interface that holds {@code local}, or null when there is none to read. */
    static InterfaceCounters of(InetAddress local) {
        try {
            NetworkInterface ni = NetworkInterface.getByInetAddress(local);
            Path dev = Path.of("/proc/net/dev");
            if (ni == null || !Files.isReadable(dev)) {
                return null;
            }
            InterfaceCounters c = new InterfaceCounters(ni.getName(), dev);
            return c.receivedBytes() >= 0 ? c : null;
        } catch (SocketException | RuntimeException e) {
            return null;
        }
    }

    String name() {
        return name;
    }

    /** Bytes received on the interface so far; -1 when it cannot be read. */
    long receivedBytes() {
        try {
            for (String l : Files.readAllLines(dev)) {
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).strip().equals(name)) {
                    return Long.parseLong(l.substring(colon + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
