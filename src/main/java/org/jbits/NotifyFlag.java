package org.jbits;

import java.util.EnumSet;
import java.util.Set;

/** Which events a job notifies ({@code BG_NOTIFY_*}). */
public enum NotifyFlag {
    /** 0x1: the job was transferred. */
    JOB_TRANSFERRED(0x1, "Transferred"),
    /** 0x2: the job went into Error. */
    JOB_ERROR(0x2, "Error"),
    /** 0x4: no notifications at all. */
    DISABLE(0x4, "Disable"),
    /** 0x8: the job was modified (state, progress, properties). */
    JOB_MODIFICATION(0x8, "Modification"),
    /** 0x10: one file was transferred. */
    FILE_TRANSFERRED(0x10, "FileTransferred"),
    /**
     * 0x20 ({@code BG_NOTIFY_FILE_RANGES_TRANSFERRED}, BITS 10.1): ranges an on-demand job was asked for
     * ({@code RequestFileRanges}) are transferred ({@code IBackgroundCopyCallback3::FileRangesTransferred}).
     */
    FILE_RANGES_TRANSFERRED(0x20, "FileRangesTransferred");

    /** The BITS default: {@code BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR}. */
    public static final int DEFAULT_MASK = 0x3;

    private final int bit;
    private final String displayName;

    NotifyFlag(int bit, String displayName) {
        this.bit = bit;
        this.displayName = displayName;
    }

    /** The BITS bit. */
    public int bit() {
        return bit;
    }

    /** The PowerShell name. */
    public String displayName() {
        return displayName;
    }

    /** The flags set in a BITS mask. */
    public static Set<NotifyFlag> fromMask(int mask) {
        Set<NotifyFlag> set = EnumSet.noneOf(NotifyFlag.class);
        for (NotifyFlag f : values()) {
            if ((mask & f.bit) != 0) {
                set.add(f);
            }
        }
        return set;
    }

    /** The BITS mask of a set of flags. */
    public static int toMask(Set<NotifyFlag> flags) {
        int mask = 0;
        for (NotifyFlag f : flags) {
            mask |= f.bit;
        }
        return mask;
    }
}
