package org.jbits;

/** The cost state of the current network ({@code BITS_COST_STATE_*}): exactly one bit. */
public enum CostState {
    /** Cost unknown or unlimited. */
    UNRESTRICTED(0x01, "Unrestricted", "BITS_COST_STATE_UNRESTRICTED"),
    /** A capped plan whose usage is unknown. */
    CAPPED(0x02, "Capped", "BITS_COST_STATE_CAPPED_USAGE_UNKNOWN"),
    /** Under 80 % of the cap. */
    BELOW_CAP(0x04, "BelowCap", "BITS_COST_STATE_BELOW_CAP"),
    /** 80-100 % of the cap. */
    NEAR_CAP(0x08, "NearCap", "BITS_COST_STATE_NEAR_CAP"),
    /** Over the cap, with a surcharge. */
    OVER_CAP_CHARGED(0x10, "OverCapCharged", "BITS_COST_STATE_OVERCAP_CHARGED"),
    /** Over the cap, throttled, without a surcharge. */
    OVER_CAP_THROTTLED(0x20, "OverCapThrottled", "BITS_COST_STATE_OVERCAP_THROTTLED"),
    /** Paid per byte. */
    USAGE_BASED(0x40, "UsageBased", "BITS_COST_STATE_USAGE_BASED"),
    /** Roaming. */
    ROAMING(0x80, "Roaming", "BITS_COST_STATE_ROAMING");

    private final int bit;
    private final String displayName;
    private final String bitsName;

    CostState(int bit, String displayName, String bitsName) {
        this.bit = bit;
        this.displayName = displayName;
        this.bitsName = bitsName;
    }

    /** The name in the job object's style ({@code OverCapCharged}), as the agent's protocol and JSON spell it. */
    public String displayName() {
        return displayName;
    }

    /** BITS' own name of the bit ({@code BITS_COST_STATE_OVERCAP_CHARGED}). */
    public String bitsName() {
        return bitsName;
    }

    /** Whether a job with these cost flags may transfer on a network in this state (its bit is set). */
    public boolean allowedBy(int costFlags) {
        return (costFlags & bit) != 0;
    }

    /** The BITS bit. */
    public int bit() {
        return bit;
    }
}
