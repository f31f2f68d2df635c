package org.jbits.network;

import org.jbits.CostState;

/**
 * NetworkManager's {@code NMMetered} values (the {@code Metered} property, a u32) and the BITS cost state each one
 * stands for. NetworkManager says only whether the primary connection is metered, never how: no cap, no usage, no
 * per-byte price. Metered (YES, and GUESS_YES, which NetworkManager's documentation says to treat like YES) is
 * {@link CostState#CAPPED} ({@code BITS_COST_STATE_CAPPED_USAGE_UNKNOWN}): that is what Windows reports for a
 * connection its user marks metered (a "Fixed" cost with no data usage known), and "usage unknown" is exactly what
 * NetworkManager knows. Everything else (NO, GUESS_NO, UNKNOWN, and a value a newer NetworkManager might add) is
 * {@link CostState#UNRESTRICTED}, BITS' "cost unknown or unlimited". Every named BITS policy treats CAPPED and
 * USAGE_BASED alike (both are allowed by all but Unrestricted), so the choice only matters to a custom mask.
 */
enum NmMetered {
    UNKNOWN(0, CostState.UNRESTRICTED),
    YES(1, CostState.CAPPED),
    NO(2, CostState.UNRESTRICTED),
    GUESS_YES(3, CostState.CAPPED),
    GUESS_NO(4, CostState.UNRESTRICTED);

    final long value;
    final CostState cost;

    NmMetered(long value, CostState cost) {
        this.value = value;
        this.cost = cost;
    }

    /** The value's constant, or null for one this table does not know. */
    static NmMetered of(long value) {
        for (NmMetered m : values()) {
            if (m.value == value) {
                return m;
            }
        }
        return null;
    }

    /** The BITS cost state of a {@code Metered} value. */
    static CostState costOf(long value) {
        NmMetered m = of(value);
        return m == null ? CostState.UNRESTRICTED : m.cost;
    }

    /** {@code "Metered: GUESS_YES (3)"}, for the status detail. */
    static String describe(long value) {
        NmMetered m = of(value);
        return "Metered: " + (m == null ? "an unknown value, taken as not metered" : m.name()) + " (" + value + ")";
    }
}
