package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import org.jbits.BitsException;
import org.jbits.BitsManager;
import org.jbits.BitsOptions;
import org.jbits.HResult;
import org.jbits.agent.AgentClient;
import org.jbits.agent.AgentLink;
import org.jbits.agent.AgentProcess;
import org.jbits.agent.Caller;
import org.jbits.agent.Protocol;
import org.jbits.agent.Request;
import org.jbits.agent.RequestHandler;

/**
 * The CLI's line to its backend. With the portable engine (the default off Windows) that is the agent of its
 * JBITS_HOME over the Unix socket, started on demand. With native BITS (the default on Windows, or
 * {@code --backend native}) there is no agent: BITS is the service, so requests run in this process through the
 * same {@link RequestHandler} against {@link BitsManager#open}. With {@code --host ssh://...} (or
 * {@code JBITS_HOST}) it is that machine's agent, through {@code ssh HOST jbits agent bridge} ({@link RemoteLink}):
 * the same requests over the ssh session's stdin and stdout, and the paths checked there ({@link #paths()}).
 */
final class Connection implements AutoCloseable {
    /** Set by {@code --host}: the remote host's URL; outranks {@code JBITS_HOST}. */
    static final String HOST_PROPERTY = "jbits.host";
    /** Set by {@code --remote-jbits}: the jbits command on the remote host; outranks {@code JBITS_REMOTE_PATH}. */
    static final String REMOTE_JBITS_PROPERTY = "jbits.remoteJbits";

    private final Path stateDir;
    /** Non-null in local mode: the options the in-process manager is opened with. */
    private final BitsOptions local;
    /** Non-null for a remote host: requests go to its agent over ssh. */
    private final SshHost remote;
    private AgentLink client;
    private BitsManager manager;
    private RequestHandler handler;

    Connection(Path stateDir) {
        this(stateDir, null);
    }

    private Connection(Path stateDir, BitsOptions local) {
        this(stateDir, local, null);
    }

    private Connection(Path stateDir, BitsOptions local, SshHost remote) {
        this.stateDir = stateDir;
        this.local = local;
        this.remote = remote;
    }

    /**
     * The connection the environment asks for: a remote host ({@code --host}, else {@code JBITS_HOST}); else by
     * {@code -Djbits.backend} (set by {@code --backend}), {@code JBITS_BACKEND}, else by OS.
     */
    static Connection forEnvironment() {
        Path agentDir = Io.current().stateDirectory();
        if (agentDir != null) {
            return new Connection(agentDir); // a fast client's run, in the agent: this agent's own directory
        }
        SshHost host = remoteHost();
        if (host != null) {
            return new Connection(null, null, host);
        }
        BitsOptions options = BitsOptions.defaults();
        return runsInProcess(options) ? new Connection(options.stateDirectory(), options)
                : new Connection(options.stateDirectory());
    }

    /** The host of {@code --host}, else of {@code JBITS_HOST} (empty: this machine), or null; a bad one is exit 2. */
    static SshHost remoteHost() {
        String given = System.getProperty(HOST_PROPERTY);
        String from = "--host";
        if (given == null) {
            given = Io.current().env("JBITS_HOST");
            from = "JBITS_HOST";
        }
        if (given == null || given.isBlank()) {
            return null;
        }
        try {
            return SshHost.parse(given, from);
        } catch (BitsException e) {
            throw CliException.of(e);
        }
    }

    /** Where this connection's commands have their local paths checked: here, or on the remote host. */
    PathResolver paths() {
        if (remote == null) {
            return PathResolver.LOCAL;
        }
        return new RemotePaths(this::remoteLink);
    }

    /**
     * True when requests run in this process: the native backend, named or (no backend named) on Windows, where it
     * is the automatic choice. The portable engine always goes through the agent, which owns its store.
     */
    static boolean runsInProcess(BitsOptions options) {
        String backend = options.backend();
        return "native".equals(backend)
                || (backend == null && System.getProperty("os.name", "").startsWith("Windows"));
    }

    /** A new connection of the same kind (for the Ctrl-C hook, which must not share this one). */
    Connection again() {
        return new Connection(stateDir, local, remote);
    }

    Path stateDir() {
        return stateDir;
    }

    /**
     * Sends a request (starting the agent if none runs) and returns its successful reply, or throws: the agent's
     * refusal as exit 3/4/2 by its code, an agent that cannot be reached, or does not answer in time, as exit 5.
     */
    ObjectNode call(Request request) {
        Io.current().callingAgent();
        ObjectNode reply;
        try {
            reply = local != null ? handler().handle(request, Caller.ofThisProcess()) : client().call(request);
        } catch (IOException e) {
            throw lost(e);
        }
        if (!reply.path("ok").asBoolean(false)) {
            throw CliException.of(Protocol.toException(reply));
        }
        return reply;
    }

    /**
     * {@code get}'s jobs printed as {@code get --json} prints them: from the agent, its reply line is copied
     * through ({@link Output#jobsJson}) rather than read into a tree and printed again.
     */
    void printJobsJson(Request.Get request, PrintStream out) {
        if (local != null) {
            Output.json(out, call(request).path("jobs"));
            return;
        }
        byte[] line;
        try {
            Io.current().callingAgent();
            line = client().callLine(request);
        } catch (IOException e) {
            throw lost(e);
        }
        try {
            if (Output.jobsJson(line, out)) {
                return;
            }
            ObjectNode reply = AgentClient.parse(line);
            if (!reply.path("ok").asBoolean(false)) {
                throw CliException.of(Protocol.toException(reply));
            }
            Output.json(out, reply.path("jobs"));
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private CliException lost(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return new CliException(CliException.AGENT_UNREACHABLE, "the agent for " + stateDir
                    + AgentProcess.livePid(stateDir).map(p -> " (pid " + p + ")").orElse("") + " did not answer: "
                    + e.getMessage() + "; it may be hung (see " + stateDir.resolve(Protocol.LOG_FILE) + ")");
        }
        return new CliException(CliException.AGENT_UNREACHABLE, "lost the connection to the agent for "
                + stateDir + ": " + e.getMessage());
    }

    private RequestHandler handler() {
        if (handler == null) {
            manager = BitsManager.open(local);
            handler = new RequestHandler(manager);
        }
        return handler;
    }

    private RemoteLink remoteLink() {
        if (client == null) {
            client = RemoteLink.open(remote);
        }
        return (RemoteLink) client;
    }

    private AgentLink client() {
        if (remote != null) {
            return remoteLink();
        }
        if (client == null) {
            try {
                AgentProcess.ensureRunning(stateDir);
            } catch (BitsException e) {
                throw unreachable(e);
            }
            try {
                client = AgentClient.connect(AgentProcess.socket(stateDir));
            } catch (IOException e) {
                throw new CliException(CliException.AGENT_UNREACHABLE, "cannot reach the agent at "
                        + AgentProcess.socket(stateDir) + ": " + e.getMessage());
            }
        }
        return client;
    }

    /**
     * An agent that could not be started or reached: exit 5, except that an agent which refuses this user (it
     * serves another) is access denied, exit 4.
     */
    static CliException unreachable(BitsException e) {
        if (e.hresult() == HResult.E_ACCESSDENIED) {
            return CliException.of(e);
        }
        return new CliException(CliException.AGENT_UNREACHABLE, e.detail() + " [" + HResult.name(e.hresult()) + " "
                + HResult.hex(e.hresult()) + "]");
    }

    static JsonNode job(ObjectNode reply) {
        return reply.path("job");
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
            manager = null;
            handler = null;
        }
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // nothing to flush
            }
        }
    }
}
