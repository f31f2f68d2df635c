package org.jbits.network;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.jbits.dbus.BusWatcher;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.NetworkStatus;
import org.jbits.event.Latest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network's cost from NetworkManager: its global {@code Metered} property (that of the primary connection,
 * the one with the best default route) on the system D-Bus, mapped by {@link NmMetered}, and the type of that
 * connection ({@code PrimaryConnectionType}), which tells whether a roaming modem carries the traffic
 * ({@link LinuxNetworkCost}). It reads the properties once and then follows {@code PropertiesChanged} signals, never
 * polling; it follows NetworkManager leaving and rejoining the bus ({@code NameOwnerChanged}), and connects again
 * every {@link BusWatcher#RECONNECT} when the bus itself goes away. With no bus, or no NetworkManager on it, the cost
 * is unknown: {@link CostSource#NONE}, unrestricted, with the reason in the detail.
 */
public final class NetworkManagerCost extends BusWatcher<NetworkStatus> implements NetworkCost {
    private static final Logger log = LoggerFactory.getLogger(NetworkManagerCost.class);
    static final String NM_BUS = "org.freedesktop.NetworkManager";
    static final String NM_PATH = "/org/freedesktop/NetworkManager";
    static final String NM_INTERFACE = "org.freedesktop.NetworkManager";
    static final String METERED = "Metered";
    static final String PRIMARY_TYPE = "PrimaryConnectionType";
    /** NetworkManager's connection types of mobile broadband (a modem ModemManager drives) and of Bluetooth DUN. */
    private static final Set<String> MOBILE_TYPES = Set.of("gsm", "cdma", "bluetooth");
    /**
     * How long a metered reading stands when NetworkManager says UNKNOWN: while it re-activates the primary
     * connection ({@code nmcli connection up}) it has none for a moment and says UNKNOWN (measured here: YES,
     * UNKNOWN, YES within about 250 ms); taking that at once would start blocked jobs only to block them again.
     */
    static final Duration UNKNOWN_GRACE = Duration.ofSeconds(2);

    private final Clock clock;
    /** Only on the watcher thread: the last Metered value read, and the primary connection's type ("" for none). */
    private long metered = NmMetered.UNKNOWN.value;
    private String primaryType = "";
    private volatile boolean primaryMobile;
    /** Only on the watcher thread: an UNKNOWN reading held back until this System.nanoTime(), or 0. */
    private long unknownDue;

    private NetworkManagerCost(String address, Clock clock) {
        super(address, "jbits-network-nm", new Latest<>("network cost", new NetworkStatus(CostState.UNRESTRICTED,
                CostSource.NONE, clock.instant(), "not read from NetworkManager yet"), NetworkStatus::sameAs,
                s -> log.info("network cost: {} ({}: {})", s.cost().displayName(), s.source().displayName(),
                        s.detail())));
        this.clock = clock;
    }

    /**
     * Starts watching NetworkManager on the bus at {@code address} ({@link org.jbits.dbus.SystemBus#address}); returns once the
     * first reading is in (or after a few seconds, when the bus does not answer).
     */
    public static NetworkManagerCost start(String address, Clock clock) {
        NetworkManagerCost c = begin(address, clock);
        c.awaitFirstReading();
        return c;
    }

    /** Starts watching without waiting for the first reading ({@link #awaitFirstReading()}). */
    public static NetworkManagerCost begin(String address, Clock clock) {
        NetworkManagerCost c = new NetworkManagerCost(address, clock);
        c.startWatching();
        return c;
    }

    /**
     * True while NetworkManager reports a primary connection over mobile broadband or Bluetooth (its
     * {@code PrimaryConnectionType} is {@code gsm}, {@code cdma} or {@code bluetooth}), the connections a roaming
     * modem would carry; false without one, or without NetworkManager.
     */
    public boolean primaryIsMobile() {
        return primaryMobile;
    }

    @Override
    protected void subscribe(DBusConnection bus, List<AutoCloseable> handlers) throws DBusException {
        Properties nm = bus.getRemoteObject(NM_BUS, NM_PATH, Properties.class);
        followOwner(bus, handlers, NM_BUS, "NetworkManager", () -> read(nm));
        handlers.add(bus.addSigHandler(Properties.PropertiesChanged.class, s -> {
            if (NM_PATH.equals(s.getPath()) && NM_INTERFACE.equals(s.getInterfaceName())) {
                Map<String, Variant<?>> changed = s.getPropertiesChanged();
                Variant<?> m = changed.get(METERED);
                Variant<?> t = changed.get(PRIMARY_TYPE);
                Long newMetered = m != null && m.getValue() instanceof Number n ? n.longValue() : null;
                String newType = t != null && t.getValue() instanceof String str ? str : null;
                if (newMetered != null || newType != null) {
                    submit(() -> changed(newMetered, newType));
                }
            }
        }));
        readIfRunning(bus, NM_BUS, "NetworkManager", () -> read(nm));
    }

    @Override
    protected void unavailable(String why) {
        unknownDue = 0;
        primaryType = "";
        primaryMobile = false;
        set(none(why));
    }

    @Override
    protected long nextTickNanos() {
        return unknownDue == 0 ? 1_000_000_000L : unknownDue - System.nanoTime();
    }

    @Override
    protected void tick() {
        if (unknownDue != 0 && System.nanoTime() - unknownDue >= 0) {
            unknownDue = 0;
            apply();
        }
    }

    /** Reads {@code Metered} and the primary connection's type; NetworkManager's absence is a reading too (none). */
    private void read(Properties nm) {
        try {
            Object v = nm.Get(NM_INTERFACE, METERED);
            if (!(v instanceof Number n)) {
                unavailable("NetworkManager's Metered property is " + v + ", not a number");
                return;
            }
            Object t = nm.Get(NM_INTERFACE, PRIMARY_TYPE);
            changed(n.longValue(), t instanceof String s ? s : "");
        } catch (DBusExecutionException e) {
            unavailable("NetworkManager on the system bus at " + address + " did not answer (" + e.getMessage() + ")");
        }
    }

    /** A new {@code Metered} value and/or primary connection type (null: unchanged). */
    private void changed(Long newMetered, String newType) {
        if (newType != null) {
            primaryType = newType;
            primaryMobile = MOBILE_TYPES.contains(newType);
        }
        if (newMetered != null) {
            NetworkStatus now = current();
            if (newMetered == NmMetered.UNKNOWN.value && now.source() == CostSource.NETWORK_MANAGER
                    && now.cost() != CostState.UNRESTRICTED) {
                if (unknownDue == 0) {
                    unknownDue = System.nanoTime() + UNKNOWN_GRACE.toNanos();
                }
                return;
            }
            unknownDue = 0;
            metered = newMetered;
        }
        if (unknownDue == 0) {
            apply();
        }
    }

    private void apply() {
        String detail = NmMetered.describe(metered)
                + (primaryType.isEmpty() ? "; no primary connection" : "; primary connection: " + primaryType);
        set(new NetworkStatus(NmMetered.costOf(metered), CostSource.NETWORK_MANAGER, clock.instant(), detail));
    }

    private NetworkStatus none(String why) {
        return new NetworkStatus(CostState.UNRESTRICTED, CostSource.NONE, clock.instant(),
                why + "; the cost is unknown, which BITS treats as unrestricted");
    }
}
