package org.jbits;

/**
 * The named cost policies of {@code BITS_JOB_TRANSFER_POLICY}: each is a mask of {@link CostState} bits on which
 * the job may transfer.
 */
public enum TransferPolicy {
    /** Transfers on any network, roaming included. */
    ALWAYS(0x800000FF, "Always"),
    /** Anything but roaming. */
    NOT_ROAMING(0x8000007F, "NotRoaming"),
    /** No surcharge: not over a charged cap, not roaming. */
    NO_SURCHARGE(0x8000006F, "NoSurcharge"),
    /** Neither surcharge nor near the cap. */
    STANDARD(0x80000067, "Standard"),
    /** Only networks with no cost or limits. */
    UNRESTRICTED(0x80000021, "Unrestricted");

    private final int flags;
    private final String displayName;

    TransferPolicy(int flags, String displayName) {
        this.flags = flags;
        this.displayName = displayName;
    }

    /** The cost-flags mask BITS stores for this policy. */
    public int flags() {
        return flags;
    }

    /** The PowerShell name. */
    public String displayName() {
        return displayName;
    }

    /** The named policy whose mask equals {@code flags}, or null for a custom mask. */
    public static TransferPolicy ofFlags(int flags) {
        for (TransferPolicy p : values()) {
            if (p.flags == flags) {
                return p;
            }
        }
        return null;
    }
}
