package org.jbits;

/** Where the network cost state a backend acts on comes from ({@link NetworkStatus#source()}). */
public enum CostSource {
    /** An administrator set it ({@link BitsManager#overrideNetworkCost}); detection is ignored until it is cleared. */
    OVERRIDE("override"),
    /** NetworkManager's global {@code Metered} property, read over the system D-Bus. */
    NETWORK_MANAGER("NetworkManager"),
    /** ModemManager's 3GPP registration state: a roaming modem that carries the traffic. */
    MODEM_MANAGER("ModemManager"),
    /** Nothing tells the cost (no NetworkManager, no system bus): unknown, which BITS treats as unrestricted. */
    NONE("none");

    private final String displayName;

    CostSource(String displayName) {
        this.displayName = displayName;
    }

    /** {@code override}, {@code NetworkManager}, {@code ModemManager} or {@code none}. */
    public String displayName() {
        return displayName;
    }
}
