package org.jbits.network;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.NetworkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network's cost from NetworkManager: its global {@code Metered} property (that of the primary connection,
 * the one with the best default route) on the system D-Bus, mapped by {@link NmMetered}. It reads the property once
 * and then follows {@code PropertiesChanged} signals, never polling; it follows NetworkManager leaving and
 * rejoining the bus ({@code NameOwnerChanged}), and connects again every {@link #RECONNECT} when the bus itself goes
 * away. With no bus, or no NetworkManager on it, the cost is unknown: {@link CostSource#NONE}, unrestricted, with
 * the reason in the detail.
 *
 * <p>One thread ({@code jbits-network-nm}) owns the connection and makes every call; the bus library's signal
 * threads only hand it work, so no call is ever made from a signal handler.
 */
public final class NetworkManagerCost implements NetworkCost {
    private static final Logger log = LoggerFactory.getLogger(NetworkManagerCost.class);
    static final String NM_BUS = "org.freedesktop.NetworkManager";
    static final String NM_PATH = "/org/freedesktop/NetworkManager";
    static final String NM_INTERFACE = "org.freedesktop.NetworkManager";
    static final String METERED = "Metered";
    /** How long to wait before connecting again to a bus that is absent or went away. */
    static final Duration RECONNECT = Duration.ofSeconds(5);
    /**
     * How long a metered reading stands when NetworkManager says UNKNOWN: while it re-activates the primary
     * connection ({@code nmcli connection up}) it has none for a moment and says UNKNOWN (measured here: YES,
     * UNKNOWN, YES within about 250 ms); taking that at once would start blocked jobs only to block them again.
     */
    static final Duration UNKNOWN_GRACE = Duration.ofSeconds(2);
    /** How long {@link #start} waits for the first reading, so the first jobs are scheduled knowing the cost. */
    private static final Duration FIRST_READING = Duration.ofSeconds(3);

    private final String address;
    private final Clock clock;
    private final CostListeners listeners = new CostListeners();
    private final BlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
    private final CountDownLatch firstReading = new CountDownLatch(1);
    private final Thread thread;
    private volatile NetworkStatus status;
    private volatile boolean closed;
    /** Only on the watcher thread: an UNKNOWN reading held back until this System.nanoTime(), or 0. */
    private long unknownDue;

    private NetworkManagerCost(String address, Clock clock) {
        this.address = address;
        this.clock = clock;
        this.status = new NetworkStatus(CostState.UNRESTRICTED, CostSource.NONE, clock.instant(),
                "not read from NetworkManager yet");
        this.thread = new Thread(this::loop, "jbits-network-nm");
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching NetworkManager on the bus at {@code address} ({@link SystemBus#address}); returns once the
     * first reading is in (or after a few seconds, when the bus does not answer).
     */
    public static NetworkManagerCost start(String address, Clock clock) {
        NetworkManagerCost c = new NetworkManagerCost(address, clock);
        c.thread.start();
        try {
            c.firstReading.await(FIRST_READING.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return c;
    }

    @Override
    public NetworkStatus current() {
        return status;
    }

    @Override
    public void addListener(Consumer<NetworkStatus> listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(Consumer<NetworkStatus> listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        closed = true;
        work.add(() -> { });
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (!closed) {
            Path socket = SystemBus.socketPath(address);
            if (socket != null && !Files.exists(socket)) {
                // The common case without NetworkManager: no need to load the bus library to learn that.
                set(none("no system bus at " + address));
            } else {
                watch();
            }
            firstReading.countDown();
            if (!closed) {
                await(RECONNECT);
            }
        }
    }

    /** One connection's life: subscribe, read, then carry out what the signals ask until the bus goes away. */
    private void watch() {
        CountDownLatch lost = new CountDownLatch(1);
        IDisconnectCallback onDisconnect = new IDisconnectCallback() {
            @Override
            public void disconnectOnError(java.io.IOException e) {
                lost.countDown();
                work.add(() -> { });
            }

            @Override
            public void exceptionOnTerminate(java.io.IOException e) {
                disconnectOnError(e);
            }
        };
        List<AutoCloseable> handlers = new ArrayList<>();
        try (DBusConnection bus = DBusConnectionBuilder.forAddress(address).withShared(false)
                .withDisconnectCallback(onDisconnect).build()) {
            Properties nm = bus.getRemoteObject(NM_BUS, NM_PATH, Properties.class);
            // Subscribed before the first read, so that no change falls between the two.
            handlers.add(bus.addSigHandler(DBus.NameOwnerChanged.class, s -> {
                if (NM_BUS.equals(s.name)) {
                    work.add(s.newOwner == null || s.newOwner.isEmpty()
                            ? () -> set(none("NetworkManager left the system bus at " + address))
                            : () -> read(nm));
                }
            }));
            handlers.add(bus.addSigHandler(Properties.PropertiesChanged.class, s -> {
                if (NM_PATH.equals(s.getPath()) && NM_INTERFACE.equals(s.getInterfaceName())) {
                    Variant<?> v = s.getPropertiesChanged().get(METERED);
                    if (v != null && v.getValue() instanceof Number n) {
                        long metered = n.longValue();
                        work.add(() -> setMetered(metered));
                    }
                }
            }));
            read(nm);
            firstReading.countDown();
            while (!closed && lost.getCount() > 0 && bus.isConnected()) {
                long wait = unknownDue == 0 ? 1_000_000_000L : Math.max(1, unknownDue - System.nanoTime());
                Runnable r = work.poll(Math.min(wait, 1_000_000_000L), TimeUnit.NANOSECONDS);
                if (r != null) {
                    r.run();
                } else if (unknownDue != 0 && System.nanoTime() - unknownDue >= 0) {
                    unknownDue = 0;
                    applyMetered(NmMetered.UNKNOWN.value);
                }
            }
            unknownDue = 0;
            if (!closed) {
                set(none("the system bus at " + address + " went away"));
            }
        } catch (DBusException | DBusExecutionException | java.io.IOException e) {
            set(none("no system bus at " + address + ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } catch (RuntimeException e) {
            log.warn("watching NetworkManager on {} failed", address, e);
            set(none("watching NetworkManager on " + address + " failed: " + e));
        } finally {
            for (AutoCloseable h : handlers) {
                try {
                    h.close();
                } catch (Exception ignored) {
                    // the connection is going anyway
                }
            }
        }
    }

    /** Reads {@code Metered}; NetworkManager's absence from the bus is a reading too (none). */
    private void read(Properties nm) {
        try {
            Object v = nm.Get(NM_INTERFACE, METERED);
            if (v instanceof Number n) {
                setMetered(n.longValue());
            } else {
                set(none("NetworkManager's Metered property is " + v + ", not a number"));
            }
        } catch (DBusExecutionException e) {
            set(none("NetworkManager is not on the system bus at " + address + " (" + e.getMessage() + ")"));
        }
    }

    private void setMetered(long metered) {
        NetworkStatus now = status;
        if (metered == NmMetered.UNKNOWN.value && now.source() == CostSource.NETWORK_MANAGER
                && now.cost() != CostState.UNRESTRICTED) {
            if (unknownDue == 0) {
                unknownDue = System.nanoTime() + UNKNOWN_GRACE.toNanos();
            }
            return;
        }
        unknownDue = 0;
        applyMetered(metered);
    }

    private void applyMetered(long metered) {
        set(new NetworkStatus(NmMetered.costOf(metered), CostSource.NETWORK_MANAGER, clock.instant(),
                NmMetered.describe(metered)));
    }

    private NetworkStatus none(String why) {
        return new NetworkStatus(CostState.UNRESTRICTED, CostSource.NONE, clock.instant(),
                why + "; the cost is unknown, which BITS treats as unrestricted");
    }

    /** Takes {@code s} as the status (keeping the old time when nothing changed) and tells the listeners. */
    private void set(NetworkStatus s) {
        NetworkStatus old = status;
        if (s.sameAs(old)) {
            return;
        }
        status = s;
        log.info("network cost: {} ({}: {})", s.cost().displayName(), s.source().displayName(), s.detail());
        listeners.fire(s);
    }

    private void await(Duration d) {
        try {
            Runnable r = work.poll(d.toMillis(), TimeUnit.MILLISECONDS);
            while (r != null && !closed) {
                r = work.poll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }
}
