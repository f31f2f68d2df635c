package org.jbits.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jbits.NetworkStatus;

/**
 * The network cost state as {@code jbits network --json} prints it:
 * {@code {"costState": "Capped", "costStateName": "BITS_COST_STATE_CAPPED_USAGE_UNKNOWN", "costStateBit":
 * "0x00000002", "source": "NetworkManager", "changed": "ISO-8601", "detail": "Metered: YES (1)", "detected": null}}.
 * Under an override {@code source} is {@code "override"} and {@code detected} holds what detection says meanwhile,
 * in the same form.
 */
public final class NetworkJson {
    private NetworkJson() {
    }

    /** {@code status} as its JSON object. */
    public static ObjectNode of(NetworkStatus status) {
        ObjectNode o = Json.object();
        o.put("costState", status.cost().displayName());
        o.put("costStateName", status.cost().bitsName());
        o.put("costStateBit", String.format("0x%08X", status.cost().bit()));
        o.put("source", status.source().displayName());
        o.put("changed", status.changed().toString());
        o.put("detail", status.detail());
        if (status.detected() != null) {
            o.set("detected", of(status.detected()));
        } else {
            o.putNull("detected");
        }
        return o;
    }
}
