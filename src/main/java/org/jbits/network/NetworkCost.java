package org.jbits.network;

import java.time.Instant;
import java.util.function.Consumer;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.NetworkStatus;

/**
 * What the network costs now: a {@link CostState}, its source, when it last changed, and listeners told of each
 * change. The engine's scheduler asks {@link #current()} at every look and is woken by a listener, so a change takes
 * effect within one look. Implementations: {@link NetworkManagerCost} (the system D-Bus), {@link #none} (nothing to
 * ask), and {@link CostOverride} over either.
 */
public interface NetworkCost extends AutoCloseable {
    /** The cost now; never blocks (a detector answers from what it last learned). */
    NetworkStatus current();

    /** Calls {@code listener} with the new status after each change, on the detector's own thread. */
    void addListener(Consumer<NetworkStatus> listener);

    /** Stops telling {@code listener}. */
    void removeListener(Consumer<NetworkStatus> listener);

    /** Stops watching (closes a bus connection, ends threads). */
    @Override
    void close();

    /** Nothing to ask: the cost is unknown, which BITS treats as unrestricted; {@code why} says so. */
    static NetworkCost none(String why, Instant since) {
        NetworkStatus s = new NetworkStatus(CostState.UNRESTRICTED, CostSource.NONE, since, why);
        return new NetworkCost() {
            @Override
            public NetworkStatus current() {
                return s;
            }

            @Override
            public void addListener(Consumer<NetworkStatus> listener) {
                // never changes
            }

            @Override
            public void removeListener(Consumer<NetworkStatus> listener) {
                // never changes
            }

            @Override
            public void close() {
                // nothing to stop
            }
        };
    }
}
