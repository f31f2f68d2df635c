package org.jbits.network;

/**
 * ModemManager's {@code MMModem3gppRegistrationState} values: which mean the modem is on a visited network
 * (roaming), and their names for people.
 */
final class ModemRegistration {
    /** {@code MM_MODEM_3GPP_REGISTRATION_STATE_UNKNOWN}. */
    static final long UNKNOWN = 4;
    private static final String[] NAMES = {"idle", "home", "searching", "denied", "unknown", "roaming",
        "home (SMS only)", "roaming (SMS only)", "emergency services only", "home (CSFB not preferred)",
        "roaming (CSFB not preferred)", "attached for RLOS"};

    private ModemRegistration() {
    }

    /** True for ROAMING (5), ROAMING_SMS_ONLY (7) and ROAMING_CSFB_NOT_PREFERRED (10). */
    static boolean roaming(long state) {
        return state == 5 || state == 7 || state == 10;
    }

    /** {@code "roaming (5)"}; a value ModemManager may add later is named as such. */
    static String describe(long state) {
        String name = state >= 0 && state < NAMES.length ? NAMES[(int) state] : "an unknown state";
        return name + " (" + state + ")";
    }
}
