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
 * @param maxFilesPerJob BITS' MaxFilesPerJob group policy ({@code engine.maxFilesPerJob}, default 200):
 *     BG_E_TOO_MANY_FILES_IN_JOB past it
 * @param directIo write block-aligned runs of a download straight to the disk ({@code O_DIRECT}) where the file
 *     system allows it (see {@link TempFileWriter}); {@code false} writes everything through the page cache
 * @param maxJobsPerUser BITS' MaxJobsPerUser ({@code engine.maxJobsPerUser}, default 60): the jobs this engine's
 *     user may have that are not Acknowledged or Cancelled; BG_E_TOO_MANY_JOBS_PER_USER past it. As BITS exempts
 *     administrators and services, root is not held to it unless {@code maxJobsPerUserAppliesToRoot}
 * @param maxJobsPerUserAppliesToRoot {@code engine.maxJobsPerUserAppliesToRoot} (default {@code false}): hold root's
 *     engine to MaxJobsPerUser as well
 * @param maxRangesPerFile BITS' MaxRangesPerFile ({@code engine.maxRangesPerFile}, default 500)
 * @param jobInactivityTimeoutSeconds BITS' JobInactivityTimeout ({@code engine.jobInactivityTimeoutDays}, default
 *     90 days, 1 to 999 as the policy allows): a job neither changed nor making progress for this long is cancelled
 *     and its temporary files deleted
 * @param maxDownloadTimeSeconds BITS' MaxDownloadTime ({@code engine.maxDownloadTime}, seconds, default 7,776,000):
 *     the maximum download time a new job starts with
 */
public record EngineSettings(long timeSliceMillis, long checkpointBytes, long checkpointMillis, long syncBytes,
                             long connectTimeoutMillis, long readTimeoutMillis, int maxFilesPerJob, boolean directIo,
                             int maxJobsPerUser, int maxRangesPerFile, long jobInactivityTimeoutSeconds,
                             long maxDownloadTimeSeconds, boolean maxJobsPerUserAppliesToRoot) {

    /** The defaults, overridden by {@code engine.*} and {@code http.*} keys in {@code settings}. */
    public static EngineSettings from(Map<String, String> settings) {
        return new EngineSettings(
                get(settings, "engine.timeSliceMillis", 30_000),
                get(settings, "engine.checkpointBytes", 4L << 20),
                get(settings, "engine.checkpointMillis", 1_000),
                get(settings, "engine.syncBytes", 64L << 20),
                get(settings, "http.connectTimeoutMillis", 30_000),
                get(settings, "http.readTimeoutMillis", 60_000),
                (int) range(settings, "engine.maxFilesPerJob", 200, 1, Integer.MAX_VALUE),
                flag(settings, "engine.directIo", true),
                (int) range(settings, "engine.maxJobsPerUser", 60, 1, Integer.MAX_VALUE),
                (int) range(settings, "engine.maxRangesPerFile", 500, 1, Integer.MAX_VALUE),
                range(settings, "engine.jobInactivityTimeoutDays", 90, 1, 999) * 86_400L,
                range(settings, "engine.maxDownloadTime", 7_776_000, 0, org.jbits.BitsLimits.MAX_ULONG),
                flag(settings, "engine.maxJobsPerUserAppliesToRoot", false));
    }

    /** Whether {@code owner}'s engine is held to MaxJobsPerUser: everyone but root, and root too when set so. */
    public boolean maxJobsPerUserApplies(EngineOwner owner) {
        return !owner.administrator() || maxJobsPerUserAppliesToRoot;
    }

    /** A whole number from {@code min} to {@code max}; anything else is refused with the key's name. */
    private static long range(Map<String, String> settings, String key, long dflt, long min, long max) {
        long v;
        try {
            v = get(settings, key, dflt);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + value(settings, key) + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + " must be " + min + " to " + max + ", not " + v);
        }
        return v;
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
