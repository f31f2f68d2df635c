package org.jbits.spi;

import org.jbits.BitsManager;
import org.jbits.BitsOptions;

/**
 * A backend that {@link BitsManager#open(BitsOptions)} can pick, found through {@link java.util.ServiceLoader}.
 * Keeps the public API free of references to its implementations.
 */
public interface BackendProvider {
    /** The name users select it by. */
    String name();

    /** True when it can run on this machine. */
    boolean isAvailable();

    /** Higher wins the automatic choice among available backends. */
    int preference();

    /** Opens the backend. */
    BitsManager open(BitsOptions options);
}
