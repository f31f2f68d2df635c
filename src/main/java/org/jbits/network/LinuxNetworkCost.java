package org.jbits.network;

import java.time.Clock;
import java.util.function.Consumer;
import org.jbits.CostSource;
import org.jbits.CostState;
import org.jbits.NetworkStatus;
import org.jbits.event.Listeners;

/**
 * The network's cost on Linux: NetworkManager's metered state ({@link NetworkManagerCost}), unless a modem that
 * ModemManager says is roaming ({@link ModemManagerRoaming}) carries the traffic, which makes it
 * {@link CostState#ROAMING}. A roaming modem carries it when NetworkManager's primary connection is a mobile one, or,
 * without NetworkManager, always (nothing else can say which link is in use). A roaming modem beside a primary
 * connection over Ethernet or Wi-Fi costs nothing and leaves NetworkManager's reading as it is.
 */
public final class LinuxNetworkCost implements NetworkCost {
    private final NetworkManagerCost networkManager;
    private final NetworkCost modems;
    private final Clock clock;
    private final Listeners<NetworkStatus> listeners = new Listeners<>("network cost");
    private final Consumer<NetworkStatus> onChange = s -> recompute();
    private NetworkStatus status;

    LinuxNetworkCost(NetworkManagerCost networkManager, NetworkCost modems, Clock clock) {
        this.networkManager = networkManager;
        this.modems = modems;
        this.clock = clock;
        networkManager.addListener(onChange);
        modems.addListener(onChange);
        this.status = combine(networkManager.current(), networkManager.primaryIsMobile(), modems.current(), null, clock);
    }

    /** Watches NetworkManager and ModemManager on the bus at {@code address}. */
    public static LinuxNetworkCost start(String address, Clock clock) {
        NetworkManagerCost nm = NetworkManagerCost.begin(address, clock);
        ModemManagerRoaming mm;
        try {
            mm = ModemManagerRoaming.begin(address, clock);
        } catch (RuntimeException | Error e) {
            nm.close();
            throw e;
        }
        nm.awaitFirstReading();
        mm.awaitFirstReading();
        return new LinuxNetworkCost(nm, mm, clock);
    }

    /**
     * The combined status: {@code modem}'s when it says ROAMING and the roaming modem carries the traffic (a mobile
     * primary connection, or no NetworkManager), otherwise {@code nm}'s; {@code old}'s time is kept when nothing
     * changed.
     */
    static NetworkStatus combine(NetworkStatus nm, boolean primaryMobile, NetworkStatus modem, NetworkStatus old,
            Clock clock) {
        NetworkStatus s;
        if (modem.cost() == CostState.ROAMING && (primaryMobile || nm.source() == CostSource.NONE)) {
            s = new NetworkStatus(CostState.ROAMING, CostSource.MODEM_MANAGER, clock.instant(), modem.detail()
                    + (nm.source() == CostSource.NONE ? "; no NetworkManager, so the modem is taken to carry the traffic"
                    : "; NetworkManager's primary connection is over it (" + nm.detail() + ")"));
        } else if (modem.cost() == CostState.ROAMING) {
            s = new NetworkStatus(nm.cost(), nm.source(), clock.instant(), nm.detail()
                    + "; a roaming modem is not the primary connection (" + modem.detail() + ")");
        } else {
            s = nm;
        }
        return old != null && s.sameAs(old) ? old : s;
    }

    @Override
    public synchronized NetworkStatus current() {
        return status;
    }

    private void recompute() {
        NetworkStatus s;
        synchronized (this) {
            s = combine(networkManager.current(), networkManager.primaryIsMobile(), modems.current(), status, clock);
            if (s == status) {
                return;
            }
            status = s;
        }
        listeners.fire(s);
    }

    @Override
    public void addListener(Consumer<NetworkStatus> listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(Consumer<NetworkStatus> listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        networkManager.removeListener(onChange);
        modems.removeListener(onChange);
        networkManager.close();
        modems.close();
    }
}
