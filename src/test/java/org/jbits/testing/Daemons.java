package org.jbits.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the test servers started from a generated config share: finding the binary, waiting for the port, stopping. */
final class Daemons {
    private Daemons() {
    }

    /** The first executable of {@code candidates}; a missing one fails with how to install it. */
    static String find(String what, String debianPackage, String... candidates) {
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        throw new IllegalStateException(what + " is required by these tests but was not found (looked at "
                + List.of(candidates) + "); install it: apt-get install " + debianPackage
                + " (./run-tests does when it is missing)");
    }

    /** Waits until {@code port} on 127.0.0.1 accepts connections; fails with {@code log} if the process exits. */
    static void awaitPort(Process p, int port, Duration timeout, Path log, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(what + " exited with status " + p.exitValue() + ": " + read(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException(what + " did not accept connections on port " + port + ": " + read(log));
    }

    static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"))
                || Path.of("/proc/self").toFile().exists() && ProcessHandle.current().info().user().orElse("").equals("root");
    }

    /** Runs a short command; its output when it fails. */
    static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Deletes a test's temporary directory tree; what cannot be deleted stays (the test result is what matters). */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
