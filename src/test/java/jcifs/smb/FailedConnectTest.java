package jcifs.smb;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import jcifs.CIFSContext;
import jcifs.config.PropertyConfiguration;
import org.junit.jupiter.api.Test;

/**
 * A connect that fails during negotiation leaves no descriptor open: jcifs-ng never disconnects such a connection,
 * and the channel jbits' connection runs on (with its two selectors) is not closed when it is collected, as a
 * {@code java.net.Socket} is.
 */
class FailedConnectTest {
    @Test
    void aServerThatHangsUpAtNegotiationLeaksNoDescriptor() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        s.getInputStream().read(new byte[64]); // the negotiate request's first bytes, then hang up
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Properties p = new Properties();
            p.setProperty("jcifs.smb.client.minVersion", "SMB202");
            p.setProperty("jcifs.smb.client.maxVersion", "SMB311");
            p.setProperty("jcifs.smb.client.useSMB2Negotiation", "true");
            p.setProperty("jcifs.resolveOrder", "DNS");
            p.setProperty("jcifs.smb.client.connTimeout", "5000");
            p.setProperty("jcifs.smb.client.responseTimeout", "5000");
            CIFSContext cifs = JbitsBulkIo.context(new PropertyConfiguration(p));
            String url = "smb://127.0.0.1:" + server.getLocalPort() + "/share/file.bin";
            attempt(cifs, url); // classes loaded, pools made
            long before = descriptors();
            for (int i = 0; i < 20; i++) {
                attempt(cifs, url);
            }
            long after = descriptors();
            assertTrue(after - before < 10, "descriptors " + before + " before 20 failed connects, " + after + " after");
            cifs.close();
        }
    }

    private static void attempt(CIFSContext cifs, String url) throws Exception {
        try (SmbFile f = new SmbFile(url, cifs)) {
            assertThrows(SmbException.class, f::exists);
        }
    }

    private static long descriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
