package org.jbits.bandwidth;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The kernel's TCP_INFO of a connected socket, through JNA's getsockopt (Linux only). A java.net.Socket does not
 * show its descriptor, so it is found once: the socket's inode from /proc/net/tcp (or tcp6) by its two ports, then
 * the descriptor of this process that links to {@code socket:[inode]}. Read {@code tcpi_rcv_rtt}, the receiver's
 * round-trip estimate (from TCP timestamps: 1 ms resolution, smoothed; {@code tcpi_rtt} is the sender's and does
 * not move on a pure receiver).
 */
final class TcpInfo {
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    private static final int LEN = 232;
    private static final int OFF_RTT = 68;
    private static final int OFF_RCV_RTT = 92;

    interface C extends Library {
        int getsockopt(int fd, int level, int name, byte[] value, IntByReference len);
    }

    private static volatile C libc;

    private final int fd;
    private final Socket socket;

    private TcpInfo(int fd, Socket socket) {
        this.fd = fd;
        this.socket = socket;
    }

    /** The reader of {@code socket}'s TCP_INFO, or null where there is none (not Linux, not found, no JNA). */
    static TcpInfo of(Socket socket) {
        if (!Platform.isLinux() || !socket.isConnected()) {
            return null;
        }
        try {
            long inode = inode(socket);
            if (inode <= 0) {
                return null;
            }
            String want = "socket:[" + inode + "]";
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
                for (Path p : fds) {
                    try {
                        if (Files.readSymbolicLink(p).toString().equals(want)) {
                            if (libc == null) {
                                libc = Native.load("c", C.class);
                            }
                            return new TcpInfo(Integer.parseInt(p.getFileName().toString()), socket);
                        }
                    } catch (IOException | NumberFormatException e) {
                        // gone meanwhile, or not a descriptor
                    }
                }
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            return null;
        }
        return null;
    }

    private static long inode(Socket s) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", s.getLocalPort());
        String remote = String.format(Locale.ROOT, ":%04X", s.getPort());
        Path table = Path.of(s.getInetAddress() instanceof Inet6Address ? "/proc/net/tcp6" : "/proc/net/tcp");
        List<String> lines = Files.readAllLines(table);
        for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 9 && f[1].endsWith(local) && f[2].endsWith(remote) && f[3].equals("01")) {
                return Long.parseLong(f[9]);
            }
        }
        return -1;
    }

    /** {@code tcpi_rcv_rtt} in microseconds, 0 when the kernel has none yet, -1 when the socket is closed. */
    long receiverRttMicros() {
        if (socket.isClosed()) {
            return -1;
        }
        byte[] b = new byte[LEN];
        IntByReference len = new IntByReference(LEN);
        if (libc.getsockopt(fd, IPPROTO_TCP, TCP_INFO, b, len) != 0 || len.getValue() < OFF_RCV_RTT + 4) {
            return -1;
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        return Integer.toUnsignedLong(bb.getInt(OFF_RCV_RTT));
    }

    /** {@code tcpi_rtt} in microseconds (the sender-side smoothed RTT), -1 when unreadable. */
    long rttMicros() {
        byte[] b = new byte[LEN];
        IntByReference len = new IntByReference(LEN);
        if (socket.isClosed() || libc.getsockopt(fd, IPPROTO_TCP, TCP_INFO, b, len) != 0) {
            return -1;
        }
        return Integer.toUnsignedLong(ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(OFF_RTT));
    }
}
