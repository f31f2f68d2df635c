package org.jbits.agent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Trouble told once per kind per period: the first time at once, then how many more times it happened. A flood of
 * 3,000 connections must not write 3,000 log lines (or fill the disk), but each kind of trouble is seen when it
 * starts. Used by one thread.
 */
final class RateLimitedLog {
    private static final int MAX_KINDS = 100;

    private final Logger log;
    private final long periodNanos;
    private final int periodSeconds;
    private final Map<String, int[]> repeats = new LinkedHashMap<>();
    private long lastFlush = System.nanoTime();

    RateLimitedLog(Logger log, int periodSeconds) {
        this.log = log;
        this.periodSeconds = periodSeconds;
        this.periodNanos = TimeUnit.SECONDS.toNanos(periodSeconds);
    }

    /** Logs {@code what} (with {@code t}, if not null) unless it was logged in this period; then counts it. */
    void note(String what, Throwable t) {
        int[] n = repeats.get(what);
        if (n != null) {
            n[0]++;
            return;
        }
        if (repeats.size() < MAX_KINDS) {
            repeats.put(what, new int[]{0});
        }
        if (t != null) {
            log.error(what, t);
        } else {
            log.warn(what);
        }
    }

    /** At the end of a period, logs how often each kind came back, and starts a new period. */
    void flush(long now) {
        if (now - lastFlush < periodNanos) {
            return;
        }
        lastFlush = now;
        repeats.forEach((what, n) -> {
            if (n[0] > 0) {
                log.warn("{} ({} more times in {} s)", what, n[0], periodSeconds);
            }
        });
        repeats.clear();
    }
}
