package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real OpenSSH server ({@code /usr/sbin/sshd}, Debian's openssh-server) on a free 127.0.0.1 port, for a test
 * user it creates ({@code useradd}) with a key pair it generates, its own host key, and a config it writes:
 * public keys only ({@code AuthorizedKeysFile} in the test's directory), no password, no PAM. jbits is installed
 * for that user by the project's own {@code install} script into the test's directory, which the session's PATH
 * ({@code SetEnv}) starts with, as {@code ~/.local/bin} would. The client side is an ssh config file
 * ({@link #clientConfig()}: the user's key and a known_hosts file with this server's key) that the CLI gets
 * through {@code JBITS_SSH_CONFIG}. Root only (useradd, sshd's privilege separation).
 */
public final class SshServer implements AutoCloseable {
    private final Path dir;
    private final String user;
    private final int port;
    private final Process sshd;
    private final Path log;

    private SshServer(Path dir, String user, int port, Process sshd, Path log) {
        this.dir = dir;
        this.user = user;
        this.port = port;
        this.sshd = sshd;
        this.log = log;
    }

    /** Creates {@code user} unless it exists, installs jbits from {@code projectDir} and starts sshd. */
    public static SshServer start(String user, Path projectDir) {
        String sshdBin = Daemons.find("OpenSSH's server", "openssh-server", "/usr/sbin/sshd");
        Daemons.find("OpenSSH's client", "openssh-client", "/usr/bin/ssh");
        Daemons.find("ssh-keygen", "openssh-client", "/usr/bin/ssh-keygen");
        if (!Daemons.isRoot()) {
            throw new IllegalStateException("the ssh tests create a user and run sshd: they must run as root, as CI does");
        }
        try {
            Path dir = Files.createTempDirectory("jbits-ssh");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (!exists(user)) {
                Daemons.run(List.of("useradd", "-m", "-s", "/bin/bash", user));
            }
            // A new account is locked ("!" for its password): sshd refuses a locked account even a key. "*": no
            // password, not locked.
            Daemons.run(List.of("usermod", "-p", "*", user));
            Daemons.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "jbits-test-host", "-f",
                    dir.resolve("host_key").toString()));
            Daemons.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "jbits-test-user", "-f",
                    dir.resolve("user_key").toString()));
            Daemons.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "jbits-test-stranger", "-f",
                    dir.resolve("stranger_key").toString()));
            Path auth = Files.createDirectory(dir.resolve("auth"));
            Files.copy(dir.resolve("user_key.pub"), auth.resolve("authorized_keys"));
            Files.setPosixFilePermissions(auth.resolve("authorized_keys"), PosixFilePermissions.fromString("rw-r--r--"));
            install(projectDir, dir.resolve("prefix"));
            int port = Ports.free();
            // sshd's privilege separation directory; the openssh-server package makes it at boot only.
            Path run = Path.of("/run/sshd");
            if (!Files.isDirectory(run)) {
                Files.createDirectories(run);
                Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Path config = dir.resolve("sshd_config");
            Files.writeString(config, String.join("\n",
                    "Port " + port,
                    "ListenAddress 127.0.0.1",
                    "HostKey " + dir.resolve("host_key"),
                    "PidFile " + dir.resolve("sshd.pid"),
                    "AuthorizedKeysFile " + auth.resolve("authorized_keys"),
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",
                    "AllowUsers " + user,
                    "X11Forwarding no",
                    "AllowTcpForwarding no",
                    "LogLevel VERBOSE",
                    "SetEnv PATH=" + dir.resolve("prefix/bin") + ":/usr/local/bin:/usr/bin:/bin",
                    ""));
            String hostKey = Files.readString(dir.resolve("host_key.pub")).trim();
            Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + hostKey + "\n");
            Files.writeString(dir.resolve("empty_known_hosts"), "");
            writeClientConfig(dir.resolve("ssh_config"), dir.resolve("user_key"), dir.resolve("known_hosts"));
            writeClientConfig(dir.resolve("stranger_config"), dir.resolve("stranger_key"), dir.resolve("known_hosts"));
            writeClientConfig(dir.resolve("unknown_host_config"), dir.resolve("user_key"), dir.resolve("empty_known_hosts"));
            Path log = dir.resolve("sshd.log");
            Process p = new ProcessBuilder(sshdBin, "-D", "-e", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Daemons.awaitPort(p, port, Duration.ofSeconds(20), log, "sshd");
            return new SshServer(dir, user, port, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeClientConfig(Path file, Path key, Path knownHosts) throws IOException {
        Files.writeString(file, String.join("\n",
                "Host *",
                "  IdentityFile " + key,
                "  IdentitiesOnly yes",
                "  IdentityAgent none",
                "  UserKnownHostsFile " + knownHosts,
                "  GlobalKnownHostsFile /dev/null",
                ""));
    }

    private static boolean exists(String user) {
        try {
            Process p = new ProcessBuilder("id", "-u", user).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code ./install --prefix PREFIX --no-service --skip-build}: the launcher and jar as a user installs them. */
    private static void install(Path projectDir, Path prefix) {
        List<String> cmd = new ArrayList<>(List.of("bash", projectDir.resolve("install").toString(), "--prefix",
                prefix.toString(), "--no-service", "--skip-build"));
        Daemons.run(cmd);
        if (!Files.isExecutable(prefix.resolve("bin/jbits"))) {
            throw new IllegalStateException("install made no " + prefix.resolve("bin/jbits"));
        }
    }

    /** {@code ssh://USER@127.0.0.1:PORT}. */
    public String url() {
        return "ssh://" + user + "@127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    /** The installed launcher ({@code PREFIX/bin/jbits}), on the session's PATH. */
    public Path remoteJbits() {
        return dir.resolve("prefix/bin/jbits");
    }

    /** An ssh config with the user's key and a known_hosts file holding this server's host key. */
    public Path clientConfig() {
        return dir.resolve("ssh_config");
    }

    /** An ssh config with a key the server does not accept. */
    public Path strangerConfig() {
        return dir.resolve("stranger_config");
    }

    /** An ssh config with the user's key and an empty known_hosts file. */
    public Path unknownHostConfig() {
        return dir.resolve("unknown_host_config");
    }

    /** The environment that makes the CLI reach this server: {@code JBITS_SSH_CONFIG}. */
    public Map<String, String> env() {
        return Map.of("JBITS_SSH_CONFIG", clientConfig().toString());
    }

    /** The test user's home directory. */
    public Path home() {
        try {
            Process p = new ProcessBuilder("getent", "passwd", user).start();
            String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return Path.of(line.split(":")[5]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String log() {
        return Daemons.read(log);
    }

    /** Stops sshd and removes the test's directory (keys, configs, the installed jbits). */
    @Override
    public void close() {
        Daemons.stop(sshd);
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
