package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.jbits.BitsOptions;
import org.junit.jupiter.api.Test;

/** Which backends the CLI reaches through the agent and which it runs in its own process. */
class ConnectionModeTest {
    private static BitsOptions backend(String name) {
        return new BitsOptions(name, Path.of("/tmp/jbits-test"), Map.of());
    }

    @Test
    void nativeRunsInProcessWithNoAgent() {
        assertEquals(true, Connection.runsInProcess(backend("native")));
    }

    @Test
    void portableAlwaysGoesThroughTheAgent() {
        assertEquals(false, Connection.runsInProcess(backend("portable")));
    }

    @Test
    void withNoBackendNamedOnlyWindowsRunsInProcess() {
        assertEquals(System.getProperty("os.name").startsWith("Windows"), Connection.runsInProcess(backend(null)));
    }

    @Test
    void theBackendFlagDoesNotOutliveTheRun() {
        String before = System.getProperty(BitsOptions.BACKEND_PROPERTY);
        Main.execute("--backend", "portable", "--version");
        assertEquals(before, System.getProperty(BitsOptions.BACKEND_PROPERTY));
    }
}
