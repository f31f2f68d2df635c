package org.jbits.cli;

import java.util.ArrayDeque;

/**
 * One line of progress that fits the terminal: percentage, bar, bytes, rate, ETA and state, in {@code width - 1}
 * columns (the last column is left free, so that no terminal wraps the line). What does not fit goes, least useful
 * first: the bar shrinks to nothing, then the rate, then the ETA, then the byte counts; a name (the monitor's) is
 * clipped last. The rate is the average over the last {@link #WINDOW_NANOS} of samples, the ETA what is left at
 * that rate.
 */
final class ProgressLine {
    static final long WINDOW_NANOS = 5_000_000_000L;
    private static final int MAX_BAR = 30;

    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    /** Records that {@code bytes} were done at {@code nanos}. */
    void sample(long nanos, long bytes) {
        if (!samples.isEmpty() && samples.peekLast()[1] > bytes) {
            samples.clear(); // started over (dynamic content, a changed file)
        }
        samples.addLast(new long[]{nanos, bytes});
        while (samples.size() > 2 && nanos - samples.peekFirst()[0] > WINDOW_NANOS) {
            samples.removeFirst();
        }
    }

    /** Bytes per second over the window, or -1 before two samples a little apart. */
    double rate() {
        if (samples.size() < 2) {
            return -1;
        }
        long[] a = samples.peekFirst();
        long[] b = samples.peekLast();
        long dt = b[0] - a[0];
        if (dt < 200_000_000L) {
            return -1;
        }
        return (b[1] - a[1]) * 1e9 / dt;
    }

    /** Seconds left at {@code rate}, or -1 when unknown. */
    static long eta(long done, long total, double rate) {
        if (total < 0 || rate <= 0) {
            return -1;
        }
        double s = (total - done) / rate;
        return s > 99L * 86_400 ? -1 : (long) Math.ceil(s);
    }

    /** "0:42", "12:05", "3:04:05", or "--:--" when unknown. */
    static String duration(long seconds) {
        if (seconds < 0) {
            return "--:--";
        }
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        String ms = (h > 0 && m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
        return h > 0 ? h + ":" + ms : ms;
    }

    /**
     * The line, at most {@code width - 1} characters (at least 1).
     *
     * @param name shown first when not null (clipped before anything else goes)
     */
    static String render(int width, String name, long done, long total, double rate, String state) {
        return render(width, name, done, total, rate, state, RATE_ETA_BYTES);
    }

    /** Drop the rate first, then the ETA, then the byte counts (a single progress line). */
    static final int[] RATE_ETA_BYTES = {0, 1, 2};
    /** Drop the byte counts first, then the rate, then the ETA (the monitor's lines, where a name takes room). */
    static final int[] BYTES_RATE_ETA = {2, 0, 1};

    /** The line, parts dropped in {@code dropOrder} (indexes of rate 0, ETA 1, bytes 2) until it fits. */
    static String render(int width, String name, long done, long total, double rate, String state, int[] dropOrder) {
        int room = Math.max(1, width - 1);
        String pct = total > 0 ? pad(Math.min(100, done * 100 / total) + "%", 4) : "   ?";
        String bytes = Output.bytes(done) + " / " + Output.total(total);
        String speed = rate >= 0 ? Output.bytes((long) rate) + "/s" : "";
        long eta = eta(done, total, rate);
        String etaText = total >= 0 && done < total ? "ETA " + duration(eta) : "";
        String st = state;
        String prefix = name == null ? "" : name + "  ";
        // Drop parts until the fixed text fits with at least no bar.
        String[] optional = {speed, etaText, bytes};
        String fixed = join(prefix, pct, "", optional, st);
        int dropped = 0;
        while (fixed.length() > room && dropped < optional.length) {
            optional[dropOrder[dropped]] = "";
            dropped++;
            fixed = join(prefix, pct, "", optional, st);
        }
        if (fixed.length() > room && !prefix.isEmpty()) {
            int keep = prefix.length() - (fixed.length() - room) - 2;
            prefix = keep >= 4 ? Output.clip(name, keep) + "  " : "";
            fixed = join(prefix, pct, "", optional, st);
        }
        // The bar only when every other part fits, and goes first.
        int barWidth = dropped > 0 ? 0 : Math.min(MAX_BAR, room - fixed.length() - 3);
        String line;
        if (barWidth >= 5) {
            int fill = total > 0 ? (int) Math.min(barWidth, done * barWidth / total) : 0;
            String bar = "[" + "=".repeat(fill) + " ".repeat(barWidth - fill) + "]";
            line = join(prefix, pct, bar, optional, st);
        } else {
            line = fixed;
        }
        return line.length() > room ? line.substring(0, room) : line;
    }

    private static String join(String prefix, String pct, String bar, String[] optional, String state) {
        StringBuilder b = new StringBuilder(prefix).append(pct);
        if (!bar.isEmpty()) {
            b.append(' ').append(bar);
        }
        // Order on the line: bytes, rate, ETA, state.
        for (String part : new String[]{optional[2], optional[0], optional[1]}) {
            if (!part.isEmpty()) {
                b.append("  ").append(part);
            }
        }
        return b.append("  ").append(state).toString();
    }

    private static String pad(String s, int n) {
        return s.length() >= n ? s : " ".repeat(n - s.length()) + s;
    }
}
