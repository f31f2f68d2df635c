package org.jbits;

import java.nio.file.Path;
import java.util.Map;

/**
 * How to open a {@link BitsManager}: which backend ({@code null} picks the best available), and the state
 * directory of the portable engine.
 *
 * @param backend {@code portable}, {@code native}, or null for automatic choice
 * @param stateDirectory where the portable engine keeps its job store
 * @param settings backend-specific tuning, as strings (see each backend's documentation)
 */
public record BitsOptions(String backend, Path stateDirectory, Map<String, String> settings) {
    /** The system property that forces a backend ({@code portable} or {@code native}). */
    public static final String BACKEND_PROPERTY = "jbits.backend";
    /** The environment variable that forces a backend. */
    public static final String BACKEND_ENV = "JBITS_BACKEND";

    public BitsOptions {
        settings = Map.copyOf(settings);
    }

    /** The backend from {@code -Djbits.backend}, else {@code JBITS_BACKEND}, else automatic; the default state directory. */
    public static BitsOptions defaults() {
        String backend = System.getProperty(BACKEND_PROPERTY);
        if (backend == null || backend.isBlank()) {
            backend = System.getenv(BACKEND_ENV);
        }
        return new BitsOptions(backend == null || backend.isBlank() ? null : backend, defaultStateDirectory(), Map.of());
    }

    /** The same options with another backend. */
    public BitsOptions withBackend(String name) {
        return new BitsOptions(name, stateDirectory, settings);
    }

    /** The same options with another state directory. */
    public BitsOptions withStateDirectory(Path dir) {
        return new BitsOptions(backend, dir, settings);
    }

    /** The same options with one more setting. */
    public BitsOptions with(String key, String value) {
        var m = new java.util.HashMap<>(settings);
        m.put(key, value);
        return new BitsOptions(backend, stateDirectory, m);
    }

    /**
     * {@code JBITS_HOME}, else {@code $XDG_STATE_HOME/jbits}, else {@code ~/.local/state/jbits}.
     */
    public static Path defaultStateDirectory() {
        String home = System.getenv("JBITS_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "jbits").toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "jbits");
    }
}
