package org.jbits.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jbits.engine.EngineClock;
import org.jbits.engine.EngineSettings;
import org.jbits.engine.PortableEngine;

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

    /**
     * How far below the bytes it holds the engine may resume a file in {@code dir}: it writes temporary files
     * with O_DIRECT where it can and resumes at a block boundary, so up to one block is fetched again.
     */
    public static long resumeSlack(Path dir) {
        try {
            return Math.max(512, java.nio.file.Files.getFileStore(dir).getBlockSize());
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return 1;
        }
    }

    /** Fails unless {@code rangeStart} is at {@code held} or less than one block below it. */
    public static void assertResumedAt(long held, long rangeStart, Path dir) {
        long slack = resumeSlack(dir);
        if (rangeStart > held || held - rangeStart >= slack) {
            throw new org.opentest4j.AssertionFailedError("resumed at byte " + rangeStart + " with " + held
                    + " bytes held; expected at most one block (" + slack + " bytes) below");
        }
    }

    /** A new engine on {@code stateDir} (close it). */
    public static PortableEngine open(Path stateDir, String... keyValues) {
        return new PortableEngine(stateDir, EngineSettings.from(settings(keyValues)), EngineClock.SYSTEM);
    }
}
