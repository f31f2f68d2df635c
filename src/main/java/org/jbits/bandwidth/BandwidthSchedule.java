package org.jbits.bandwidth;

import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * A bandwidth cap that depends on the time of day (and optionally the day of the week), like BITS' group policy
 * "Limit the maximum network bandwidth for BITS background transfers" with its schedule. Written as
 *
 * <pre>  [DAYS] HH:MM-HH:MM RATE, [DAYS] HH:MM-HH:MM RATE, ..., otherwise RATE</pre>
 *
 * for example {@code 08:00-17:00 2mbit, otherwise unlimited} or {@code mon-fri 08:00-18:00 0, sat-sun 10:00-12:00
 * 500kbit}. The first window that contains the local time wins; {@code otherwise} (default {@code unlimited}) holds
 * outside every window. A window's end is exclusive, {@code 24:00} is midnight at its end, and a window whose end
 * is before its start runs past midnight (its days are the days it starts on). DAYS is one day or a range
 * ({@code mon}, {@code mon-fri}, {@code fri-mon}). RATE is {@code unlimited}, {@code 0} (no transfers: background
 * jobs wait with BG_E_BLOCKED_BY_POLICY) or a number with tc's units: {@code bit kbit mbit gbit} are bits per
 * second, {@code bps kbps mbps gbps} bytes per second, all powers of 1000. A rate of just {@code RATE} is all day.
 */
public final class BandwidthSchedule {
    /** No cap. */
    public static final double UNLIMITED = Double.POSITIVE_INFINITY;
    public static final BandwidthSchedule NONE = new BandwidthSchedule(List.of(), UNLIMITED, "unlimited");

    private static final Pattern WINDOW = Pattern.compile(
            "(?:([a-z]{3})(?:-([a-z]{3}))?\\s+)?(\\d{1,2}):(\\d{2})\\s*-\\s*(\\d{1,2}):(\\d{2})\\s+(\\S+)");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)");
    private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    /** One window: minutes of the day [start, end), on the days whose bit is set (bit 0 Monday). */
    private record Window(int days, int start, int end, double rate) {
        boolean contains(ZonedDateTime t) {
            int m = t.getHour() * 60 + t.getMinute();
            int today = 1 << (t.getDayOfWeek().getValue() - 1);
            int yesterday = 1 << (t.getDayOfWeek().minus(1).getValue() - 1);
            if (start < end) {
                return (days & today) != 0 && m >= start && m < end;
            }
            return ((days & today) != 0 && m >= start) || ((days & yesterday) != 0 && m < end);
        }
    }

    private final List<Window> windows;
    private final double otherwise;
    private final String text;

    private BandwidthSchedule(List<Window> windows, double otherwise, String text) {
        this.windows = List.copyOf(windows);
        this.otherwise = otherwise;
        this.text = text;
    }

    /** Parses {@code text} (see the class); E_INVALIDARG naming {@code key} and what is wrong otherwise. */
    public static BandwidthSchedule parse(String key, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw bad(key, text, "it is empty");
        }
        List<Window> windows = new ArrayList<>();
        double otherwise = UNLIMITED;
        boolean sawOtherwise = false;
        for (String part : t.split(",")) {
            String p = part.strip();
            if (sawOtherwise) {
                throw bad(key, text, "'otherwise' must come last");
            }
            Matcher m = WINDOW.matcher(p);
            if (m.matches()) {
                int days = days(key, text, m.group(1), m.group(2));
                int start = minutes(key, text, m.group(3), m.group(4));
                int end = minutes(key, text, m.group(5), m.group(6));
                if (start == end || start == 24 * 60) {
                    throw bad(key, text, "the window " + p + " is empty");
                }
                windows.add(new Window(days, start, end, rate(key, text, m.group(7))));
            } else if (p.startsWith("otherwise ")) {
                otherwise = rate(key, text, p.substring("otherwise ".length()).strip());
                sawOtherwise = true;
            } else if (!p.contains(" ") && !p.contains(":")) {
                if (!windows.isEmpty()) {
                    throw bad(key, text, "a rate without a window ('" + p + "') must be the only entry; "
                            + "write 'otherwise " + p + "'");
                }
                otherwise = rate(key, text, p);
                sawOtherwise = true;
            } else {
                throw bad(key, text, "'" + p + "' is neither [DAYS] HH:MM-HH:MM RATE nor otherwise RATE");
            }
        }
        return new BandwidthSchedule(windows, otherwise, text.strip());
    }

    private static int days(String key, String text, String from, String to) {
        if (from == null) {
            return 0x7f;
        }
        int a = DAYS.indexOf(from);
        int b = to == null ? a : DAYS.indexOf(to);
        if (a < 0 || b < 0) {
            throw bad(key, text, "'" + (a < 0 ? from : to) + "' is not a day (mon tue wed thu fri sat sun)");
        }
        int mask = 0;
        for (int d = a; ; d = (d + 1) % 7) {
            mask |= 1 << d;
            if (d == b) {
                return mask;
            }
        }
    }

    private static int minutes(String key, String text, String h, String m) {
        int hh = Integer.parseInt(h);
        int mm = Integer.parseInt(m);
        if (hh > 24 || mm > 59 || (hh == 24 && mm != 0)) {
            throw bad(key, text, h + ":" + m + " is not a time of day (00:00 to 24:00)");
        }
        return hh * 60 + mm;
    }

    /** A rate in bytes per second: {@code unlimited}, {@code 0}, or a number with a tc unit. */
    static double rate(String key, String text, String r) {
        if (r.equals("unlimited")) {
            return UNLIMITED;
        }
        Matcher m = RATE.matcher(r);
        if (!m.matches()) {
            throw bad(key, text, "'" + r + "' is not a rate (unlimited, 0, or a number with bit kbit mbit gbit "
                    + "bps kbps mbps gbps)");
        }
        double v = Double.parseDouble(m.group(1));
        double bytes = switch (m.group(2)) {
            case "bit" -> v / 8;
            case "kbit" -> v * 1e3 / 8;
            case "mbit" -> v * 1e6 / 8;
            case "gbit" -> v * 1e9 / 8;
            case "bps" -> v;
            case "kbps" -> v * 1e3;
            case "mbps" -> v * 1e6;
            case "gbps" -> v * 1e9;
            case "" -> {
                if (v != 0) {
                    throw bad(key, text, "'" + r + "' has no unit (bit kbit mbit gbit bps kbps mbps gbps)");
                }
                yield 0;
            }
            default -> throw bad(key, text, "'" + m.group(2) + "' is not a unit (bit kbit mbit gbit bps kbps mbps gbps)");
        };
        return bytes;
    }

    private static BitsException bad(String key, String text, String why) {
        return new BitsException(HResult.E_INVALIDARG, key + " is '" + text.strip() + "': " + why
                + " (write [DAYS] HH:MM-HH:MM RATE, ..., otherwise RATE, e.g. 08:00-17:00 2mbit, otherwise unlimited)");
    }

    /** The cap at local time {@code t}, bytes per second: {@link #UNLIMITED}, 0, or a rate. */
    public double capAt(ZonedDateTime t) {
        for (Window w : windows) {
            if (w.contains(t)) {
                return w.rate();
            }
        }
        return otherwise;
    }

    /** The next minute after {@code t} at which the cap changes, or null when it never does. */
    public ZonedDateTime nextChange(ZonedDateTime t) {
        if (windows.isEmpty()) {
            return null;
        }
        double now = capAt(t);
        ZonedDateTime m = t.truncatedTo(ChronoUnit.MINUTES);
        // Every boundary is on a minute: look minute by minute over a week (10,080 steps at most).
        for (int i = 1; i <= 7 * 24 * 60; i++) {
            ZonedDateTime next = m.plusMinutes(i);
            if (Double.compare(capAt(next), now) != 0) {
                return next;
            }
        }
        return null;
    }

    /** True when the schedule never caps. */
    public boolean isUnlimited() {
        return otherwise == UNLIMITED && windows.stream().allMatch(w -> w.rate() == UNLIMITED);
    }

    @Override
    public String toString() {
        return text;
    }
}
