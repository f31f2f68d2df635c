package org.jbits.bandwidth;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobPriority;

/**
 * How background jobs may use the network: a cap per background priority with its schedule
 * ({@code bandwidth.high}, {@code bandwidth.normal}, {@code bandwidth.low}, each a {@link BandwidthSchedule}), and
 * the idle-bandwidth controller's settings ({@code idle.*}). Foreground jobs are never capped or paced, as in BITS.
 * Read from the backend settings (the agent takes them from {@code jbits.conf}); a {@code -Djbits.KEY} property
 * counts when the settings do not have the key.
 *
 * @param caps the schedule of each background priority
 * @param idle whether High, Normal and Low jobs use only idle bandwidth ({@code idle.enabled}, default true)
 * @param controller the controller's tuning ({@code idle.targetMillis}, {@code idle.minRate})
 * @param probeIntervalNanos how often the HTTP path measures its latency on a keep-alive connection
 *     ({@code idle.probeMillis}, default 25; 0 turns the probe off)
 * @param receiveBuffer SO_RCVBUF of a paced connection before it connects ({@code idle.receiveBuffer}, bytes)
 * @param zone the time zone the schedules are read in (the system's)
 */
public record BandwidthPolicy(Map<JobPriority, BandwidthSchedule> caps, boolean idle, DelayController.Config controller,
                              long probeIntervalNanos, int receiveBuffer, ZoneId zone) {
    public static final String PREFIX = "bandwidth.";
    /** BITS' defaults: no caps, idle bandwidth only for background jobs. */
    public static final BandwidthPolicy DEFAULT = new BandwidthPolicy(Map.of(), true, DelayController.Config.DEFAULT,
            25_000_000L, 0, ZoneId.systemDefault());

    public BandwidthPolicy {
        caps = Map.copyOf(caps);
    }

    /** The policy in {@code settings}; E_INVALIDARG naming the key for a value it cannot read. */
    public static BandwidthPolicy from(Map<String, String> settings) {
        Map<JobPriority, BandwidthSchedule> caps = new EnumMap<>(JobPriority.class);
        for (JobPriority p : new JobPriority[]{JobPriority.HIGH, JobPriority.NORMAL, JobPriority.LOW}) {
            String key = PREFIX + p.name().toLowerCase(Locale.ROOT);
            String v = value(settings, key);
            if (v != null) {
                caps.put(p, BandwidthSchedule.parse(key, v));
            }
        }
        String fg = value(settings, PREFIX + "foreground");
        if (fg != null) {
            throw new BitsException(HResult.E_INVALIDARG, "bandwidth.foreground: Foreground jobs are never capped "
                    + "(BITS' bandwidth policy covers background jobs); cap high, normal or low");
        }
        boolean idle = flag(settings, "idle.enabled", true);
        DelayController.Config c = DelayController.Config.DEFAULT;
        String target = value(settings, "idle.targetMillis");
        if (target != null) {
            c = c.withTarget(Math.round(number(target, "idle.targetMillis", 0.1, 1000) * 1e6));
        }
        String min = value(settings, "idle.minRate");
        if (min != null) {
            double r = BandwidthSchedule.rate("idle.minRate", min, min.strip().toLowerCase(Locale.ROOT));
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new BitsException(HResult.E_INVALIDARG, "idle.minRate is '" + min + "': give a rate above 0 such as 160kbit");
            }
            c = c.withMinRate(r);
        }
        String probe = value(settings, "idle.probeMillis");
        long probeNanos = probe == null ? DEFAULT.probeIntervalNanos()
                : Math.round(number(probe, "idle.probeMillis", 0, 10_000) * 1e6);
        String buf = value(settings, "idle.receiveBuffer");
        int rcv = buf == null ? 0 : (int) number(buf, "idle.receiveBuffer", 0, 64 << 20);
        return new BandwidthPolicy(caps, idle, c, probeNanos, rcv, ZoneId.systemDefault());
    }

    /** This policy with schedules read in {@code zone}. */
    public BandwidthPolicy withZone(ZoneId zone) {
        return new BandwidthPolicy(caps, idle, controller, probeIntervalNanos, receiveBuffer, zone);
    }

    /** The cap of {@code priority} at {@code now}, bytes/s; {@link BandwidthSchedule#UNLIMITED} for Foreground. */
    public double capAt(JobPriority priority, Instant now) {
        BandwidthSchedule s = caps.get(priority);
        return s == null ? BandwidthSchedule.UNLIMITED : s.capAt(ZonedDateTime.ofInstant(now, zone));
    }

    /** The schedule of {@code priority}. */
    public BandwidthSchedule schedule(JobPriority priority) {
        return caps.getOrDefault(priority, BandwidthSchedule.NONE);
    }

    /** When the cap of {@code priority} next changes after {@code now}; null if never. */
    public Instant nextChange(JobPriority priority, Instant now) {
        BandwidthSchedule s = caps.get(priority);
        ZonedDateTime t = s == null ? null : s.nextChange(ZonedDateTime.ofInstant(now, zone));
        return t == null ? null : t.toInstant();
    }

    /** Whether jobs of {@code priority} are paced at all (idle control or a cap). */
    public boolean paces(JobPriority priority) {
        return priority != JobPriority.FOREGROUND && (idle || !schedule(priority).isUnlimited());
    }

    private static String value(Map<String, String> settings, String key) {
        String v = settings.get(key);
        if (v == null) {
            v = System.getProperty("jbits." + key);
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static boolean flag(Map<String, String> settings, String key, boolean dflt) {
        String v = value(settings, key);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BitsException(HResult.E_INVALIDARG, key + " is '" + v + "': give true or false");
        };
    }

    private static double number(String v, String key, double min, double max) {
        try {
            double d = Double.parseDouble(v);
            if (d >= min && d <= max) {
                return d;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new BitsException(HResult.E_INVALIDARG, key + " is '" + v + "': give a number from " + min + " to " + max);
    }
}
