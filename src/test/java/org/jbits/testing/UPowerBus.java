package org.jbits.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;

/**
 * A real UPower daemon on a private system bus (a {@code dbus-daemon} with {@link SystemBusConfig}: the system
 * bus's policies, an address of its own, nothing activated), over power supplies umockdev simulates (a mains adapter and a battery; the script
 * {@code umockdev-power.py} beside this class): there is no battery on these machines, and umockdev is how UPower's
 * own integration tests give it one. {@link #unplug()} and {@link #plugIn()} change the adapter as pulling the cable
 * would, with the kernel's uevent. jbits' detector is pointed at {@link #busAddress()}.
 */
public final class UPowerBus implements AutoCloseable {
    private static final String UPOWERD = "/usr/libexec/upowerd";
    private static final String PYTHON = "/usr/bin/python3";
    private static final String WRAPPER = "/usr/bin/umockdev-wrapper";
    private static final String TYPELIB = "/usr/lib/x86_64-linux-gnu/girepository-1.0/UMockdev-1.0.typelib";

    private final Path dir;
    private final Process bus;
    private Process bed;
    private Writer control;
    private BufferedReader replies;

    private UPowerBus(Path dir, Process bus) {
        this.dir = dir;
        this.bus = bus;
    }

    /** Why this machine cannot run one, or null when it can. */
    public static String unavailableReason() {
        if (!Daemons.isRoot()) {
            return "needs root (UPower owns its name on a bus with the system policy)";
        }
        for (String f : List.of(UPOWERD, PYTHON, WRAPPER, TYPELIB, "/usr/bin/dbus-daemon")) {
            if (!Files.exists(Path.of(f))) {
                return f + " is missing (apt-get install upower umockdev gir1.2-umockdev-1.0 python3-gi dbus)";
            }
        }
        return null;
    }

    /** Starts the bus and UPower on mains power; returns once UPower owns its name. */
    public static UPowerBus start() throws IOException {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("cannot start UPower here: " + why);
        }
        Path dir = Files.createTempDirectory("jbits-upower-");
        Path socket = dir.resolve("bus");
        Path config = SystemBusConfig.write(dir.resolve("system-bus.conf"), socket.toString());
        Process bus = new ProcessBuilder("dbus-daemon", "--config-file=" + config, "--nofork", "--nopidfile")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("dbus.log").toFile()).start();
        UPowerBus u = new UPowerBus(dir, bus);
        try {
            Await.until(Duration.ofSeconds(10), () -> "dbus-daemon's socket " + socket + "; " + Daemons.read(dir.resolve("dbus.log")),
                    () -> Files.exists(socket));
            u.startUPower();
        } catch (IOException | RuntimeException | Error e) {
            u.close();
            throw e;
        }
        return u;
    }

    /** The bus address for jbits' detector ({@code DBUS_SYSTEM_BUS_ADDRESS} of an agent). */
    public String busAddress() {
        return "unix:path=" + dir.resolve("bus");
    }

    /** Starts upowerd over a fresh testbed, on mains power; returns once it owns its name. */
    public void startUPower() throws IOException {
        Path script = dir.resolve("umockdev-power.py");
        try (InputStream in = UPowerBus.class.getResourceAsStream("umockdev-power.py")) {
            Files.write(script, in.readAllBytes());
        }
        ProcessBuilder pb = new ProcessBuilder(WRAPPER, PYTHON, script.toString(), dir.resolve("upowerd.log").toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("bed.err").toFile()));
        pb.environment().put("DBUS_SYSTEM_BUS_ADDRESS", busAddress());
        bed = pb.start();
        control = new OutputStreamWriter(bed.getOutputStream(), StandardCharsets.US_ASCII);
        replies = new BufferedReader(new InputStreamReader(bed.getInputStream(), StandardCharsets.US_ASCII));
        expect("ready");
        try (DBusConnection c = DBusConnectionBuilder.forAddress(busAddress()).withShared(false).build()) {
            DBus daemon = c.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
            Await.until(Duration.ofSeconds(20), () -> "UPower on the bus; " + logs(),
                    () -> daemon.NameHasOwner("org.freedesktop.UPower"));
        } catch (DBusException e) {
            throw new IOException("cannot ask the private bus at " + busAddress(), e);
        }
    }

    /** Stops upowerd, which leaves the bus; returns once it has exited. */
    public void stopUPower() throws IOException {
        control.close();
        try {
            if (!bed.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                Daemons.stop(bed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Pulls the mains cable: the machine runs on its battery. */
    public void unplug() throws IOException {
        set("0");
    }

    /** Plugs the mains cable in again. */
    public void plugIn() throws IOException {
        set("1");
    }

    private void set(String online) throws IOException {
        control.write(online + "\n");
        control.flush();
        expect("ac " + online);
    }

    private void expect(String line) throws IOException {
        String got = replies.readLine();
        if (!line.equals(got)) {
            throw new IOException("the umockdev testbed said " + got + " instead of " + line + "; " + logs());
        }
    }

    /** What the testbed and upowerd logged, for failure messages. */
    public String logs() {
        return Daemons.read(dir.resolve("bed.err")) + Daemons.read(dir.resolve("upowerd.log"));
    }

    @Override
    public void close() {
        if (bed != null) {
            try {
                stopUPower();
            } catch (IOException e) {
                Daemons.stop(bed);
            }
        }
        Daemons.stop(bus);
        Daemons.deleteTree(dir);
    }
}
