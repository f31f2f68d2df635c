package org.jbits.conformance;

import java.nio.file.Path;
import java.util.Map;
import org.jbits.BitsManager;

/**
 * The backend the conformance suite runs against, chosen by the system property {@value #PROPERTY}
 * ({@code portable} by default, {@code native-wine} or {@code native-windows}). Its {@link #name()} is the name of
 * the report, {@code target/conformance/NAME.json}.
 */
public interface ConformanceBackend {
    /** The system property that selects the backend. */
    String PROPERTY = "jbits.conformance.backend";

    /** {@code portable}, {@code native-wine} or {@code native-windows}. */
    String name();

    /** The capabilities this backend lacks, each with the reason; empty when it has them all. */
    Map<Capability, String> missing();

    /** True when the backend has {@code capability}. */
    default boolean has(Capability capability) {
        return !missing().containsKey(capability);
    }

    /**
     * Opens a fresh manager for one case. {@code scratch} is an empty directory the backend may use (the portable
     * engine keeps its store there); the caller closes the manager and deletes the directory.
     */
    BitsManager open(Path scratch);

    /** The backend named by {@value #PROPERTY}. */
    static ConformanceBackend selected() {
        return forName(System.getProperty(PROPERTY, "portable").trim());
    }

    /** The backend with the given report name. */
    static ConformanceBackend forName(String name) {
        return switch (name) {
            case "portable" -> new PortableConformanceBackend();
            case NativeConformanceBackend.WINE -> NativeConformanceBackend.wine();
            case NativeConformanceBackend.WINDOWS -> NativeConformanceBackend.windows();
            default -> throw new IllegalArgumentException("unknown conformance backend '" + name
                    + "' (-D" + PROPERTY + "=portable|native-wine|native-windows)");
        };
    }
}
