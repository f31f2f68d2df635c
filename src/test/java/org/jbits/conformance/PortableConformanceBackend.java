package org.jbits.conformance;

import java.nio.file.Path;
import java.util.Map;
import org.jbits.BitsManager;
import org.jbits.BitsOptions;

/** The portable engine in this JVM, on a state directory of its own per case. It lacks no capability. */
final class PortableConformanceBackend implements ConformanceBackend {
    /** Short network timeouts: a case that hangs should fail in seconds, not after the 60 s default. */
    private static final Map<String, String> SETTINGS = Map.of(
            "http.connectTimeoutMillis", "5000",
            "http.readTimeoutMillis", "5000");

    @Override
    public String name() {
        return "portable";
    }

    @Override
    public Map<Capability, String> missing() {
        return Map.of();
    }

    @Override
    public BitsManager open(Path scratch) {
        return BitsManager.open(new BitsOptions("portable", scratch.resolve("state"), SETTINGS));
    }
}
