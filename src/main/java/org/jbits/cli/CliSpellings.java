package org.jbits.cli;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jbits.BitsException;
import org.jbits.CostState;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;

/**
 * The command line's spellings of BITS values, as the contract lists them (lower case, words joined by '-':
 * {@code not-roaming}, {@code file-transferred}), and the parsing of what users type into the API's enums. The API
 * carries only BITS' own names; the agent's protocol uses the job object's spellings ({@code NotRoaming}).
 * Parsing ignores case, and '-' or '_' between words, as it always has.
 */
final class CliSpellings {
    private CliSpellings() {
    }

    static JobPriority priority(String text) {
        return parse("priority", text, JobPriority.values(), CliSpellings::spelling);
    }

    static TransferPolicy transferPolicy(String text) {
        return parse("transfer policy", text, TransferPolicy.values(), CliSpellings::spelling);
    }

    static ProxyUsage proxyUsage(String text) {
        return parse("proxy usage", text, ProxyUsage.values(), CliSpellings::spelling);
    }

    static JobType transferType(String text) {
        return parse("transfer type", text, JobType.values(), CliSpellings::spelling);
    }

    /** The states of {@code get --state}: queued, transient-error, ... (none: empty). */
    static Set<org.jbits.JobState> jobStates(List<String> texts) {
        Set<org.jbits.JobState> out = EnumSet.noneOf(org.jbits.JobState.class);
        for (String s : texts) {
            if (!s.isBlank()) {
                out.add(parse("job state", s, org.jbits.JobState.values(), CliSpellings::spelling));
            }
        }
        if (out.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "--state names no state");
        }
        return out;
    }

    /** {@code add-file --range OFFSET:LENGTH}: bitsadmin's spelling, LENGTH a byte count or {@code eof}. */
    static List<org.jbits.BitsFileRange> ranges(List<String> texts) {
        List<org.jbits.BitsFileRange> out = new ArrayList<>();
        for (String t : texts) {
            String s = t.trim();
            int colon = s.indexOf(':');
            try {
                if (colon <= 0) {
                    throw new NumberFormatException();
                }
                long offset = Long.parseLong(s.substring(0, colon).trim());
                String len = s.substring(colon + 1).trim();
                long length = len.equalsIgnoreCase("eof") ? org.jbits.BitsFileRange.LENGTH_TO_EOF : Long.parseLong(len);
                if (length < 0 && length != org.jbits.BitsFileRange.LENGTH_TO_EOF || offset < 0) {
                    throw new BitsException(HResult.BG_E_INVALID_RANGE, "the range '" + t + "' has a negative "
                            + "offset or length");
                }
                out.add(new org.jbits.BitsFileRange(offset, length));
            } catch (NumberFormatException e) {
                throw new BitsException(HResult.BG_E_INVALID_RANGE, "the range '" + t + "' is not OFFSET:LENGTH "
                        + "(whole numbers of bytes, or OFFSET:eof)");
            }
        }
        return out;
    }

    /** {@code --file-acl-flags owner,group,dacl,sacl} (or none): SetFileACLFlags' BG_COPY_FILE_* bits. */
    static int aclFlags(List<String> texts) {
        List<String> names = List.of("owner", "group", "dacl", "sacl");
        int flags = 0;
        for (String t : texts) {
            String s = t.trim().toLowerCase(Locale.ROOT);
            if (s.isEmpty() || s.equals("none")) {
                continue;
            }
            int i = names.indexOf(s);
            if (i < 0) {
                throw new BitsException(HResult.E_INVALIDARG, "unknown file ACL flag '" + t + "' (expected owner, "
                        + "group, dacl, sacl or none)");
            }
            flags |= 1 << i;
        }
        return flags;
    }

    /** {@code jbits network --override COST}. */
    static CostState costState(String text) {
        return parse("network cost state", text, CostState.values(), CliSpellings::spelling);
    }

    /**
     * The notify flags of {@code --notify-flags}: {@code transferred}, {@code error}, {@code modification},
     * {@code file-transferred}, {@code disable}; {@code none} (or nothing) for no flag.
     */
    static Set<NotifyFlag> notifyFlags(List<String> texts) {
        Set<NotifyFlag> flags = EnumSet.noneOf(NotifyFlag.class);
        for (String s : texts) {
            if (!s.isBlank() && !s.trim().equalsIgnoreCase("none")) {
                flags.add(parse("notify flag", s, NotifyFlag.values(), CliSpellings::spelling));
            }
        }
        return flags;
    }

    /** The command line's spelling of a BITS value. */
    static String spelling(Enum<?> value) {
        if (value instanceof NotifyFlag f) {
            return switch (f) {
                case JOB_TRANSFERRED -> "transferred";
                case JOB_ERROR -> "error";
                case JOB_MODIFICATION -> "modification";
                case FILE_TRANSFERRED -> "file-transferred";
                case FILE_RANGES_TRANSFERRED -> "file-ranges-transferred";
                case DISABLE -> "disable";
            };
        }
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> E parse(String what, String text, E[] values,
            java.util.function.Function<E, String> spelling) {
        String t = normal(text);
        List<String> names = new ArrayList<>();
        for (E v : values) {
            if (normal(spelling.apply(v)).equals(t)) {
                return v;
            }
            names.add(spelling.apply(v));
        }
        String expected = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        throw new BitsException(HResult.E_INVALIDARG, "unknown " + what + " '" + text + "' (expected " + expected + ")");
    }

    private static String normal(String s) {
        return s.trim().replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }
}
