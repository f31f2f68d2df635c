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
import org.jbits.power.PowerSupply;
import org.jbits.power.UPowerBattery;
import org.jbits.dbus.SystemBus;
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
        BandwidthPolicy bandwidth = BandwidthPolicy.from(options.settings());
        boolean pauseOnBattery = pauseOnBattery(options.settings());
        String powerDetection = powerDetection(options.settings());
        // UPower is read while the network's cost is (each watcher has its own connection and thread).
        UPowerBattery upower = powerDetection.equals("upower")
                ? UPowerBattery.begin(SystemBus.address(System.getenv()), Clock.systemUTC()) : null;
        NetworkCost cost;
        try {
            cost = detector(options.settings());
        } catch (RuntimeException | Error e) {
            if (upower != null) {
                upower.close();
            }
            throw e;
        }
        PowerSupply power = upower != null ? upower
                : PowerSupply.none("power detection is off (power.detection=none)", Instant.now());
        if (upower != null) {
            upower.awaitFirstReading();
        }
        return new PortableEngine(options.stateDirectory(), settings, EngineClock.SYSTEM,
                Transports.standard(settings.connectTimeoutMillis(), settings.readTimeoutMillis()),
                cost, defaults, bandwidth, power, pauseOnBattery);
    }

    /** {@code power.pauseOnBattery}: {@code true} (the default) or {@code false}. */
    static boolean pauseOnBattery(Map<String, String> settings) {
        String v = settings.getOrDefault("power.pauseOnBattery", System.getProperty("jbits.power.pauseOnBattery", "true"));
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BitsException(HResult.E_INVALIDARG, "power.pauseOnBattery is '" + v
                    + "': give true or false");
        };
    }

    /**
     * The power detection the setting {@code power.detection} names: {@code upower} (the default: UPower on the
     * system D-Bus) or {@code none}.
     */
    static String powerDetection(Map<String, String> settings) {
        String d = settings.getOrDefault("power.detection", System.getProperty("jbits.power.detection", "upower"));
        String v = d.strip().toLowerCase(Locale.ROOT);
        if (!v.equals("upower") && !v.equals("none")) {
            throw new BitsException(HResult.E_INVALIDARG, "power.detection is '" + d + "': give upower or none");
        }
        return v;
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
