package org.jbits;

/** How a job finds its proxy ({@code BG_JOB_PROXY_USAGE}); {@link #value()} is the BITS value. */
public enum ProxyUsage {
    /** 0 PRECONFIG: the system's proxy settings ({@code http_proxy} and friends on Linux). */
    SYSTEM_DEFAULT(0, "SystemDefault"),
    /** 1 NO_PROXY: connect directly. */
    NO_PROXY(1, "NoProxy"),
    /** 2 OVERRIDE: the job's own proxy list and bypass list. */
    OVERRIDE(2, "Override"),
    /** 3 AUTODETECT: automatic proxy discovery. */
    AUTO_DETECT(3, "AutoDetect");

    private final int value;
    private final String displayName;

    ProxyUsage(int value, String displayName) {
        this.value = value;
        this.displayName = displayName;
    }

    /** The BITS numeric value. */
    public int value() {
        return value;
    }

    /** The PowerShell name. */
    public String displayName() {
        return displayName;
    }

    /** The usage with the given BITS numeric value. */
    public static ProxyUsage of(int value) {
        for (ProxyUsage u : values()) {
            if (u.value == value) {
                return u;
            }
        }
        throw new BitsException(HResult.E_INVALIDARG, "unknown proxy usage " + value);
    }
}
