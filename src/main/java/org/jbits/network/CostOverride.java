package org.jbits.network;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Consumer;
import org.jbits.BitsException;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.HResult;
import org.jbits.NetworkStatus;
import org.jbits.event.Listeners;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An administrator's override over a detector: while it is set, it is the cost (source {@link CostSource#OVERRIDE},
 * with what detection says beneath it); cleared, the detector's reading is. It is kept in {@value #FILE} in the
 * state directory, a 0600 file of two lines ({@code cost=Roaming}, {@code since=ISO-8601}), written to a temporary
 * file, forced and renamed into place, so that a crash leaves the old override or the new one; cleared, the file
 * is removed. A file, not the job store: the override is the agent's setting, not a job's, it must be readable
 * before the store is opened and by an administrator with {@code cat}, and it keeps the store's schema (and its
 * migrations) out of it. A file that cannot be read fails the engine's start rather than be ignored: ignoring it
 * could start a NotRoaming job on a network an administrator said is roaming.
 */
public final class CostOverride implements NetworkCost {
    private static final Logger log = LoggerFactory.getLogger(CostOverride.class);
    /** The override's file name in the state directory. */
    public static final String FILE = "network-override";

    private final NetworkCost detector;
    private final Path file;
    private final Clock clock;
    private final Listeners<NetworkStatus> listeners = new Listeners<>("network cost");
    private final Consumer<NetworkStatus> relay = this::detectorChanged;
    /** Guarded by this. */
    private CostState override;
    /** Guarded by this. */
    private Instant since;

    private CostOverride(NetworkCost detector, Path file, Clock clock) {
        this.detector = detector;
        this.file = file;
        this.clock = clock;
    }

    /** The override kept in {@code stateDir} (if any) over {@code detector}; E_INVALIDARG for an unreadable file. */
    public static CostOverride open(NetworkCost detector, Path stateDir, Clock clock) {
        CostOverride c = new CostOverride(detector, stateDir.resolve(FILE), clock);
        c.load();
        detector.addListener(c.relay);
        return c;
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        CostState cost = null;
        Instant at = null;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                int eq = l.indexOf('=');
                String key = eq < 0 ? l : l.substring(0, eq).strip();
                String value = eq < 0 ? "" : l.substring(eq + 1).strip();
                switch (key) {
                    case "cost" -> cost = parse(value);
                    case "since" -> at = Instant.parse(value);
                    default -> throw new IllegalArgumentException("unknown key '" + key + "'");
                }
            }
            if (cost == null) {
                throw new IllegalArgumentException("no 'cost=' line");
            }
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            throw new BitsException(HResult.E_INVALIDARG, "the network cost override " + file + " cannot be read ("
                    + e.getMessage() + "); fix it (cost=Roaming, since=2026-01-01T00:00:00Z) or delete it");
        }
        override = cost;
        since = at != null ? at : clock.instant();
        log.info("network cost override {} (since {}) from {}", cost.displayName(), since, file);
    }

    private static CostState parse(String value) {
        for (CostState c : CostState.values()) {
            if (c.displayName().equalsIgnoreCase(value) || c.name().equalsIgnoreCase(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown cost state '" + value + "'");
    }

    /** Sets the override ({@code null}: back to detection), kept on disk before it takes effect. */
    public NetworkStatus set(CostState cost) {
        NetworkStatus now;
        synchronized (this) {
            if (cost == override) {
                return current();
            }
            Instant at = clock.instant();
            try {
                if (cost == null) {
                    Files.deleteIfExists(file);
                } else {
                    write(List.of("cost=" + cost.displayName(), "since=" + at));
                }
            } catch (IOException e) {
                throw new BitsException(HResult.E_FAIL, "cannot keep the network cost override in " + file + ": "
                        + e.getMessage(), e);
            }
            override = cost;
            since = at;
            now = current();
        }
        log.info("network cost override {}", cost == null ? "cleared: back to detection" : "set to " + cost.displayName());
        listeners.fire(now);
        return now;
    }

    private void write(List<String> lines) throws IOException {
        Path tmp = file.resolveSibling("." + FILE + ".tmp");
        Files.deleteIfExists(tmp);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be forced; the rename itself is atomic
        }
    }

    /** The override when set, else the detector's reading. */
    @Override
    public synchronized NetworkStatus current() {
        NetworkStatus detected = detector.current();
        if (override == null) {
            return detected;
        }
        return new NetworkStatus(override, CostSource.OVERRIDE, since, "set by an administrator (kept in " + file
                + ")", detected);
    }

    /** The override, or null. */
    public synchronized CostState override() {
        return override;
    }

    private void detectorChanged(NetworkStatus s) {
        listeners.fire(current());
    }

    @Override
    public void addListener(Consumer<NetworkStatus> listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(Consumer<NetworkStatus> listener) {
        listeners.remove(listener);
    }

    /** Closes the detector too. */
    @Override
    public void close() {
        detector.removeListener(relay);
        detector.close();
    }
}
