package org.jbits.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.jbits.BitsException;
import org.jbits.BitsManager;
import org.jbits.HResult;
import org.jbits.engine.StateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user agent: owns one {@link BitsManager} and serves the control protocol on a Unix domain socket in
 * the 0700 state directory. Every connection's peer credentials (SO_PEERCRED) are checked: a peer whose user is
 * not the agent's own is refused, whatever the file modes say.
 */
public final class AgentServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentServer.class);
    private static final int MAX_REQUEST = 1 << 20;

    private final BitsManager bits;
    private final Path stateDir;
    private final Path socketPath;
    private final Path pidPath;
    private final ServerSocketChannel server;
    private final UserPrincipal self;
    private final RequestHandler handler;
    private final ExecutorService clients = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jbits-agent-client");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;

    /** Binds the socket in {@code stateDir}; fails with E_ACCESSDENIED when another agent answers there. */
    public AgentServer(BitsManager bits, Path stateDir) throws IOException {
        this.bits = bits;
        this.stateDir = stateDir;
        this.socketPath = stateDir.resolve(Protocol.SOCKET);
        this.pidPath = stateDir.resolve(Protocol.PID_FILE);
        StateDirectory.ensure(stateDir);
        String me = new com.sun.security.auth.module.UnixSystem().getUsername();
        this.self = stateDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(me);
        if (!Files.getOwner(stateDir).getName().equals(me)) {
            throw new BitsException(HResult.E_ACCESSDENIED, "the state directory " + stateDir + " belongs to '"
                    + Files.getOwner(stateDir).getName() + "', not to '" + me + "'");
        }
        if (Files.exists(socketPath)) {
            if (AgentClient.status(socketPath).isPresent()) {
                throw new BitsException(HResult.E_ACCESSDENIED, "an agent is already running for " + stateDir);
            }
            // A stale socket from an agent that was killed.
            Files.deleteIfExists(socketPath);
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        StateDirectory.restrict(socketPath);
        Files.writeString(pidPath, Long.toString(ProcessHandle.current().pid()) + "\n");
        StateDirectory.restrict(pidPath);
        this.handler = new RequestHandler(bits, this::close);
    }

    /** Serves until {@link #close()}; returns after the engine has checkpointed and stopped. */
    public void serve() {
        log.info("agent {} serving {} (backend {})", ProcessHandle.current().pid(), socketPath, bits.backendName());
        Thread acceptor = new Thread(this::acceptLoop, "jbits-agent-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closing) {
            try {
                SocketChannel ch = server.accept();
                clients.execute(() -> serveClient(ch));
            } catch (IOException e) {
                if (!closing) {
                    log.warn("accept failed: {}", e.toString());
                }
                return;
            }
        }
    }

    private void serveClient(SocketChannel ch) {
        try (ch) {
            OutputStream out = Channels.newOutputStream(ch);
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!self.getName().equals(peer.user().getName())) {
                log.warn("refused a connection from user '{}': this agent serves only '{}'", peer.user().getName(), self.getName());
                reply(out, Protocol.error(new BitsException(HResult.E_ACCESSDENIED,
                        "this jbits agent serves only user '" + self.getName() + "'")));
                return;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.length() > MAX_REQUEST) {
                    reply(out, Protocol.error(new BitsException(HResult.E_INVALIDARG, "request too large")));
                    return;
                }
                JsonNode req;
                try {
                    req = Json.parse(line);
                } catch (IOException e) {
                    reply(out, Protocol.error(new BitsException(HResult.E_INVALIDARG, "malformed request")));
                    return;
                }
                reply(out, handler.handle(req));
            }
        } catch (IOException e) {
            log.debug("client connection ended: {}", e.toString());
        }
    }

    private static void reply(OutputStream out, ObjectNode reply) throws IOException {
        out.write(Json.bytes(reply));
        out.write('\n');
        out.flush();
    }

    /** Stops accepting, closes the engine (which checkpoints every transfer), and removes the socket. */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            bits.close();
        } catch (RuntimeException e) {
            log.error("closing the backend failed", e);
        }
        try {
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(pidPath);
        } catch (IOException ignored) {
            // a stale socket is detected and replaced at the next start
        }
        clients.shutdownNow();
        log.info("agent stopped ({})", stateDir);
        stopped.countDown();
    }
}
