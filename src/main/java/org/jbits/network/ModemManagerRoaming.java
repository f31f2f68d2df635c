package org.jbits.network;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.jbits.dbus.BusWatcher;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.ObjectManager;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.NetworkStatus;
import org.jbits.event.Latest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Roaming from ModemManager: its modems' 3GPP registration state ({@code Modem3gpp.RegistrationState}) on the system
 * D-Bus. The status is {@link CostState#ROAMING} (source {@link CostSource#MODEM_MANAGER}) while a modem is
 * registered on a visited network ({@link ModemRegistration#roaming}), unrestricted with source MODEM_MANAGER while
 * modems are there and none roams, and unknown (source NONE) without ModemManager. Whether the roaming modem carries
 * the traffic is {@link LinuxNetworkCost}'s question, not this one's.
 *
 * <p>It reads the modems once ({@code GetManagedObjects}) and then follows {@code InterfacesAdded},
 * {@code InterfacesRemoved} and {@code PropertiesChanged}, never polling. It never starts ModemManager: the bus would
 * activate it for a call to its name, so nothing is called until {@code NameHasOwner} or {@code NameOwnerChanged} says
 * it runs.
 */
public final class ModemManagerRoaming extends BusWatcher<NetworkStatus> implements NetworkCost {
    private static final Logger log = LoggerFactory.getLogger(ModemManagerRoaming.class);
    static final String MM_BUS = "org.freedesktop.ModemManager1";
    static final String MM_PATH = "/org/freedesktop/ModemManager1";
    static final String MODEM_3GPP = "org.freedesktop.ModemManager1.Modem.Modem3gpp";
    static final String REGISTRATION_STATE = "RegistrationState";
    private static final String MODEM_PREFIX = MM_PATH + "/Modem/";

    private final Clock clock;
    /** Only on the watcher thread: each modem's object path and its last registration state. */
    private final Map<String, Long> modems = new TreeMap<>();
    private boolean running;

    private ModemManagerRoaming(String address, Clock clock) {
        super(address, "jbits-network-mm", new Latest<>("roaming", none("not read from ModemManager yet", clock),
                NetworkStatus::sameAs, s -> log.info("roaming: {} ({}: {})", s.cost() == CostState.ROAMING,
                        s.source().displayName(), s.detail())));
        this.clock = clock;
    }

    /** Starts watching ModemManager on the bus at {@code address}; returns once the first reading is in. */
    public static ModemManagerRoaming start(String address, Clock clock) {
        ModemManagerRoaming r = begin(address, clock);
        r.awaitFirstReading();
        return r;
    }

    /** Starts watching without waiting for the first reading ({@link #awaitFirstReading()}). */
    public static ModemManagerRoaming begin(String address, Clock clock) {
        ModemManagerRoaming r = new ModemManagerRoaming(address, clock);
        r.startWatching();
        return r;
    }

    @Override
    protected void subscribe(DBusConnection bus, List<AutoCloseable> handlers) throws DBusException {
        ObjectManager om = bus.getRemoteObject(MM_BUS, MM_PATH, ObjectManager.class);
        followOwner(bus, handlers, MM_BUS, "ModemManager", () -> read(om));
        handlers.add(bus.addSigHandler(ObjectManager.InterfacesAdded.class, s -> {
            Map<String, Variant<?>> props = s.getInterfaces().get(MODEM_3GPP);
            if (isModem(s.getObjectPath()) && props != null) {
                Long state = registration(props);
                submit(() -> update(s.getObjectPath(), state == null ? ModemRegistration.UNKNOWN : state));
            }
        }));
        handlers.add(bus.addSigHandler(ObjectManager.InterfacesRemoved.class, s -> {
            if (isModem(s.getObjectPath()) && s.getInterfaces().contains(MODEM_3GPP)) {
                submit(() -> remove(s.getObjectPath()));
            }
        }));
        handlers.add(bus.addSigHandler(Properties.PropertiesChanged.class, s -> {
            if (isModem(s.getPath()) && MODEM_3GPP.equals(s.getInterfaceName())) {
                Long state = registration(s.getPropertiesChanged());
                if (state != null) {
                    submit(() -> update(s.getPath(), state));
                }
            }
        }));
        readIfRunning(bus, MM_BUS, "ModemManager", () -> read(om));
    }

    @Override
    protected void unavailable(String why) {
        running = false;
        modems.clear();
        set(none(why, clock));
    }

    private static boolean isModem(String path) {
        return path != null && path.startsWith(MODEM_PREFIX);
    }

    private static Long registration(Map<String, Variant<?>> props) {
        Variant<?> v = props.get(REGISTRATION_STATE);
        return v != null && v.getValue() instanceof Number n ? n.longValue() : null;
    }

    private void read(ObjectManager om) {
        try {
            Map<DBusPath, Map<String, Map<String, Variant<?>>>> objects = om.GetManagedObjects();
            modems.clear();
            objects.forEach((path, interfaces) -> {
                Map<String, Variant<?>> props = interfaces.get(MODEM_3GPP);
                if (isModem(path.getPath()) && props != null) {
                    Long state = registration(props);
                    modems.put(path.getPath(), state == null ? ModemRegistration.UNKNOWN : state);
                }
            });
            running = true;
            apply();
        } catch (DBusExecutionException e) {
            unavailable("ModemManager on the system bus at " + address + " did not answer (" + e.getMessage() + ")");
        }
    }

    private void update(String path, long state) {
        if (running) {
            modems.put(path, state);
            apply();
        }
    }

    private void remove(String path) {
        if (running && modems.remove(path) != null) {
            apply();
        }
    }

    private void apply() {
        StringBuilder detail = new StringBuilder();
        boolean roaming = false;
        for (Map.Entry<String, Long> m : modems.entrySet()) {
            long state = m.getValue();
            roaming |= ModemRegistration.roaming(state);
            detail.append(detail.isEmpty() ? "" : "; ").append("modem ")
                    .append(m.getKey().substring(MODEM_PREFIX.length())).append(": 3GPP registration ")
                    .append(ModemRegistration.describe(state));
        }
        if (modems.isEmpty()) {
            detail.append("ModemManager has no 3GPP modem");
        }
        set(new NetworkStatus(roaming ? CostState.ROAMING : CostState.UNRESTRICTED, CostSource.MODEM_MANAGER,
                clock.instant(), detail.toString()));
    }

    private static NetworkStatus none(String why, Clock clock) {
        return new NetworkStatus(CostState.UNRESTRICTED, CostSource.NONE, clock.instant(), why);
    }
}
