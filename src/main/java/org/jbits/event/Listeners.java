package org.jbits.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Who wants to hear of a change: a listener that fails is logged and does not stop the others. */
public final class Listeners<T> {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private final String what;
    private final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();

    /** {@code what} names the change in the log ("network cost", "power"). */
    public Listeners(String what) {
        this.what = what;
    }

    public void add(Consumer<T> listener) {
        listeners.add(listener);
    }

    public void remove(Consumer<T> listener) {
        listeners.remove(listener);
    }

    /** Tells every listener, on the caller's thread. */
    public void fire(T value) {
        for (Consumer<T> l : listeners) {
            try {
                l.accept(value);
            } catch (RuntimeException e) {
                log.error("a {} listener failed", what, e);
            }
        }
    }
}
