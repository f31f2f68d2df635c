package org.jbits.power;

import java.time.Clock;
import java.util.List;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;
import org.jbits.dbus.BusWatcher;
import org.jbits.event.Latest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Battery or mains from UPower: its {@code OnBattery} property on the system D-Bus, read once and then followed
 * through {@code PropertiesChanged}, never polled; UPower leaving and rejoining the bus is followed too. jbits never
 * starts UPower: the bus would activate it for a call to its name, so nothing is called until {@code NameHasOwner}
 * or {@code NameOwnerChanged} says it runs. Without it the power is unknown, taken as mains.
 */
public final class UPowerBattery extends BusWatcher<PowerStatus> implements PowerSupply {
    private static final Logger log = LoggerFactory.getLogger(UPowerBattery.class);
    static final String UPOWER_BUS = "org.freedesktop.UPower";
    static final String UPOWER_PATH = "/org/freedesktop/UPower";
    static final String UPOWER_INTERFACE = "org.freedesktop.UPower";
    static final String ON_BATTERY = "OnBattery";

    private final Clock clock;

    private UPowerBattery(String address, Clock clock) {
        super(address, "jbits-power-upower", new Latest<>("power", unknown("not read from UPower yet", clock),
                PowerStatus::sameAs, s -> log.info("power: {} ({})", s.onBattery() ? "on battery" : "mains",
                        s.detail())));
        this.clock = clock;
    }

    /** Starts watching UPower on the bus at {@code address}; returns once the first reading is in. */
    public static UPowerBattery start(String address, Clock clock) {
        UPowerBattery b = begin(address, clock);
        b.awaitFirstReading();
        return b;
    }

    /** Starts watching without waiting for the first reading ({@link #awaitFirstReading()}). */
    public static UPowerBattery begin(String address, Clock clock) {
        UPowerBattery b = new UPowerBattery(address, clock);
        b.startWatching();
        return b;
    }

    @Override
    protected void subscribe(DBusConnection bus, List<AutoCloseable> handlers) throws DBusException {
        Properties upower = bus.getRemoteObject(UPOWER_BUS, UPOWER_PATH, Properties.class);
        followOwner(bus, handlers, UPOWER_BUS, "UPower", () -> read(upower));
        handlers.add(bus.addSigHandler(Properties.PropertiesChanged.class, s -> {
            if (UPOWER_PATH.equals(s.getPath()) && UPOWER_INTERFACE.equals(s.getInterfaceName())) {
                Variant<?> v = s.getPropertiesChanged().get(ON_BATTERY);
                if (v != null && v.getValue() instanceof Boolean b) {
                    submit(() -> set(reading(b)));
                }
            }
        }));
        readIfRunning(bus, UPOWER_BUS, "UPower", () -> read(upower));
    }

    @Override
    protected void unavailable(String why) {
        set(unknown(why, clock));
    }

    private void read(Properties upower) {
        try {
            Object v = upower.Get(UPOWER_INTERFACE, ON_BATTERY);
            if (v instanceof Boolean b) {
                set(reading(b));
            } else {
                unavailable("UPower's OnBattery property is " + v + ", not a boolean");
            }
        } catch (DBusExecutionException e) {
            unavailable("UPower on the system bus at " + address + " did not answer (" + e.getMessage() + ")");
        }
    }

    private PowerStatus reading(boolean onBattery) {
        return new PowerStatus(onBattery, true, clock.instant(), "UPower: OnBattery " + onBattery);
    }

    private static PowerStatus unknown(String why, Clock clock) {
        return new PowerStatus(false, false, clock.instant(), why + "; taken as mains power");
    }
}
