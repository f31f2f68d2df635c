package org.jbits.server;

import java.util.Locale;
import java.util.UUID;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * Reads a {@code BITS_POST}'s headers: its packet type, session id and offered protocols, each compared
 * case-insensitively ([MC-BUP] spells the types in capitals, Windows' documentation in mixed case) and each header
 * held to the protocol's 4 KB.
 */
final class Packet {
    /** The five requests of the upload protocol. */
    enum Type {
        PING, CREATE_SESSION, FRAGMENT, CLOSE_SESSION, CANCEL_SESSION;

        /** The type a {@code BITS-Packet-Type} value names, in any case, or null. */
        static Type of(String value) {
            String v = value.trim().toUpperCase(Locale.ROOT).replace('_', '-');
            return switch (v) {
                case "PING" -> PING;
                case "CREATE-SESSION" -> CREATE_SESSION;
                case "FRAGMENT" -> FRAGMENT;
                case "CLOSE-SESSION" -> CLOSE_SESSION;
                case "CANCEL-SESSION" -> CANCEL_SESSION;
                default -> null;
            };
        }
    }

    private Packet() {
    }

    /** Refuses any header longer than the protocol allows (the error table: 400 E_INVALIDARG). */
    static void checkHeaderSizes(HttpFields headers) throws BitsError {
        for (HttpField f : headers) {
            String v = f.getValue();
            if (v != null && v.length() > BitsHeaders.MAX_HEADER_VALUE) {
                throw BitsError.invalid("the " + f.getName() + " header is " + v.length() + " characters; at most "
                        + BitsHeaders.MAX_HEADER_VALUE + " are allowed");
            }
        }
    }

    static Type type(HttpFields headers) throws BitsError {
        String v = headers.get(BitsHeaders.PACKET_TYPE);
        if (v == null || v.isBlank()) {
            throw BitsError.invalid("the request has no BITS-Packet-Type");
        }
        Type t = Type.of(v);
        if (t == null) {
            throw BitsError.invalid("unknown BITS-Packet-Type '" + v.trim() + "'");
        }
        return t;
    }

    /** The request's session id in its canonical spelling ({@link #canonicalId}); it must be there. */
    static String sessionId(HttpFields headers) throws BitsError {
        String v = headers.get(BitsHeaders.SESSION_ID);
        if (v == null || v.isBlank()) {
            throw BitsError.invalid("the request has no BITS-Session-Id");
        }
        return canonicalId(v);
    }

    /**
     * A session id as this server keeps it: a GUID in lower case within braces, whatever case and braces the
     * client used; anything that is not a GUID stays as sent (and is then simply not found).
     */
    static String canonicalId(String raw) throws BitsError {
        String v = raw.trim();
        if (v.length() > 100) {
            throw BitsError.invalid("BITS-Session-Id is longer than 100 characters");
        }
        String bare = v.startsWith("{") && v.endsWith("}") ? v.substring(1, v.length() - 1) : v;
        if (bare.length() == 36) {
            try {
                return "{" + UUID.fromString(bare).toString() + "}";
            } catch (IllegalArgumentException notAGuid) {
                return v;
            }
        }
        return v;
    }

    /**
     * The protocol this server speaks, if {@code BITS-Supported-Protocols} offers it among at most 100 GUIDs
     * separated by spaces or commas; otherwise 400 E_INVALIDARG.
     */
    static String chooseProtocol(HttpFields headers) throws BitsError {
        String v = headers.get(BitsHeaders.SUPPORTED_PROTOCOLS);
        if (v == null || v.isBlank()) {
            throw BitsError.invalid("Create-Session offers no BITS-Supported-Protocols");
        }
        String[] offered = v.trim().split("[\\s,]+");
        if (offered.length > BitsHeaders.MAX_OFFERED_PROTOCOLS) {
            throw BitsError.invalid("Create-Session offers " + offered.length + " protocols; at most "
                    + BitsHeaders.MAX_OFFERED_PROTOCOLS + " are allowed");
        }
        for (String o : offered) {
            if (!o.isEmpty() && canonicalId(o).equals(BitsHeaders.PROTOCOL_GUID)) {
                return BitsHeaders.PROTOCOL_GUID;
            }
        }
        throw BitsError.invalid("none of the offered protocols is " + BitsHeaders.PROTOCOL_GUID
                + " (BITS 1.5 Upload Protocol), the one this server speaks");
    }
}
