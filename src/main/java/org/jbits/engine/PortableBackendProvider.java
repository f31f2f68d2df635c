package org.jbits.engine;

import org.jbits.BitsManager;
import org.jbits.BitsOptions;
import org.jbits.spi.BackendProvider;
import org.jbits.transport.Transports;

/** Registers the portable engine with {@link BitsManager#open}: available everywhere, preferred last. */
public final class PortableBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "portable";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int preference() {
        return 0;
    }

    @Override
    public BitsManager open(BitsOptions options) {
        EngineSettings settings = EngineSettings.from(options.settings());
        return new PortableEngine(options.stateDirectory(), settings, EngineClock.SYSTEM,
                Transports.standard(settings.connectTimeoutMillis(), settings.readTimeoutMillis()));
    }
}
