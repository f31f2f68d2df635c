package org.jbits.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.jbits.BitsException;
import org.jbits.BitsManager;
import org.jbits.HResult;
import org.jbits.bandwidth.BandwidthPolicy;
import org.jbits.network.CostPolicyDefaults;
import org.jbits.network.NetworkCost;
import org.jbits.network.LinuxNetworkCost;
import org.jbits.network.SystemBus;
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
        CostPolicyDefaults defaults = CostPolicyDefaults.from(options.settings());
        return new PortableEngine(options.stateDirectory(), settings, EngineClock.SYSTEM,
                Transports.standard(settings.connectTimeoutMillis(), settings.readTimeoutMillis()),
                detector(options.settings()), defaults, BandwidthPolicy.from(options.settings()));
    }

    /**
     * The cost detector the setting {@code network.detection} names: {@code networkmanager} (the default: the
     * system D-Bus of {@code DBUS_SYSTEM_BUS_ADDRESS}, else the standard socket) or {@code none}.
     */
    static NetworkCost detector(Map<String, String> settings) {
        String d = settings.getOrDefault("network.detection", System.getProperty("jbits.network.detection", "networkmanager"));
        return switch (d.strip().toLowerCase(Locale.ROOT)) {
            case "networkmanager" -> LinuxNetworkCost.start(SystemBus.address(System.getenv()), Clock.systemUTC());
            case "none" -> NetworkCost.none("cost detection is off (network.detection=none)", Instant.now());
            default -> throw new BitsException(HResult.E_INVALIDARG, "network.detection is '" + d
                    + "': give networkmanager or none");
        };
    }
}
