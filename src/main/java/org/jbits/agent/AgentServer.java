package org.jbits.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.jbits.BitsException;
import org.jbits.BitsManager;
import org.jbits.HResult;
import org.jbits.file.StateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user agent: owns one {@link BitsManager} and serves the control protocol on a Unix domain socket in the
 * 0700 state directory. Every connection's peer is checked ({@link PeerCheck}): a peer whose uid is not the
 * agent's own is refused, whatever the file modes say. One I/O thread ({@link ConnectionLoop}) holds every
 * connection within fixed bounds ({@link ConnectionLimits}); a few workers ({@link RequestExecutor}) carry out the
 * requests.
 */
public final class AgentServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentServer.class);
    private static final int WORKER_THREADS = 4;
    private static final int WAIT_THREADS = 8;
    private static final Duration DRAIN = Duration.ofSeconds(2);

    private final BitsManager bits;
    private final Path stateDir;
    private final Path pidPath;
    private final ListeningSocket socket;
    private final RequestExecutor executor;
    private final ConnectionLoop loop;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closing;

    /** Binds the socket in {@code stateDir}; fails with E_ACCESSDENIED when another agent answers there. */
    public AgentServer(BitsManager bits, Path stateDir) throws IOException {
        this(bits, stateDir, ConnectionLimits.DEFAULTS);
    }

    AgentServer(BitsManager bits, Path stateDir, ConnectionLimits limits) throws IOException {
        this.bits = bits;
        this.stateDir = stateDir;
        this.pidPath = stateDir.resolve(Protocol.PID_FILE);
        StateDirectory.ensure(stateDir);
        Caller me = Caller.ofThisProcess();
        int dirOwner = (Integer) Files.getAttribute(stateDir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (dirOwner != me.uid()) {
            throw new BitsException(HResult.E_ACCESSDENIED, "the state directory " + stateDir + " belongs to uid "
                    + dirOwner + " ('" + Files.getOwner(stateDir).getName() + "'), not to " + me);
        }
        Path socketPath = stateDir.resolve(Protocol.SOCKET);
        if (Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) {
            if (AgentClient.probe(socketPath).outcome() != AgentClient.Probe.Outcome.ABSENT) {
                throw new BitsException(HResult.E_ACCESSDENIED, "an agent is already running for " + stateDir);
            }
            // A stale socket from an agent that was killed.
            Files.deleteIfExists(socketPath);
        }
        this.socket = ListeningSocket.bind(socketPath);
        try {
            Files.writeString(pidPath, ProcessHandle.current().pid() + "\n");
            StateDirectory.restrict(pidPath);
            this.executor = new RequestExecutor(new RequestHandler(bits), stopRequested::countDown,
                    WORKER_THREADS, WAIT_THREADS);
            this.loop = new ConnectionLoop(socket, PeerCheck.ofSocketOwner(socketPath), executor, limits);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Serves until a {@code stop} request or {@link #close()}; returns after the engine has checkpointed and stopped. */
    public void serve() {
        log.info("agent {} serving {} (backend {})", ProcessHandle.current().pid(), socket.path(), bits.backendName());
        Thread io = new Thread(loop, "jbits-agent-io");
        io.setDaemon(true);
        io.start();
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops accepting and removes the socket (new CLIs then wait for this agent to exit rather than race it),
     * answers the waits, lets owed replies go out, closes the engine (which checkpoints every transfer and releases
     * its lock), and removes the pid file if it is still this agent's.
     */
    @Override
    public void close() {
        boolean first;
        synchronized (this) {
            first = !closing;
            closing = true;
        }
        if (!first) {
            // The other closer (a stop request, or SIGTERM's hook) is at it: return once it is done, so that the
            // JVM does not exit under it.
            awaitStopped();
            return;
        }
        try {
            loop.stopAccepting();
            executor.shutdown(Duration.ofSeconds(5));
            loop.shutdown(DRAIN);
            try {
                bits.close();
            } catch (RuntimeException e) {
                log.error("closing the backend failed", e);
            }
            try {
                if (Files.readString(pidPath).trim().equals(Long.toString(ProcessHandle.current().pid()))) {
                    Files.deleteIfExists(pidPath);
                }
            } catch (IOException ignored) {
                // no pid file
            }
            log.info("agent stopped ({})", stateDir);
        } finally {
            stopRequested.countDown();
            stopped.countDown();
        }
    }
}
