package org.jbits.agent;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.file.StateDirectory;

/**
 * Finds, starts and describes the agent process of a state directory, as the BITS service is started on demand.
 * Starting is serialised by a {@link StartLock}, and a live agent that does not answer yet (it is starting, or
 * rebinding a socket that was removed, or stopping) is waited for rather than raced with a second one.
 */
public final class AgentProcess {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private AgentProcess() {
    }

    /** The socket of the agent for {@code stateDir}. */
    public static Path socket(Path stateDir) {
        return stateDir.resolve(Protocol.SOCKET);
    }

    /**
     * Starts an agent for {@code stateDir} unless one answers already; returns once it answers. Fails with
     * E_ACCESSDENIED when the agent there serves another user (its refusal), otherwise with E_FAIL naming the
     * problem and the file that has the details.
     */
    public static void ensureRunning(Path stateDir) {
        AgentClient.Probe probe = AgentClient.probe(socket(stateDir));
        if (answered(probe, stateDir)) {
            return;
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            StateDirectory.ensure(stateDir);
        } catch (IOException e) {
            throw new BitsException(HResult.E_FAIL, "cannot create the state directory " + stateDir + ": " + e.getMessage(), e);
        }
        try (StartLock lock = StartLock.acquire(stateDir, deadline)) {
            // The starter before us may have finished, or an agent may be starting or rebinding on its own.
            if (answered(locate(stateDir, deadline), stateDir)) {
                return;
            }
            Process p = spawn(stateDir);
            while (System.nanoTime() - deadline < 0) {
                AgentClient.Probe now = AgentClient.probe(socket(stateDir));
                if (answered(now, stateDir)) {
                    return;
                }
                if (!p.isAlive()) {
                    // An agent run by hand or by systemd may have started meanwhile and taken the engine's lock.
                    if (answered(locate(stateDir, System.nanoTime() + Duration.ofSeconds(3).toNanos()), stateDir)) {
                        return;
                    }
                    throw new BitsException(HResult.E_FAIL, "the agent exited at start (code " + p.exitValue() + ")"
                            + details(stateDir));
                }
                sleep(50);
            }
            throw new BitsException(HResult.E_FAIL, "the agent did not answer within " + START_TIMEOUT.toSeconds()
                    + " s" + details(stateDir));
        }
    }

    /** True for a running agent; throws for one that refuses us or is hung; false when none answers. */
    private static boolean answered(AgentClient.Probe probe, Path stateDir) {
        return switch (probe.outcome()) {
            case RUNNING -> true;
            case REFUSED -> throw Protocol.toException(probe.reply());
            case UNRESPONSIVE -> throw new BitsException(HResult.E_FAIL, "the agent for " + stateDir
                    + pidText(stateDir) + " does not answer (" + probe.problem() + "); stop it with 'jbits agent stop'");
            case ABSENT -> false;
        };
    }

    /**
     * The agent's answer to a status probe. When none answers but the agent process named by the pid file is alive
     * (starting, rebinding a removed socket, or stopping), probes again until it answers, exits, or
     * {@code deadline} (System.nanoTime()) passes.
     */
    public static AgentClient.Probe locate(Path stateDir, long deadline) {
        AgentClient.Probe probe = AgentClient.probe(socket(stateDir));
        while (probe.outcome() == AgentClient.Probe.Outcome.ABSENT && livePid(stateDir).isPresent()
                && System.nanoTime() - deadline < 0) {
            sleep(50);
            probe = AgentClient.probe(socket(stateDir));
        }
        return probe;
    }

    /**
     * The pid of the live agent process that the pid file names. A pid file left by a killed agent may name an
     * unrelated process by now: only a process whose command line runs {@code agent run} counts.
     */
    public static Optional<Long> livePid(Path stateDir) {
        return pid(stateDir).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(args -> runsAgent(List.of(args))).orElse(false))
                .map(ProcessHandle::pid);
    }

    private static boolean runsAgent(List<String> args) {
        int i = args.indexOf("agent");
        return i >= 0 && i + 1 < args.size() && args.get(i + 1).equals("run");
    }

    private static String pidText(Path stateDir) {
        return livePid(stateDir).map(p -> " (pid " + p + ")").orElse("");
    }

    /**
     * Where the details of a failed start are: the JVM's own output (agent.out) has a start-up failure, the log
     * (agent.log) what the agent logged; each file named with its last error line, or both when neither has one.
     */
    static String details(Path stateDir) {
        Path out = stateDir.resolve(Protocol.OUT_FILE);
        Path log = stateDir.resolve(Protocol.LOG_FILE);
        String outLine = lastErrorLine(out);
        if (!outLine.isEmpty()) {
            return "; see " + out + ": " + outLine;
        }
        String logLine = lastErrorLine(log);
        if (!logLine.isEmpty()) {
            return "; see " + log + ": " + logLine;
        }
        return "; see " + out + " and " + log;
    }

    private static String lastErrorLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (l.contains("ERROR") || l.startsWith("jbits:") || l.startsWith("Error") || l.startsWith("Exception")) {
                    return l.trim();
                }
            }
        } catch (IOException ignored) {
            // no such file yet
        }
        return "";
    }

    /** Launches {@code jbits agent run} detached (its own session), logging to the state directory. */
    private static Process spawn(Path stateDir) {
        try {
            Path log = stateDir.resolve(Protocol.LOG_FILE);
            Path out = stateDir.resolve(Protocol.OUT_FILE);
            for (Path p : List.of(log, out)) {
                if (!Files.exists(p)) {
                    Files.createFile(p);
                }
                StateDirectory.restrict(p);
            }
            // The JVM's own output is small and kept only from the latest start; the log rolls over by size.
            Files.write(out, new byte[0]);
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> cmd = new ArrayList<>();
            findOnPath("setsid").ifPresent(s -> cmd.add(s.toString()));
            cmd.add(java);
            cmd.add("-Xmx" + System.getProperty("jbits.agent.heap", "256m"));
            cmd.addAll(AGENT_JVM_FLAGS);
            agentArchive(System.getProperty("java.class.path")).ifPresent(jsa -> {
                cmd.add("-XX:SharedArchiveFile=" + jsa);
                // A stale archive (another jar, another JDK) is refused by the JVM, which then starts without it:
                // nothing of that is printed into agent.out.
                cmd.add("-Xlog:cds=off");
                cmd.add("-Xlog:cds+dynamic=off");
            });
            cmd.add("-Djbits.log.level=" + System.getProperty("jbits.agent.log.level", "INFO"));
            for (String prop : System.getProperties().stringPropertyNames()) {
                if (prop.startsWith("jbits.engine.") || prop.startsWith("jbits.http.")) {
                    cmd.add("-D" + prop + "=" + System.getProperty(prop));
                }
            }
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("org.jbits.cli.Main");
            cmd.add("agent");
            cmd.add("run");
            cmd.add("--log-file");
            cmd.add(log.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectErrorStream(true);
            pb.environment().put("JBITS_HOME", stateDir.toString());
            return pb.start();
        } catch (IOException e) {
            throw new BitsException(HResult.E_FAIL, "cannot start the agent: " + e.getMessage(), e);
        }
    }

    /**
     * The agent's JVM flags besides its heap size (install's systemd unit uses the same): the serial collector, and
     * a heap that gives memory back after a burst (a {@code get} of 100,000 jobs) at the next full collection
     * instead of keeping its high-water mark.
     */
    static final List<String> AGENT_JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:MaxHeapFreeRatio=20",
            "-XX:MinHeapFreeRatio=10");
    /** The agent's class-data-sharing archive that {@code install} makes beside the jar. */
    static final String AGENT_ARCHIVE = "jbits-agent.jsa";

    /** The archive beside {@code classPath}'s jar, when the class path is one jar and the archive is there. */
    static Optional<Path> agentArchive(String classPath) {
        if (classPath == null || classPath.isEmpty() || classPath.contains(File.pathSeparator)
                || !classPath.endsWith(".jar")) {
            return Optional.empty();
        }
        Path dir = Path.of(classPath).toAbsolutePath().getParent();
        Path jsa = dir == null ? null : dir.resolve(AGENT_ARCHIVE);
        return jsa != null && Files.isRegularFile(jsa) ? Optional.of(jsa) : Optional.empty();
    }

    private static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The pid recorded by a running agent, if any. */
    public static Optional<Long> pid(Path stateDir) {
        try {
            return Optional.of(Long.parseLong(Files.readString(stateDir.resolve(Protocol.PID_FILE)).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
