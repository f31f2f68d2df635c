package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The launcher's fast client ({@code native/jbits-fast.c}) as the tests run it: compiled once per test JVM with the
 * machine's C compiler (as {@code ./install} compiles it), beside a launcher script that runs the CLI's JVM with the
 * tests' flags, which the client execs when the agent cannot run the command.
 */
public final class FastClient {
    private static Path binary;
    private static Path launcher;
    private static List<String> launcherFor;

    private FastClient() {
    }

    /** {@code jbits-fast LAUNCHER JAR}: the words before a command's own arguments. */
    public static synchronized List<String> command(List<String> javaCommand, Path jar) {
        try {
            if (binary == null) {
                Path dir = Files.createDirectories(Path.of("target", "fast-client").toAbsolutePath());
                Path out = dir.resolve("jbits-fast");
                Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-Werror", "-o", out.toString(),
                        Path.of("native", "jbits-fast.c").toAbsolutePath().toString()).redirectErrorStream(true).start();
                String log = new String(cc.getInputStream().readAllBytes());
                if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) {
                    throw new IllegalStateException("cc native/jbits-fast.c failed: " + log);
                }
                binary = out;
            }
            if (!javaCommand.equals(launcherFor)) {
                Path script = Files.createTempFile(binary.getParent(), "jbits-jvm", ".sh");
                writeLauncher(script, javaCommand, "");
                script.toFile().deleteOnExit();
                launcher = script;
                launcherFor = List.copyOf(javaCommand);
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(binary.toString());
            cmd.add(launcher.toString());
            cmd.add(jar.toAbsolutePath().toString());
            return cmd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code script}: a sh launcher that runs {@code before} (shell lines) and then execs the CLI's JVM. */
    public static void writeLauncher(Path script, List<String> javaCommand, String before) throws IOException {
        StringBuilder sh = new StringBuilder("#!/bin/sh\n").append(before).append("exec");
        for (String w : javaCommand) {
            sh.append(" '").append(w.replace("'", "'\\''")).append('\'');
        }
        sh.append(" \"$@\"\n");
        Files.writeString(script, sh);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    /** The compiled client (after a first {@link #command}). */
    public static synchronized Path binary() {
        return binary;
    }
}
