package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.jbits.BitsException;
import org.jbits.BitsOptions;
import org.jbits.HResult;
import org.jbits.agent.AgentClient;
import org.jbits.agent.AgentProcess;
import org.jbits.agent.JobJson;
import org.jbits.agent.Protocol;

/** The CLI's line to the agent of its JBITS_HOME, started on demand. */
final class Connection implements AutoCloseable {
    private final Path stateDir;
    private AgentClient client;

    Connection(Path stateDir) {
        this.stateDir = stateDir;
    }

    static Connection forEnvironment() {
        return new Connection(BitsOptions.defaultStateDirectory());
    }

    Path stateDir() {
        return stateDir;
    }

    /** Sends a request (starting the agent if none runs) and returns its successful reply, or throws. */
    ObjectNode call(String op, ObjectNode args) {
        ObjectNode req = args == null ? JobJson.MAPPER.createObjectNode() : args;
        req.put("op", op);
        ObjectNode reply;
        try {
            reply = client().call(req);
        } catch (IOException e) {
            throw new CliException(CliException.AGENT_UNREACHABLE, "lost the connection to the agent for "
                    + stateDir + ": " + e.getMessage());
        }
        if (!reply.path("ok").asBoolean(false)) {
            throw CliException.of(Protocol.toException(reply));
        }
        return reply;
    }

    ObjectNode call(String op) {
        return call(op, null);
    }

    /** A job reference request: {@code {"job": ref}}. */
    ObjectNode callForJob(String op, String job) {
        ObjectNode args = JobJson.MAPPER.createObjectNode();
        args.put("job", job);
        return call(op, args);
    }

    private AgentClient client() {
        if (client == null) {
            try {
                AgentProcess.ensureRunning(stateDir);
            } catch (BitsException e) {
                throw new CliException(CliException.AGENT_UNREACHABLE, e.detail() + " [" + HResult.name(e.hresult()) + "]");
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

    /** True when an agent answers, without starting one. */
    boolean agentRunning() {
        return AgentClient.answers(AgentProcess.socket(stateDir));
    }

    static JsonNode job(ObjectNode reply) {
        return reply.path("job");
    }

    @Override
    public void close() {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // nothing to flush
            }
        }
    }
}
