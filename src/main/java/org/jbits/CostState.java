package org.jbits;

/** The cost state of the current network ({@code BITS_COST_STATE_*}): exactly one bit. */
public enum CostState {
    /** Cost unknown or unlimited. */
    UNRESTRICTED(0x01, "unrestricted"),
    /** A capped plan whose usage is unknown. */
    CAPPED(0x02, "capped"),
    /** Under 80 % of the cap. */
    BELOW_CAP(0x04, "below-cap"),
    /** 80-100 % of the cap. */
    NEAR_CAP(0x08, "near-cap"),
    /** Over the cap, with a surcharge. */
    OVER_CAP_CHARGED(0x10, "over-cap-charged"),
    /** Over the cap, throttled, without a surcharge. */
    OVER_CAP_THROTTLED(0x20, "over-cap-throttled"),
    /** Paid per byte. */
    USAGE_BASED(0x40, "usage-based"),
    /** Roaming. */
    ROAMING(0x80, "roaming");

    private final int bit;
    private final String cliName;

    CostState(int bit, String cliName) {
        this.bit = bit;
        this.cliName = cliName;
    }

    /** The BITS bit. */
    public int bit() {
        return bit;
    }

    /** The spelling used by {@code jbits network --override}. */
    public String cliName() {
        return cliName;
    }

    /** Parses a CLI spelling. */
    public static CostState parse(String text) {
        for (CostState s : values()) {
            if (s.cliName.equalsIgnoreCase(text.trim())) {
                return s;
            }
        }
        throw new BitsException(HResult.E_INVALIDARG, "unknown network cost state '" + text + "'");
    }
}
