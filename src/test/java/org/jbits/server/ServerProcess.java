package org.jbits.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jbits serve-uploads} run from the packaged jar in a JVM of its own, as a user runs it: for the tests that
 * kill it with {@code kill -9}, stop it with SIGTERM, or measure its memory. The URL is read from the line it prints.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern AT = Pattern.compile(" at (https?://\\S+)");

    private final Process process;
    private final Path out;
    private final Path err;
    private final URI url;

    private ServerProcess(Process process, Path out, Path err, URI url) {
        this.process = process;
        this.out = out;
        this.err = err;
        this.url = url;
    }

    /** Starts {@code jbits serve-uploads --port 0 args...} and waits (at most 60 s) until it says where it listens. */
    public static ServerProcess start(Path logs, String... args) throws IOException, InterruptedException {
        return start(logs, List.of(), args);
    }

    /** As {@link #start(Path, String...)}, with extra JVM options (a heap limit). */
    public static ServerProcess start(Path logs, List<String> jvm, String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("jbits.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("-Djbits.jar does not name the packaged jar: run this test with 'mvn verify'");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar, "serve-uploads", "--port", "0"));
        cmd.addAll(List.of(args));
        Files.createDirectories(logs);
        Path out = Files.createTempFile(logs, "server-", ".out");
        Path err = Files.createTempFile(logs, "server-", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = AT.matcher(Files.readString(out, StandardCharsets.UTF_8));
            if (m.find()) {
                return new ServerProcess(p, out, err, URI.create(m.group(1)));
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("serve-uploads exited " + p.exitValue() + ": " + Files.readString(err));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("serve-uploads did not say where it listens in 60 s: " + Files.readString(err));
    }

    public URI url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    public String stdout() {
        return read(out);
    }

    public String stderr() {
        return read(err);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process's resident set size in KiB (VmRSS). */
    long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid());
    }

    /** Sends a signal ({@code KILL}, {@code TERM}) and waits (at most 30 s) for the process to end. */
    public int signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start().waitFor();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("serve-uploads survived SIGNAL " + name + " for 30 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
