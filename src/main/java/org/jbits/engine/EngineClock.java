package org.jbits.engine;

import java.time.Instant;

/**
 * Time as the engine sees it: a monotonic clock for delays and slices (immune to wall-clock changes, as BITS'
 * timers are) and the wall clock for the times a job reports. Injected so tests drive time.
 */
public interface EngineClock {
    /** Monotonic nanoseconds. */
    long nanoTime();

    /** The wall-clock time. */
    Instant now();

    /** The real clocks. */
    EngineClock SYSTEM = new EngineClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }
    };
}
