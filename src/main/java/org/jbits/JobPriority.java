package org.jbits;

import java.util.Locale;

/** BITS job priority ({@code BG_JOB_PRIORITY}). The ordinal is the BITS value; lower is more urgent. */
public enum JobPriority {
    /** 0: transfers in the foreground, competing with other applications for bandwidth. */
    FOREGROUND("Foreground"),
    /** 1: the highest background priority; idle bandwidth only. */
    HIGH("High"),
    /** 2: the default for jobs created through the API. */
    NORMAL("Normal"),
    /** 3: the lowest background priority. */
    LOW("Low");

    private final String displayName;

    JobPriority(String displayName) {
        this.displayName = displayName;
    }

    /** The BITS numeric value. */
    public int value() {
        return ordinal();
    }

    /** The PowerShell name. */
    public String displayName() {
        return displayName;
    }

    /** The priority with the given BITS numeric value. */
    public static JobPriority of(int value) {
        return values()[value];
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
