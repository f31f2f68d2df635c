package org.jbits.network;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.TransferPolicy;

/**
 * The transfer policy of a job that was never given one, per priority: BITS' group policy "Set default download
 * behavior for BITS jobs on costed networks" ({@code BITS_SetTransferPolicyOnCostedNetwork}, one element per
 * priority). A job's own policy, once set, always wins. Read from the settings
 * {@code transferPolicy.foreground}, {@code .high}, {@code .normal} and {@code .low} (the agent takes them from
 * {@code jbits.conf}); each is a named policy ({@code always}, {@code not-roaming}, {@code no-surcharge},
 * {@code standard}, {@code unrestricted}, or the PowerShell names {@code NotRoaming} ...) or BITS' custom bitmask
 * ({@code 0x80000021}). Unset, a priority gets {@link TransferPolicy#ALWAYS}, BITS' own default (the MDM policy's
 * default value 1, "Always transfer").
 */
public final class CostPolicyDefaults {
    /** The settings key prefix: {@code transferPolicy.normal=not-roaming}. */
    public static final String PREFIX = "transferPolicy.";
    /** BITS' default for every priority. */
    public static final CostPolicyDefaults BITS = new CostPolicyDefaults(new EnumMap<>(JobPriority.class));

    private final Map<JobPriority, Integer> flags;

    private CostPolicyDefaults(Map<JobPriority, Integer> flags) {
        this.flags = flags;
    }

    /** The defaults in {@code settings}; E_INVALIDARG naming the key for a value that is neither a policy nor a mask. */
    public static CostPolicyDefaults from(Map<String, String> settings) {
        Map<JobPriority, Integer> m = new EnumMap<>(JobPriority.class);
        for (JobPriority p : JobPriority.values()) {
            String key = PREFIX + p.name().toLowerCase(Locale.ROOT);
            String v = settings.get(key);
            if (v == null) {
                v = System.getProperty("jbits." + key);
            }
            if (v != null && !v.isBlank()) {
                m.put(p, parse(key, v));
            }
        }
        return new CostPolicyDefaults(m);
    }

    /** The cost flags a job of {@code priority} gets when it has none of its own. */
    public int flagsFor(JobPriority priority) {
        return flags.getOrDefault(priority, TransferPolicy.ALWAYS.flags());
    }

    /** A policy name or a mask, for {@code key}. */
    public static int parse(String key, String value) {
        String v = value.strip();
        String bare = v.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
        for (TransferPolicy p : TransferPolicy.values()) {
            if (p.displayName().toLowerCase(Locale.ROOT).equals(bare)) {
                return p.flags();
            }
        }
        if (bare.startsWith("0x")) {
            try {
                return BitsLimits.checkCostFlags(Integer.parseUnsignedInt(bare.substring(2), 16));
            } catch (NumberFormatException e) {
                // refused below
            } catch (BitsException e) {
                throw new BitsException(HResult.E_INVALIDARG, key + ": " + e.detail());
            }
        }
        throw new BitsException(HResult.E_INVALIDARG, key + " is '" + value + "': give always, not-roaming, "
                + "no-surcharge, standard, unrestricted or a cost-flags mask such as 0x80000021");
    }
}
