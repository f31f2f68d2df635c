package org.jbits.event;

import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * The latest reading of something a watcher follows (a network's cost, the power supply) and its listeners: a new
 * reading that is the same as the last ({@code same}) changes nothing, not even the time it was taken; a different one
 * is announced (logged) and told to the listeners.
 */
public final class Latest<T> {
    private final Listeners<T> listeners;
    private final BiPredicate<T, T> same;
    private final Consumer<T> announce;
    private volatile T value;

    public Latest(String what, T initial, BiPredicate<T, T> same, Consumer<T> announce) {
        this.listeners = new Listeners<>(what);
        this.same = same;
        this.announce = announce;
        this.value = initial;
    }

    public T get() {
        return value;
    }

    /** Takes {@code next} unless it is the same as the latest; whether it was taken (and told). */
    public boolean set(T next) {
        if (same.test(next, value)) {
            return false;
        }
        value = next;
        announce.accept(next);
        listeners.fire(next);
        return true;
    }

    public void addListener(Consumer<T> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<T> listener) {
        listeners.remove(listener);
    }
}
