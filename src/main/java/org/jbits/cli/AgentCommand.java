package org.jbits.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jbits.BitsException;
import org.jbits.BitsManager;
import org.jbits.BitsOptions;
import org.jbits.agent.AgentClient;
import org.jbits.agent.AgentConfig;
import org.jbits.agent.AgentLog;
import org.jbits.agent.AgentProcess;
import org.jbits.agent.AgentServer;
import org.jbits.agent.InstalledSqliteLibrary;
import org.jbits.agent.Json;
import org.jbits.agent.Protocol;
import org.jbits.agent.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbits agent run|start|stop|status|bridge}: the per-user agent, jbits' BITS service. These act on this
 * machine's agent: {@code --host} is refused with them and {@code JBITS_HOST} does not apply.
 */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run, start, stop or query the per-user agent.",
        subcommands = {AgentCommand.Run.class, AgentCommand.Start.class, AgentCommand.Stop.class, AgentCommand.Status.class,
                AgentCommand.Bridge.class})
final class AgentCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new CliException(CliException.USAGE, "give one of: run, start, stop, status, bridge");
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the agent in the foreground (SIGTERM stops it cleanly).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--log-file", paramLabel = "FILE",
                description = "Log to FILE, rolled over at 10 MiB (3 kept), instead of stderr.")
        Path logFile;

        @Override
        public Integer call() throws Exception {
            if (logFile != null) {
                AgentLog.toFile(logFile);
            }
            InstalledSqliteLibrary.use(System.getProperty("java.class.path"));
            BitsOptions options = BitsOptions.defaults();
            Path dir = options.stateDirectory();
            BitsManager bits;
            try {
                options = AgentConfig.apply(options, dir);
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
            } catch (IOException e) {
                bits.close();
                throw new CliException(CliException.AGENT_UNREACHABLE, "cannot listen on "
                        + AgentProcess.socket(dir) + ": " + e.getMessage());
            }
            CommandHost host = CommandHost.start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (host != null) {
                    host.close();
                }
                server.close();
            }, "jbits-agent-shutdown"));
            server.serve();
            return 0;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the agent in the background unless it runs.")
    static final class Start implements Callable<Integer> {
        @Override
        public Integer call() {
            Path dir = BitsOptions.defaultStateDirectory();
            try {
                AgentProcess.ensureRunning(dir);
            } catch (BitsException e) {
                throw Connection.unreachable(e);
            }
            System.out.println("agent running for " + dir + " (pid " + AgentProcess.pid(dir).map(String::valueOf).orElse("?") + ")");
            return 0;
        }
    }

    /**
     * The agent of {@code dir} as a status probe finds it, giving a live agent a moment to answer (it may be
     * starting, or binding its socket again after someone removed it); a refusal is exit 4.
     */
    static AgentClient.Probe find(Path dir) {
        AgentClient.Probe p = AgentProcess.locate(dir, System.nanoTime() + FIND_PATIENCE.toNanos());
        if (p.outcome() == AgentClient.Probe.Outcome.REFUSED) {
            throw CliException.of(Protocol.toException(p.reply()));
        }
        return p;
    }

    private static final Duration FIND_PATIENCE = Duration.ofSeconds(3);

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the agent: transfers are checkpointed and resume at the next start.")
    static final class Stop implements Callable<Integer> {
        private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

        @Option(names = "--json", description = "Print {\"stopped\": true, \"wasRunning\": bool, \"pid\": N or null}.")
        boolean json;

        /** What was done, for people or (with --json) scripts. */
        private int done(boolean wasRunning, Long pid, String text) {
            if (json) {
                ObjectNode o = Json.object().put("stopped", true).put("wasRunning", wasRunning);
                if (pid == null) {
                    o.putNull("pid");
                } else {
                    o.put("pid", pid);
                }
                Output.json(System.out, o);
            } else {
                System.out.println(text);
            }
            return 0;
        }

        @Override
        public Integer call() {
            Path dir = BitsOptions.defaultStateDirectory();
            if (Connection.runsInProcess(BitsOptions.defaults())) {
                return done(false, null, "no agent is running for " + dir);
            }
            AgentClient.Probe p = find(dir);
            Optional<Long> pid = AgentProcess.livePid(dir);
            switch (p.outcome()) {
                case ABSENT -> {
                    return done(false, null, "no agent is running for " + dir);
                }
                case UNRESPONSIVE -> {
                    // A hung agent cannot take a request; SIGTERM still makes it checkpoint and exit.
                    ProcessHandle h = pid.flatMap(ProcessHandle::of).orElseThrow(() -> new CliException(
                            CliException.AGENT_UNREACHABLE, "the agent for " + dir + " does not answer ("
                            + p.problem() + ") and its pid is unknown"));
                    System.err.println("jbits: the agent (pid " + h.pid() + ") does not answer; sending it SIGTERM");
                    h.destroy();
                }
                default -> {
                    try (AgentClient c = AgentClient.connect(AgentProcess.socket(dir))) {
                        ObjectNode reply = c.call(new Request.Stop());
                        if (!reply.path("ok").asBoolean(false)) {
                            throw CliException.of(Protocol.toException(reply));
                        }
                    } catch (IOException e) {
                        throw new CliException(CliException.AGENT_UNREACHABLE, "cannot ask the agent for " + dir
                                + " to stop: " + e.getMessage());
                    }
                }
            }
            long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
            while (System.nanoTime() - deadline < 0) {
                boolean alive = pid.flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
                if (!alive && !AgentClient.answers(AgentProcess.socket(dir))) {
                    return done(true, pid.orElse(null), "agent stopped");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            throw new CliException(CliException.AGENT_UNREACHABLE, "the agent did not stop within "
                    + STOP_TIMEOUT.toSeconds() + " s");
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Say whether the agent runs, its pid, backend and version; exit 0 when it runs, 3 when it does not (as systemctl status).")
    static final class Status implements Callable<Integer> {
        @Option(names = "--json", description = "Print {\"running\", \"pid\", \"backend\", \"version\"}.")
        boolean json;

        @Override
        public Integer call() {
            Path dir = BitsOptions.defaultStateDirectory();
            ObjectNode out = Json.object();
            AgentClient.Probe p = Connection.runsInProcess(BitsOptions.defaults())
                    ? new AgentClient.Probe(AgentClient.Probe.Outcome.ABSENT, null, "no agent with native BITS")
                    : find(dir);
            switch (p.outcome()) {
                case RUNNING -> {
                    ObjectNode s = p.reply();
                    out.put("running", true);
                    out.put("pid", s.path("pid").asLong());
                    out.put("backend", s.path("backend").asText());
                    out.put("version", s.path("version").asText());
                }
                case UNRESPONSIVE -> throw new CliException(CliException.AGENT_UNREACHABLE, "the agent for " + dir
                        + AgentProcess.livePid(dir).map(pid -> " (pid " + pid + ")").orElse("") + " does not answer: "
                        + p.problem() + "; 'jbits agent stop' stops it");
                default -> {
                    out.put("running", false);
                    out.putNull("pid");
                    out.putNull("backend");
                    out.put("version", Main.version());
                }
            }
            if (json) {
                Output.json(System.out, out);
            } else if (out.path("running").asBoolean()) {
                System.out.println("agent running for " + dir + ": pid " + out.path("pid").asLong()
                        + ", backend " + out.path("backend").asText() + ", version " + out.path("version").asText());
            } else {
                System.out.println("no agent is running for " + dir);
            }
            // systemctl status' convention, which scripts test: 3 is "not running".
            return out.path("running").asBoolean() ? 0 : NOT_RUNNING;
        }

        /** The exit status when no agent runs (systemctl's "program is not running"). */
        static final int NOT_RUNNING = 3;
    }

    /**
     * {@code jbits agent bridge}: what {@code jbits --host ssh://HOST} runs on HOST through ssh. It starts this
     * user's agent on demand, as any local command does, and copies stdin to the agent's socket and the socket to
     * stdout until either side closes ({@link AgentBridge}); a failure to start the agent is one "jbits:" line on
     * stderr and exit 5, which the client passes on.
     */
    @Command(name = "bridge", mixinStandardHelpOptions = true, description = "Copy the agent protocol between stdin/stdout and this user's agent "
            + "(started on demand): the remote end of 'jbits --host ssh://...'.")
    static final class Bridge implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            BitsOptions options = BitsOptions.defaults();
            if (Connection.runsInProcess(options)) {
                throw new CliException(CliException.AGENT_UNREACHABLE, "this machine uses native BITS, which has no"
                        + " agent to bridge to; use the portable backend (--backend portable or JBITS_BACKEND=portable)");
            }
            // stdout is the protocol's: whatever else would print there (a library, a JVM warning) goes to stderr.
            java.io.OutputStream protocol = new java.io.FileOutputStream(java.io.FileDescriptor.out);
            System.setOut(System.err);
            new AgentBridge(System.in, protocol, options.stateDirectory()).run();
            return 0;
        }
    }
}
