package org.jbits.engine;

import java.util.Locale;
import java.util.Map;

/**
 * Tuning of the portable engine, read from {@link org.jbits.BitsOptions#settings()}.
 *
 * @param timeSliceMillis how long a background job runs before another of the same priority gets its turn
 * @param checkpointBytes at most this many bytes are written past what the store records (a checkpoint or a
 *     checksummed range, see {@link Segments}), and so re-fetched after the agent is killed
 * @param checkpointMillis at most this long passes between two checkpoints (bytes forced to disk, then recorded)
 *     of a transferring file
 * @param syncBytes at most this many bytes are written between two checkpoints, which bounds what is read back
 *     to be verified after a crash
 * @param connectTimeoutMillis HTTP connect timeout
 * @param readTimeoutMillis HTTP read timeout: a silent server is a transient error after this
 * @param maxFilesPerJob BITS' MaxFilesPerJob
 * @param directIo write block-aligned runs of a download straight to the disk ({@code O_DIRECT}) where the file
 *     system allows it (see {@link TempFileWriter}); {@code false} writes everything through the page cache
 */
public record EngineSettings(long timeSliceMillis, long checkpointBytes, long checkpointMillis, long syncBytes,
                             long connectTimeoutMillis, long readTimeoutMillis, int maxFilesPerJob, boolean directIo) {

    /** The defaults, overridden by {@code engine.*} and {@code http.*} keys in {@code settings}. */
    public static EngineSettings from(Map<String, String> settings) {
        return new EngineSettings(
                get(settings, "engine.timeSliceMillis", 30_000),
                get(settings, "engine.checkpointBytes", 4L << 20),
                get(settings, "engine.checkpointMillis", 1_000),
                get(settings, "engine.syncBytes", 64L << 20),
                get(settings, "http.connectTimeoutMillis", 30_000),
                get(settings, "http.readTimeoutMillis", 60_000),
                (int) get(settings, "engine.maxFilesPerJob", 200),
                flag(settings, "engine.directIo", true));
    }

    private static long get(Map<String, String> settings, String key, long dflt) {
        String v = value(settings, key);
        return v == null ? dflt : Long.parseLong(v.trim());
    }

    /** {@code true} or {@code false}; anything else is refused, as an unparseable number is. */
    private static boolean flag(Map<String, String> settings, String key, boolean dflt) {
        String v = value(settings, key);
        if (v == null) {
            return dflt;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
        };
    }

    private static String value(Map<String, String> settings, String key) {
        String v = settings.get(key);
        return v != null ? v.trim() : System.getProperty("jbits." + key);
    }
}
