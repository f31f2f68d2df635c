package org.jbits.engine;

import java.nio.file.Path;
import org.jbits.testing.Engines;
import org.jbits.testing.FaultServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What engine tests against real servers share: per test an engine on its own state directory ({@link #engine},
 * which a test may close and open again on {@code tmp/state}), and a fault-injecting server a test may start
 * ({@link #faults}), both closed after the test.
 */
abstract class EngineWithFaultsTest {
    @TempDir
    Path tmp;
    PortableEngine engine;
    FaultServer faults;

    @BeforeEach
    void openEngine() {
        engine = Engines.open(tmp.resolve("state"));
    }

    @AfterEach
    void closeEngine() {
        engine.close();
        if (faults != null) {
            faults.close();
        }
    }
}
