package org.jbits.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Platform;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** TCP_INFO and the unread bytes of a real connected socket on 127.0.0.1 (Linux, where the pacer reads them). */
class TcpInfoTest {
    @Test
    void readsTheWindowClampAndTheSocketsUnreadBytes() throws Exception {
        Assumptions.assumeTrue(Platform.isLinux(), "TCP_INFO is read on Linux only");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket()) {
            client.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), 5000);
            try (Socket peer = server.accept()) {
                TcpInfo info = TcpInfo.of(client);
                assertNotNull(info, "found the socket's descriptor");
                TcpInfo.Reading r0 = info.read();
                assertNotNull(r0);
                assertTrue(r0.rcvSsthresh() > 0, "a window clamp: " + r0);
                assertEquals(0, r0.unread(), "nothing sent yet");
                OutputStream out = peer.getOutputStream();
                out.write(new byte[5000]);
                out.flush();
                long deadline = System.nanoTime() + 10_000_000_000L;
                TcpInfo.Reading r1 = info.read();
                while (r1.unread() < 5000 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                    r1 = info.read();
                }
                assertEquals(5000, r1.unread(), "the bytes waiting unread");
                assertEquals(r0.bytesReceived() + 5000, r1.bytesReceived(), "and counted as received");
                assertEquals(5000, client.getInputStream().readNBytes(5000).length);
                assertEquals(0, info.read().unread(), "read: none left");
                assertTrue(info.windowClamp(300_000), "TCP_WINDOW_CLAMP set");
                assertEquals(300_000, info.windowClamp(), "and read back");
            }
        }
    }
}
