package org.jbits.dbus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.jbits.event.Latest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon on a D-Bus watched from a thread of its own: it connects, lets the subclass subscribe and take its
 * first reading, then runs what the signal handlers hand it until the bus goes away, and connects again every
 * {@link #RECONNECT}. The bus library's signal threads only {@link #submit} work, so every call is made from the
 * watcher's thread and none from a signal handler. When the bus is absent or lost, the subclass is told why
 * ({@link #unavailable}). What it reads is a {@code T} ({@link #current}), told to its listeners when it changes.
 */
public abstract class BusWatcher<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BusWatcher.class);
    /** How long to wait before connecting again to a bus that is absent or went away. */
    public static final Duration RECONNECT = Duration.ofSeconds(5);
    /** How long {@link #awaitFirstReading} waits for the first reading, so the first jobs are scheduled knowing it. */
    private static final Duration FIRST_READING = Duration.ofSeconds(3);

    /** The bus address. */
    protected final String address;
    private final BlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
    private final CountDownLatch firstReading = new CountDownLatch(1);
    private final Thread thread;
    private final Latest<T> status;
    private volatile boolean closed;

    /** {@code status} holds the reading (its first value says it is not read yet). */
    protected BusWatcher(String address, String threadName, Latest<T> status) {
        this.address = address;
        this.status = status;
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
    }

    /** The latest reading; never blocks. */
    public final T current() {
        return status.get();
    }

    public final void addListener(Consumer<T> listener) {
        status.addListener(listener);
    }

    public final void removeListener(Consumer<T> listener) {
        status.removeListener(listener);
    }

    /** Takes a new reading (on the watcher's thread): told to the listeners unless it is the same as the last. */
    protected final void set(T reading) {
        status.set(reading);
    }

    /** Starts the thread; {@link #awaitFirstReading()} waits for its first reading. */
    protected final void startWatching() {
        thread.start();
    }

    /**
     * Returns once the first reading is in (or after a few seconds, when the bus is silent), so that the first jobs
     * are scheduled knowing it. Several watchers started one after the other read in parallel.
     */
    public final void awaitFirstReading() {
        try {
            firstReading.await(FIRST_READING.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Subscribes to the signals on {@code bus} (adding each handler's registration to {@code handlers}) and takes
     * the first reading; called on the watcher's thread for each new connection.
     */
    protected abstract void subscribe(DBusConnection bus, List<AutoCloseable> handlers) throws DBusException;

    /** The bus cannot be reached or went away, or the daemon is not on it: {@code why} says so, for people. */
    protected abstract void unavailable(String why);

    /**
     * Follows the daemon that owns {@code name} on {@code bus} ({@code daemon} is its name for people): whenever it
     * joins the bus {@code read} runs, and when it leaves, {@link #unavailable}; both on the watcher's thread. Call it
     * first in {@link #subscribe}, then subscribe to the daemon's own signals, then {@link #readIfRunning}, so that no
     * change falls between the signals and the first reading.
     */
    protected final void followOwner(DBusConnection bus, List<AutoCloseable> handlers, String name, String daemon,
            Runnable read) throws DBusException {
        handlers.add(bus.addSigHandler(DBus.NameOwnerChanged.class, s -> {
            if (name.equals(s.name)) {
                submit(s.newOwner == null || s.newOwner.isEmpty()
                        ? () -> unavailable(daemon + " left the system bus at " + address)
                        : read);
            }
        }));
    }

    /**
     * Runs {@code read} when {@code name} has an owner now, else says the daemon is not there. Only the bus is asked
     * ({@code NameHasOwner}): a call to the name itself would make the bus start ({@code activate}) the daemon.
     */
    protected final void readIfRunning(DBusConnection bus, String name, String daemon, Runnable read)
            throws DBusException {
        DBus daemons = bus.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
        if (daemons.NameHasOwner(name)) {
            read.run();
        } else {
            unavailable(daemon + " is not on the system bus at " + address);
        }
    }

    /** How long the loop may wait for work before {@link #tick()}, in nanoseconds; one second unless overridden. */
    protected long nextTickNanos() {
        return 1_000_000_000L;
    }

    /** Called on the watcher's thread when {@link #nextTickNanos()} passed without work. */
    protected void tick() {
    }

    /** Hands {@code r} to the watcher's thread (from a signal handler or anywhere). */
    protected final void submit(Runnable r) {
        work.add(r);
    }

    /** True on the watcher's thread once {@link #close()} was called. */
    protected final boolean closed() {
        return closed;
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
                // The common case without the daemon: no need to load the bus library to learn that.
                unavailable("no system bus at " + address);
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
            public void disconnectOnError(IOException e) {
                lost.countDown();
                work.add(() -> { });
            }

            @Override
            public void exceptionOnTerminate(IOException e) {
                disconnectOnError(e);
            }
        };
        List<AutoCloseable> handlers = new ArrayList<>();
        try (DBusConnection bus = DBusConnectionBuilder.forAddress(address).withShared(false)
                .withDisconnectCallback(onDisconnect).build()) {
            subscribe(bus, handlers);
            firstReading.countDown();
            while (!closed && lost.getCount() > 0 && bus.isConnected()) {
                long wait = Math.max(1, Math.min(nextTickNanos(), 1_000_000_000L));
                Runnable r = work.poll(wait, TimeUnit.NANOSECONDS);
                if (r != null) {
                    r.run();
                } else {
                    tick();
                }
            }
            if (!closed) {
                unavailable("the system bus at " + address + " went away");
            }
        } catch (DBusException | DBusExecutionException | IOException e) {
            unavailable("no system bus at " + address + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } catch (RuntimeException e) {
            log.warn("watching the bus at {} failed", address, e);
            unavailable("watching the bus at " + address + " failed: " + e);
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
