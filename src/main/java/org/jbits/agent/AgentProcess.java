package org.jbits.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.engine.StateDirectory;

/** Starts and stops the agent process of a state directory, as the BITS service is started on demand. */
public final class AgentProcess {
    private static final long START_TIMEOUT_MILLIS = 20_000;

    private AgentProcess() {
    }

    /** The socket of the agent for {@code stateDir}. */
    public static Path socket(Path stateDir) {
        return stateDir.resolve(Protocol.SOCKET);
    }

    /** Starts an agent for {@code stateDir} unless one answers already; returns once it answers. */
    public static void ensureRunning(Path stateDir) {
        Path socket = socket(stateDir);
        Optional<ObjectNode> status = AgentClient.status(socket);
        if (status.isPresent()) {
            if (status.get().path("ok").asBoolean(false)) {
                return;
            }
            // An agent runs there but will not serve us (another user's): its refusal is the answer.
            throw Protocol.toException(status.get());
        }
        Process p = spawn(stateDir);
        long deadline = System.nanoTime() + START_TIMEOUT_MILLIS * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            if (AgentClient.answers(socket)) {
                return;
            }
            if (!p.isAlive() && !AgentClient.answers(socket)) {
                // Another CLI may have won the race to start it; give that one a moment.
                sleep(200);
                if (AgentClient.answers(socket)) {
                    return;
                }
                throw new BitsException(HResult.E_FAIL, "the agent exited at start (code " + p.exitValue()
                        + "); see " + stateDir.resolve(Protocol.LOG_FILE) + lastLogLine(stateDir));
            }
            sleep(50);
        }
        throw new BitsException(HResult.E_FAIL, "the agent did not answer within "
                + START_TIMEOUT_MILLIS / 1000 + " s; see " + stateDir.resolve(Protocol.LOG_FILE));
    }

    private static String lastLogLine(Path stateDir) {
        String line = lastErrorLine(stateDir.resolve(Protocol.OUT_FILE));
        return line.isEmpty() ? lastErrorLine(stateDir.resolve(Protocol.LOG_FILE)) : line;
    }

    private static String lastErrorLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).contains("ERROR") || lines.get(i).startsWith("jbits:")) {
                    return ": " + lines.get(i).trim();
                }
            }
        } catch (IOException ignored) {
            // no log yet
        }
        return "";
    }

    /** Launches {@code jbits agent run} detached (its own session), logging to the state directory. */
    private static Process spawn(Path stateDir) {
        try {
            StateDirectory.ensure(stateDir);
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
            Optional<Path> setsid = findOnPath("setsid");
            setsid.ifPresent(s -> cmd.add(s.toString()));
            cmd.add(java);
            cmd.add("-Xmx" + System.getProperty("jbits.agent.heap", "256m"));
            cmd.add("-XX:+UseSerialGC");
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
