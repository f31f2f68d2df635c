package org.jbits;

/** Whom credentials are for ({@code BG_AUTH_TARGET}); {@link #value()} is the BITS value. */
public enum AuthTarget {
    /** 1 BG_AUTH_TARGET_SERVER: the server that holds the file. */
    SERVER(1, "Server"),
    /** 2 BG_AUTH_TARGET_PROXY: the proxy between the job and the server. */
    PROXY(2, "Proxy");

    private final int value;
    private final String displayName;

    AuthTarget(int value, String displayName) {
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

    /** The target with the given BITS value; BG_E_INVALID_AUTH_TARGET for any other. */
    public static AuthTarget of(int value) {
        for (AuthTarget t : values()) {
            if (t.value == value) {
                return t;
            }
        }
        throw new BitsException(HResult.BG_E_INVALID_AUTH_TARGET, "unknown authentication target " + value
                + " (1 server, 2 proxy)");
    }
}
