package org.jbits.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged CLI ({@code java -jar target/jbits.jar}) as a user would, with its own JBITS_HOME, and
 * captures exit status, stdout and stderr. The agent it starts on demand is the real one.
 */
public final class Cli implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path jar;

    /** A CLI whose agent keeps its state in {@code home}. */
    public Cli(Path home) {
        this.home = home;
        String j = System.getProperty("jbits.jar");
        if (j == null) {
            throw new IllegalStateException("-Djbits.jar is not set: run integration tests with 'mvn verify'");
        }
        this.jar = Path.of(j);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: run 'mvn verify' (the jar is built in 'package')");
        }
    }

    public Path home() {
        return home;
    }

    /** One command's outcome. */
    public record Result(int exit, String out, String err) {
        /** stdout as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        /** The non-empty lines of stderr. */
        public List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code jbits args...} and waits for it (at most 120 s). */
    public Result run(String... args) {
        return run(Map.of(), args);
    }

    /** Runs {@code jbits args...} with extra environment variables. */
    public Result run(Map<String, String> env, String... args) {
        return run(env, null, null, args);
    }

    /** Runs {@code jbits args...} in {@code cwd} (null: this process's) with {@code stdin} (null: /dev/null). */
    public Result runIn(Path cwd, String stdin, String... args) {
        return run(Map.of(), cwd, stdin, args);
    }

    /** Runs {@code jbits args...} with {@code stdin} (UTF-8) as its standard input ({@code null}: /dev/null). */
    public Result runWithInput(Map<String, String> env, String stdin, String... args) {
        return run(env, null, stdin, args);
    }

    private Result run(Map<String, String> env, Path cwd, String stdin, String... args) {
        List<String> cmd = new ArrayList<>(command(args.length > 0 ? args[0] : ""));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("jbits-out", ".txt");
            Path err = Files.createTempFile("jbits-err", ".txt");
            try {
                Path in = null;
                if (stdin != null) {
                    in = Files.createTempFile("jbits-in", ".txt");
                    Files.writeString(in, stdin, StandardCharsets.UTF_8);
                }
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(in != null ? in.toFile()
                                : new java.io.File("/dev/null")));
                if (cwd != null) {
                    pb.directory(cwd.toFile());
                }
                pb.environment().put("JBITS_HOME", home.toString());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (in != null) {
                    Files.delete(in);
                }
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("jbits " + String.join(" ", args) + " did not finish in 120 s");
                }
                if (in != null) {
                    Files.deleteIfExists(in);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The job commands the installed launcher hands to its fast client (install's launcher, CommandHost). */
    public static final java.util.Set<String> FAST_COMMANDS = java.util.Set.of("start", "get", "add-file", "set",
            "suspend", "resume", "complete", "remove");

    /**
     * How {@code jbits WORD ...} starts, as the installed launcher starts it: a job command through the fast client
     * ({@link FastClient}: {@code jbits-fast LAUNCHER JAR}, which runs it in the agent's JVM when an agent of this
     * jar runs, else execs LAUNCHER, the JVM), anything else in a JVM of its own. {@code -Djbits.test.fast=false}
     * runs every command in a JVM.
     */
    public List<String> command(String word) {
        if (FAST_COMMANDS.contains(word) && !"false".equals(System.getProperty("jbits.test.fast"))) {
            return FastClient.command(javaCommand(), jar);
        }
        return javaCommand();
    }

    /** {@code java [agent-tuning] -jar jbits.jar}: agents started from it inherit the jbits.* properties. */
    public List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        for (String prop : System.getProperties().stringPropertyNames()) {
            if (prop.startsWith("jbits.engine.") || prop.startsWith("jbits.http.")) {
                cmd.add("-D" + prop + "=" + System.getProperty(prop));
            }
        }
        cmd.add("-jar");
        cmd.add(jar.toString());
        return cmd;
    }

    /** The pid the agent recorded, or -1. */
    public long agentPid() {
        try {
            return Long.parseLong(Files.readString(home.resolve("agent.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Stops the agent (if any) so no process outlives the test. */
    @Override
    public void close() {
        long pid = agentPid();
        run("agent", "stop");
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
