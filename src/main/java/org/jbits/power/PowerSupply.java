package org.jbits.power;

import java.time.Instant;
import java.util.function.Consumer;

/**
 * Where the machine's power comes from now, with listeners told of each change; the engine pauses background jobs
 * on battery with it (BITS does in battery saver). Implementations: {@link UPowerBattery} (the system D-Bus) and
 * {@link #none}.
 */
public interface PowerSupply extends AutoCloseable {
    /** The power now; never blocks. */
    PowerStatus current();

    /** Calls {@code listener} with the new status after each change, on the detector's own thread. */
    void addListener(Consumer<PowerStatus> listener);

    /** Stops telling {@code listener}. */
    void removeListener(Consumer<PowerStatus> listener);

    /** Stops watching. */
    @Override
    void close();

    /** Nothing to ask: taken as mains power; {@code why} says so. */
    static PowerSupply none(String why, Instant since) {
        PowerStatus s = new PowerStatus(false, false, since, why);
        return new PowerSupply() {
            @Override
            public PowerStatus current() {
                return s;
            }

            @Override
            public void addListener(Consumer<PowerStatus> listener) {
                // never changes
            }

            @Override
            public void removeListener(Consumer<PowerStatus> listener) {
                // never changes
            }

            @Override
            public void close() {
                // nothing to stop
            }
        };
    }
}
