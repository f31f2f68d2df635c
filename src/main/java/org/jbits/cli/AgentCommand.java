package org.jbits.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jbits.BitsException;
import org.jbits.BitsManager;
import org.jbits.BitsOptions;
import org.jbits.agent.AgentLog;
import org.jbits.agent.AgentProcess;
import org.jbits.agent.AgentServer;
import org.jbits.agent.JobJson;
import org.jbits.agent.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jbits agent run|start|stop|status}: the per-user agent, jbits' BITS service. */
@Command(name = "agent", description = "Run, start, stop or query the per-user agent.",
        subcommands = {AgentCommand.Run.class, AgentCommand.Start.class, AgentCommand.Stop.class, AgentCommand.Status.class})
final class AgentCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new CliException(CliException.USAGE, "give one of: run, start, stop, status");
    }

    @Command(name = "run", description = "Run the agent in the foreground (SIGTERM stops it cleanly).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--log-file", paramLabel = "FILE",
                description = "Log to FILE, rolled over at 10 MiB (3 kept), instead of stderr.")
        Path logFile;

        @Override
        public Integer call() throws Exception {
            if (logFile != null) {
                AgentLog.toFile(logFile);
            }
            BitsOptions options = BitsOptions.defaults();
            Path dir = options.stateDirectory();
            BitsManager bits;
            try {
                bits = BitsManager.open(options.backend() == null ? options.withBackend("portable") : options);
            } catch (BitsException e) {
                throw new CliException(CliException.AGENT_UNREACHABLE, "cannot start the agent for " + dir + ": " + e.getMessage());
            }
            AgentServer server;
            try {
                server = new AgentServer(bits, dir);
            } catch (BitsException e) {
                bits.close();
                throw new CliException(CliException.AGENT_UNREACHABLE, e.detail());
            }
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "jbits-agent-shutdown"));
            server.serve();
            return 0;
        }
    }

    @Command(name = "start", description = "Start the agent in the background unless it runs.")
    static final class Start implements Callable<Integer> {
        @Override
        public Integer call() {
            Path dir = BitsOptions.defaultStateDirectory();
            try {
                AgentProcess.ensureRunning(dir);
            } catch (BitsException e) {
                throw new CliException(CliException.AGENT_UNREACHABLE, e.detail());
            }
            System.out.println("agent running for " + dir + " (pid " + AgentProcess.pid(dir).map(String::valueOf).orElse("?") + ")");
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop the agent: transfers are checkpointed and resume at the next start.")
    static final class Stop implements Callable<Integer> {
        @Override
        public Integer call() {
            Connection conn = Connection.forEnvironment();
            if (!conn.agentRunning()) {
                System.out.println("no agent is running for " + conn.stateDir());
                return 0;
            }
            Long pid = AgentProcess.pid(conn.stateDir()).orElse(null);
            try (conn) {
                conn.call("stop");
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() - deadline < 0) {
                boolean alive = pid != null && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (!alive && !conn.agentRunning()) {
                    System.out.println("agent stopped");
                    return 0;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            throw new CliException(CliException.AGENT_UNREACHABLE, "the agent did not stop within 60 s");
        }
    }

    @Command(name = "status", description = "Say whether the agent runs, its pid, backend and version.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--json", description = "Print {\"running\", \"pid\", \"backend\", \"version\"}.")
        boolean json;

        @Override
        public Integer call() {
            Connection conn = Connection.forEnvironment();
            ObjectNode out = Json.object();
            if (conn.agentRunning()) {
                try (conn) {
                    ObjectNode s = conn.call("status");
                    out.put("running", true);
                    out.put("pid", s.path("pid").asLong());
                    out.put("backend", s.path("backend").asText());
                    out.put("version", s.path("version").asText());
                }
            } else {
                out.put("running", false);
                out.putNull("pid");
                out.putNull("backend");
                out.put("version", Main.version());
            }
            if (json) {
                Output.json(System.out, out);
            } else if (out.path("running").asBoolean()) {
                System.out.println("agent running for " + conn.stateDir() + ": pid " + out.path("pid").asLong()
                        + ", backend " + out.path("backend").asText() + ", version " + out.path("version").asText());
            } else {
                System.out.println("no agent is running for " + conn.stateDir());
            }
            return 0;
        }
    }
}
