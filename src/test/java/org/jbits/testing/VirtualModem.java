package org.jbits.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A 3GPP modem's AT port on a Unix socket, for a real ModemManager to drive through its Test interface
 * ({@link ModemManagerBus#addModem}): there is no cellular modem on these machines, so this stands in for the
 * hardware, as ModemManager's own plugin tests do. It answers the commands ModemManager's generic plugin sends while
 * probing, initialising and enabling a modem, and reports its network registration ({@code +CREG}/{@code +CGREG}),
 * which {@link #register} changes, also as an unsolicited result code on every open connection, the way a modem
 * tells of a move to a visited network.
 */
public final class VirtualModem implements AutoCloseable {
    /** {@code +CREG} stat values: registered on the home network, and roaming. */
    public static final int HOME = 1;
    public static final int ROAMING = 5;
    private static final Map<String, String> ANSWERS = Map.ofEntries(
            Map.entry("AT", "OK"), Map.entry("ATE0", "OK"), Map.entry("ATV1", "OK"), Map.entry("AT+CMEE=1", "OK"),
            Map.entry("ATX4", "OK"), Map.entry("AT&C1", "OK"), Map.entry("AT+IFC=1,1", "OK"),
            Map.entry("AT+GCAP", "+GCAP: +CGSM +DS +ES\r\n\r\nOK"),
            Map.entry("ATI", "Manufacturer: jbits\r\nModel: virtual modem\r\nRevision: 1\r\n\r\nOK"),
            Map.entry("AT+WS46=?", "+WS46: (12,22)\r\n\r\nOK"),
            Map.entry("AT+CGMI", "jbits\r\n\r\nOK"), Map.entry("AT+CGMM", "virtual modem\r\n\r\nOK"),
            Map.entry("AT+CGMR", "1\r\n\r\nOK"), Map.entry("AT+CGSN", "123456789012345\r\n\r\nOK"),
            Map.entry("AT+CGDCONT=?", "+CGDCONT: (1-11),\"IP\",,,(0-2),(0-3)\r\n\r\nOK"),
            Map.entry("AT+CIMI", "998899889988997\r\n\r\nOK"), Map.entry("AT+CFUN?", "+CFUN: 1\r\n\r\nOK"),
            Map.entry("AT+CPIN?", "+CPIN: READY\r\n\r\nOK"),
            Map.entry("AT+CSCS=?", "+CSCS: (\"IRA\",\"UCS2\",\"GSM\")\r\n\r\nOK"),
            Map.entry("AT+CSQ", "+CSQ: 17,99\r\n\r\nOK"),
            Map.entry("AT+CREG=2", "OK"), Map.entry("AT+CGREG=2", "OK"), Map.entry("AT+CREG=0", "OK"),
            Map.entry("AT+CGREG=0", "OK"),
            Map.entry("AT+COPS=3,2;+COPS?", "+COPS: 0,2,\"99899\",2\r\n\r\nOK"),
            Map.entry("AT+COPS=3,0;+COPS?", "+COPS: 0,0,\"jbits test network\"\r\n\r\nOK"));

    private final Path socket;
    private final ServerSocketChannel server;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile int registration = HOME;

    private VirtualModem(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
        this.acceptor = new Thread(this::accept, "virtual-modem");
        this.acceptor.setDaemon(true);
    }

    /** A modem registered on its home network, listening on {@code socket}. */
    public static VirtualModem listen(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        VirtualModem m = new VirtualModem(socket, s);
        m.acceptor.start();
        return m;
    }

    /** The socket ModemManager is given as the modem's port. */
    public Path socket() {
        return socket;
    }

    /** Registers on the home network ({@link #HOME}) or a visited one ({@link #ROAMING}) and says so unsolicited. */
    public void register(int stat) {
        registration = stat;
        for (SocketChannel c : open) {
            try {
                send(c, creg() + "\r\n\r\n" + cgreg());
            } catch (IOException e) {
                open.remove(c);
            }
        }
    }

    private String creg() {
        return "+CREG: 2," + registration + ",\"1234\",\"001122BB\"";
    }

    private String cgreg() {
        return "+CGREG: 2," + registration + ",\"31C5\",\"0083F7CD\"";
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                open.add(c);
                Thread t = new Thread(() -> serve(c), "virtual-modem-port");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        StringBuilder line = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(1024);
        try (c) {
            while (c.read(buf.clear()) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    char ch = (char) (buf.get() & 0xff);
                    if (ch == '\r' || ch == '\n') {
                        String command = line.toString().strip();
                        line.setLength(0);
                        if (!command.isEmpty()) {
                            send(c, answer(command));
                        }
                    } else {
                        line.append(ch);
                    }
                }
            }
        } catch (IOException e) {
            // ModemManager closed the port
        } finally {
            open.remove(c);
        }
    }

    private String answer(String command) {
        return switch (command) {
            case "AT+CREG?" -> creg() + "\r\n\r\nOK";
            case "AT+CGREG?" -> cgreg() + "\r\n\r\nOK";
            default -> ANSWERS.getOrDefault(command, "ERROR");
        };
    }

    private static void send(SocketChannel c, String response) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(("\r\n" + response + "\r\n").getBytes(StandardCharsets.US_ASCII));
        synchronized (c) {
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : open) {
            c.close();
        }
        Files.deleteIfExists(socket);
    }
}
