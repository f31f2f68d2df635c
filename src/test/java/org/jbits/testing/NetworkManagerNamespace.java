package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real NetworkManager, private to a test: a network namespace with a managed veth and a mount namespace whose
 * {@code /run} is a fresh directory holding its own system D-Bus ({@code dbus-daemon} with {@link SystemBusConfig}: nothing activated on it) and udev
 * ({@code systemd-udevd}, without which NetworkManager keeps every device "unmanaged (platform-init)"). One
 * ethernet connection on {@code veth0} has an address and a gateway, so that it is the primary connection, whose
 * {@code connection.metered} is NetworkManager's global {@code Metered} property. Nothing leaves the namespace:
 * 192.0.2.0/24 (TEST-NET-1) is only assigned, never reached.
 *
 * <p>The bus socket is a file in the private {@code /run} directory, which is an ordinary directory of the test's
 * file system too, so a process outside the namespaces reaches the bus at {@link #busAddress()} (tests set
 * {@code DBUS_SYSTEM_BUS_ADDRESS} to it). {@code nmcli} runs inside the namespaces ({@code nsenter}). Needs root,
 * {@code ip}, {@code unshare}, {@code nsenter}, {@code dbus-daemon}, {@code systemd-udevd} and NetworkManager
 * (Debian: network-manager, dbus, udev; ./run-tests installs them). Closing it kills the processes of the network
 * namespace (every one of them was started here) and deletes the namespace.
 */
public final class NetworkManagerNamespace implements AutoCloseable {
    /** The connection's name. */
    public static final String CONNECTION = "jbits-metered";
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final String UDEVD = "/lib/systemd/systemd-udevd";

    private final String name;
    private final Path root;
    private final Path run;
    private Process holder;

    private NetworkManagerNamespace(String name, Path root) {
        this.name = name;
        this.root = root;
        this.run = root.resolve("run");
    }

    /** Why this machine cannot run one, or null when it can. */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root (network and mount namespaces), runs as " + System.getProperty("user.name");
        }
        for (String tool : List.of("/usr/sbin/NetworkManager", "/usr/bin/nmcli", "/usr/bin/dbus-daemon", UDEVD,
                "/usr/bin/nsenter", "/usr/bin/unshare")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing (apt-get install network-manager dbus udev util-linux)";
            }
        }
        return null;
    }

    /** Starts NetworkManager with the connection up, metered or not; returns once it is the primary connection. */
    public static NetworkManagerNamespace start(boolean metered) throws IOException {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("cannot start NetworkManager here: " + why);
        }
        String name = "jbits-nm-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet();
        NetworkManagerNamespace ns = new NetworkManagerNamespace(name, Files.createTempDirectory("jbits-nm-"));
        try {
            ns.boot(metered);
        } catch (IOException | RuntimeException | Error e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    private void boot(boolean metered) throws IOException {
        Path etc = Files.createDirectories(root.resolve("etc/system-connections"));
        Files.createDirectories(run);
        Files.writeString(root.resolve("etc/NetworkManager.conf"), """
                [main]
                plugins=keyfile
                dns=none
                [keyfile]
                path=%s
                """.formatted(etc), StandardCharsets.UTF_8);
        exec("ip", "netns", "add", name);
        exec("ip", "-n", name, "link", "set", "lo", "up");
        exec("ip", "-n", name, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1");
        exec("ip", "-n", name, "link", "set", "veth1", "up");
        // The holder shell keeps the mount namespace alive (and the daemons in it) until it is killed.
        String script = """
                set -eu
                mount --make-rprivate /
                mount --bind '%1$s' /run
                mkdir -p /run/dbus /run/udev /run/NetworkManager
                dbus-daemon --config-file='%4$s' --fork --nopidfile
                %2$s --daemon
                udevadm trigger --action=add --subsystem-match=net
                udevadm settle -t 5
                %3$s
                echo ready
                exec sleep 100000
                """.formatted(run, UDEVD, networkManagerCommand(),
                SystemBusConfig.write(root.resolve("system-bus.conf"), "/run/dbus/system_bus_socket"));
        holder = new ProcessBuilder("ip", "netns", "exec", name, "unshare", "-m", "sh", "-c", script)
                .redirectErrorStream(true).redirectOutput(root.resolve("holder.log").toFile()).start();
        awaitManagedVeth();
        nmcli(true, "connection", "add", "type", "ethernet", "ifname", "veth0", "con-name", CONNECTION,
                "ipv4.method", "manual", "ipv4.addresses", "192.0.2.1/24", "ipv4.gateway", "192.0.2.254",
                "ipv6.method", "disabled", "connection.metered", metered ? "yes" : "no");
        awaitConnectionUp();
    }

    /** NetworkManager in the foreground, backgrounded by the shell, logging to the private /run. */
    private String networkManagerCommand() {
        return "NetworkManager --no-daemon --config='" + root.resolve("etc/NetworkManager.conf")
                + "' --state-file=/run/nm.state >>/run/nm.log 2>&1 &";
    }

    private void awaitManagedVeth() {
        Await.until(Duration.ofSeconds(20), () -> "NetworkManager answering in " + name + "; " + logs(),
                () -> nmcli(false, "general", "status").exit() == 0);
        // veth devices are unmanaged by NetworkManager's udev rule; this setting lasts until NetworkManager exits.
        Await.until(Duration.ofSeconds(20), () -> "veth0 managed; " + logs(),
                () -> nmcli(false, "device", "set", "veth0", "managed", "yes").exit() == 0);
    }

    private void awaitConnectionUp() {
        Await.until(Duration.ofSeconds(20), () -> CONNECTION + " up; " + logs(),
                () -> nmcli(false, "connection", "up", CONNECTION).exit() == 0);
    }

    /** Stops NetworkManager (SIGTERM), leaving the bus; returns once it has exited. */
    public void stopNetworkManager() {
        List<ProcessHandle> nm = exec(false, "ip", "netns", "pids", name).out().lines()
                .filter(l -> l.strip().matches("\\d+")).map(l -> ProcessHandle.of(Long.parseLong(l.strip())))
                .flatMap(java.util.Optional::stream)
                .filter(h -> h.info().command().map(c -> c.endsWith("/NetworkManager")).orElse(false)).toList();
        if (nm.isEmpty()) {
            throw new IllegalStateException("no NetworkManager runs in " + name + logs());
        }
        nm.forEach(ProcessHandle::destroy);
        // The holder shell does not reap it (it has exec'd sleep): a zombie counts as exited.
        Await.until(Duration.ofSeconds(20), "NetworkManager exited", () -> nm.stream().allMatch(h -> exited(h.pid())));
    }

    private static boolean exited(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return true;
        }
    }

    /** Starts NetworkManager again on the same bus and brings the connection up; returns once it is up. */
    public void startNetworkManager() {
        inside(true, "sh", "-c", networkManagerCommand());
        awaitManagedVeth();
        awaitConnectionUp();
    }

    /** The private system bus, for {@code DBUS_SYSTEM_BUS_ADDRESS}. */
    public String busAddress() {
        return "unix:path=" + run.resolve("dbus/system_bus_socket");
    }

    /** {@code nmcli connection modify jbits-metered connection.metered yes|no} and {@code up}: NetworkManager re-reads it. */
    public void setMetered(boolean metered) {
        nmcli(true, "connection", "modify", CONNECTION, "connection.metered", metered ? "yes" : "no");
        nmcli(true, "connection", "up", CONNECTION);
    }

    /** NetworkManager's global Metered property as busctl reads it ({@code "u 1"}). */
    public String meteredProperty() {
        return inside(true, "busctl", "--system", "get-property", "org.freedesktop.NetworkManager",
                "/org/freedesktop/NetworkManager", "org.freedesktop.NetworkManager", "Metered").out().strip();
    }

    /** Runs nmcli in the namespaces. */
    public Result nmcli(boolean check, String... args) {
        List<String> a = new ArrayList<>(List.of("nmcli"));
        a.addAll(List.of(args));
        return inside(check, a.toArray(String[]::new));
    }

    private Result inside(boolean check, String... args) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--target", String.valueOf(holder.pid()), "--mount", "--net"));
        cmd.addAll(List.of(args));
        return exec(check, cmd.toArray(String[]::new));
    }

    /** One command's outcome. */
    public record Result(int exit, String out) {
    }

    private static void exec(String... cmd) {
        exec(true, cmd);
    }

    private static Result exec(boolean check, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 30 s");
            }
            if (check && p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out.strip());
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The holder's and NetworkManager's output, for failure messages. */
    public String logs() {
        StringBuilder b = new StringBuilder();
        for (Path p : List.of(root.resolve("holder.log"), run.resolve("nm.log"))) {
            try {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                b.append("\n--- ").append(p).append('\n').append(text.length() > 4000 ? text.substring(text.length() - 4000) : text);
            } catch (IOException ignored) {
                // not written yet
            }
        }
        return b.toString();
    }

    /** Kills every process of the network namespace (all started here), deletes it and the private directories. */
    @Override
    public void close() {
        for (int round = 0; round < 50; round++) {
            List<Long> pids = exec(false, "ip", "netns", "pids", name).out().lines()
                    .filter(l -> l.strip().matches("\\d+")).map(l -> Long.parseLong(l.strip())).toList();
            if (pids.isEmpty()) {
                break;
            }
            boolean gently = round < 20;
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(h -> {
                    if (gently) {
                        h.destroy();
                    } else {
                        h.destroyForcibly();
                    }
                });
            }
            sleep(100);
        }
        if (holder != null) {
            holder.destroyForcibly();
        }
        exec(false, "ip", "netns", "del", name);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a socket file left in a temporary directory is harmless
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
