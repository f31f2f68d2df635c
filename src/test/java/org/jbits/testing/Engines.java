package org.jbits.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jbits.engine.EngineClock;
import org.jbits.engine.EngineSettings;
import org.jbits.engine.PortableEngine;
import org.jbits.transport.Transports;

/** Portable engines for tests: frequent checkpoints and short network timeouts, on the real clock. */
public final class Engines {
    private Engines() {
    }

    /** The test defaults, overridden by {@code keyValues} ({@code "engine.timeSliceMillis", "2000", ...}). */
    public static Map<String, String> settings(String... keyValues) {
        Map<String, String> m = new HashMap<>(Map.of(
                "engine.checkpointBytes", String.valueOf(256 * 1024),
                "engine.checkpointMillis", "200",
                "http.connectTimeoutMillis", "5000",
                "http.readTimeoutMillis", "10000"));
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return Map.copyOf(m);
    }

    /** Fails unless the engine resumed exactly at the bytes it held (an odd offset included). */
    public static void assertResumedAt(long held, long rangeStart, Path dir) {
        if (rangeStart != held) {
            throw new org.opentest4j.AssertionFailedError("resumed at byte " + rangeStart + " with " + held
                    + " bytes held in " + dir);
        }
    }

    /** A new engine on {@code stateDir} (close it). */
    public static PortableEngine open(Path stateDir, String... keyValues) {
        return open(stateDir, EngineClock.SYSTEM, keyValues);
    }

    /** A new engine on {@code stateDir} with {@code clock} and the standard transports (close it). */
    public static PortableEngine open(Path stateDir, EngineClock clock, String... keyValues) {
        EngineSettings s = EngineSettings.from(settings(keyValues));
        return new PortableEngine(stateDir, s, clock, Transports.standard(s.connectTimeoutMillis(), s.readTimeoutMillis()));
    }
}
