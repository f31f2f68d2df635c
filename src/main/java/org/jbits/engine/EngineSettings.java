package org.jbits.engine;

import java.util.Map;

/**
 * Tuning of the portable engine, read from {@link org.jbits.BitsOptions#settings()}.
 *
 * @param timeSliceMillis how long a background job runs before another of the same priority gets its turn
 * @param checkpointBytes at most this many bytes are written between two checkpoints (and so re-fetched after a crash)
 * @param checkpointMillis at most this long passes between two checkpoints of a transferring file
 * @param connectTimeoutMillis HTTP connect timeout
 * @param readTimeoutMillis HTTP read timeout: a silent server is a transient error after this
 * @param maxFilesPerJob BITS' MaxFilesPerJob
 */
public record EngineSettings(long timeSliceMillis, long checkpointBytes, long checkpointMillis,
                             long connectTimeoutMillis, long readTimeoutMillis, int maxFilesPerJob) {

    /** The defaults, overridden by {@code engine.*} and {@code http.*} keys in {@code settings}. */
    public static EngineSettings from(Map<String, String> settings) {
        return new EngineSettings(
                get(settings, "engine.timeSliceMillis", 30_000),
                get(settings, "engine.checkpointBytes", 4L << 20),
                get(settings, "engine.checkpointMillis", 1_000),
                get(settings, "http.connectTimeoutMillis", 30_000),
                get(settings, "http.readTimeoutMillis", 60_000),
                (int) get(settings, "engine.maxFilesPerJob", 200));
    }

    private static long get(Map<String, String> settings, String key, long dflt) {
        String v = settings.get(key);
        if (v == null) {
            v = System.getProperty("jbits." + key);
        }
        return v == null ? dflt : Long.parseLong(v.trim());
    }
}
