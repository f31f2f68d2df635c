package org.jbits.network;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jbits.NetworkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of a {@link NetworkCost}: a failing listener is logged and does not stop the others. */
final class CostListeners {
    private static final Logger log = LoggerFactory.getLogger(CostListeners.class);
    private final List<Consumer<NetworkStatus>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<NetworkStatus> l) {
        listeners.add(l);
    }

    void remove(Consumer<NetworkStatus> l) {
        listeners.remove(l);
    }

    void fire(NetworkStatus status) {
        for (Consumer<NetworkStatus> l : listeners) {
            try {
                l.accept(status);
            } catch (RuntimeException e) {
                log.error("a network cost listener failed", e);
            }
        }
    }
}
