package org.jbits.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.interfaces.ObjectManager;
import org.freedesktop.dbus.interfaces.Properties;

/**
 * A real ModemManager on a private D-Bus of its own (a {@code dbus-daemon} started here; or {@link #join joining} a
 * private system bus another test daemon runs), with its Test interface on and no udev, so the only modems are the {@link VirtualModem}s {@link #addModem} hands it. jbits' detector is
 * pointed at {@link #busAddress()} as it would be at the system bus.
 */
public final class ModemManagerBus implements AutoCloseable {
    private static final String MM = "/usr/sbin/ModemManager";
    private static final String MM_BUS = "org.freedesktop.ModemManager1";
    private static final String MM_PATH = "/org/freedesktop/ModemManager1";

    private final Path dir;
    /** The bus this class started, or null when ModemManager joined another ({@link #join}). */
    private final Process bus;
    private final String address;
    private Process modemManager;
    private final DBusConnection connection;

    /** ModemManager's Test interface: a virtual device from the named plugin and ports. */
    @DBusInterfaceName("org.freedesktop.ModemManager1.Test")
    public interface MmTest extends DBusInterface {
        void SetProfile(String id, String plugin, List<String> ports);
    }

    /** A modem's Enable call. */
    @DBusInterfaceName("org.freedesktop.ModemManager1.Modem")
    public interface MmModem extends DBusInterface {
        void Enable(boolean enable);
    }

    private ModemManagerBus(Path dir, Process bus, String address, DBusConnection connection) {
        this.dir = dir;
        this.bus = bus;
        this.address = address;
        this.connection = connection;
    }

    /** Why this machine cannot run one, or null when it can. */
    public static String unavailableReason() {
        for (String tool : List.of(MM, "/usr/bin/dbus-daemon")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing (apt-get install modemmanager dbus)";
            }
        }
        return null;
    }

    /** Starts the bus and ModemManager on it; returns once ModemManager owns its name. */
    public static ModemManagerBus start() throws IOException {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("cannot start ModemManager here: " + why);
        }
        Path dir = Files.createTempDirectory("jbits-mm-");
        Path socket = dir.resolve("bus");
        Process bus = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--nopidfile",
                "--address=unix:path=" + socket).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dbus.log").toFile()).start();
        Await.until(Duration.ofSeconds(10), () -> "dbus-daemon's socket " + socket + "; " + Daemons.read(dir.resolve("dbus.log")),
                () -> Files.exists(socket));
        DBusConnection c;
        try {
            c = DBusConnectionBuilder.forAddress("unix:path=" + socket).withShared(false).build();
        } catch (DBusException e) {
            Daemons.stop(bus);
            throw new IOException("cannot connect to the private bus at " + socket, e);
        }
        ModemManagerBus m = new ModemManagerBus(dir, bus, "unix:path=" + socket, c);
        try {
            m.startModemManager();
        } catch (IOException | RuntimeException | Error e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * Starts ModemManager on a system bus someone else runs (a {@link NetworkManagerNamespace}'s, beside its
     * NetworkManager); returns once it owns its name there.
     */
    public static ModemManagerBus join(String systemBusAddress) throws IOException {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("cannot start ModemManager here: " + why);
        }
        Path dir = Files.createTempDirectory("jbits-mm-");
        DBusConnection c;
        try {
            c = DBusConnectionBuilder.forAddress(systemBusAddress).withShared(false).build();
        } catch (DBusException e) {
            throw new IOException("cannot connect to the bus at " + systemBusAddress, e);
        }
        ModemManagerBus m = new ModemManagerBus(dir, null, systemBusAddress, c);
        try {
            m.startModemManager();
        } catch (IOException | RuntimeException | Error e) {
            m.close();
            throw e;
        }
        return m;
    }

    /** The bus address for jbits' detector ({@code DBUS_SYSTEM_BUS_ADDRESS} of an agent). */
    public String busAddress() {
        return address;
    }

    /** Starts ModemManager (again, after {@link #stopModemManager}); returns once it owns its name. */
    public void startModemManager() throws IOException {
        // On the session bus ModemManager asks PolicyKit on the system bus, and with none there it lets root enable
        // modems; the "session" bus is the one given here, even when it has the system configuration.
        ProcessBuilder pb = new ProcessBuilder(MM, "--test-session", "--test-enable", "--test-no-udev", "--no-auto-scan",
                "--log-level=DEBUG", "--log-file=" + dir.resolve("mm.log")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mm.out").toFile()));
        pb.environment().put("DBUS_SESSION_BUS_ADDRESS", address);
        pb.environment().put("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + dir.resolve("no-system-bus"));
        modemManager = pb.start();
        DBus daemon = daemon();
        Await.until(Duration.ofSeconds(20), () -> "ModemManager on the bus; " + logs(), () -> daemon.NameHasOwner(MM_BUS));
    }

    /** Stops ModemManager (SIGTERM), which leaves the bus; returns once it has exited. */
    public void stopModemManager() {
        Daemons.stop(modemManager);
    }

    /**
     * Gives ModemManager {@code modem}'s port as a virtual device of its generic plugin, then enables the modem;
     * returns the modem's object path once it is registered on the network.
     */
    public String addModem(VirtualModem modem) throws DBusException {
        connection.getRemoteObject(MM_BUS, MM_PATH, MmTest.class)
                .SetProfile("jbits-" + modem.socket().getFileName(), "generic", List.of(modem.socket().toString()));
        ObjectManager om = connection.getRemoteObject(MM_BUS, MM_PATH, ObjectManager.class);
        String path = Await.until(Duration.ofSeconds(60), "a modem exported for " + modem.socket() + "; " + logs(),
                () -> om.GetManagedObjects().keySet().stream().map(DBusPath::getPath)
                        .filter(p -> p.startsWith(MM_PATH + "/Modem/")).findFirst().orElse(null),
                p -> p != null);
        connection.getRemoteObject(MM_BUS, path, MmModem.class).Enable(true);
        Properties props = connection.getRemoteObject(MM_BUS, path, Properties.class);
        // MM_MODEM_STATE_REGISTERED is 8.
        Await.until(Duration.ofSeconds(30), () -> "modem " + path + " registered; " + logs(),
                () -> ((Number) props.Get("org.freedesktop.ModemManager1.Modem", "State")).intValue() >= 8);
        return path;
    }

    private DBus daemon() {
        try {
            return connection.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
        } catch (DBusException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ModemManager's log, for failure messages. */
    public String logs() {
        return Daemons.read(dir.resolve("mm.log")) + Daemons.read(dir.resolve("mm.out"));
    }

    @Override
    public void close() {
        connection.disconnect();
        if (modemManager != null) {
            Daemons.stop(modemManager);
        }
        if (bus != null) {
            Daemons.stop(bus);
        }
        Daemons.deleteTree(dir);
    }
}
