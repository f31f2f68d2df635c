package org.jbits;

/** The cost state of the current network ({@code BITS_COST_STATE_*}): exactly one bit. */
public enum CostState {
    /** Cost unknown or unlimited. */
    UNRESTRICTED(0x01),
    /** A capped plan whose usage is unknown. */
    CAPPED(0x02),
    /** Under 80 % of the cap. */
    BELOW_CAP(0x04),
    /** 80-100 % of the cap. */
    NEAR_CAP(0x08),
    /** Over the cap, with a surcharge. */
    OVER_CAP_CHARGED(0x10),
    /** Over the cap, throttled, without a surcharge. */
    OVER_CAP_THROTTLED(0x20),
    /** Paid per byte. */
    USAGE_BASED(0x40),
    /** Roaming. */
    ROAMING(0x80);

    private final int bit;

    CostState(int bit) {
        this.bit = bit;
    }

    /** The BITS bit. */
    public int bit() {
        return bit;
    }
}
