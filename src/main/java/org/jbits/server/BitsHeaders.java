package org.jbits.server;

/** The header names of [MC-BUP] and of BITS' notification protocol; Jetty compares names case-insensitively. */
final class BitsHeaders {
    static final String PACKET_TYPE = "BITS-Packet-Type";
    static final String SESSION_ID = "BITS-Session-Id";
    static final String SUPPORTED_PROTOCOLS = "BITS-Supported-Protocols";
    static final String PROTOCOL = "BITS-Protocol";
    static final String RECEIVED_CONTENT_RANGE = "BITS-Received-Content-Range";
    static final String REPLY_URL = "BITS-Reply-URL";
    /** The Windows documentation's name of the error header. */
    static final String ERROR_CODE = "BITS-Error-Code";
    /** [MC-BUP]'s name of the same header: sent too, and read from a back-end's answer. */
    static final String ERROR_LEGACY = "BITS-Error";
    static final String ERROR_CONTEXT = "BITS-Error-Context";
    static final String CONTENT_NAME = "Content-Name";

    // The notification protocol (server -> back-end application and back).
    static final String ORIGINAL_REQUEST_URL = "BITS-Original-Request-URL";
    static final String REQUEST_DATAFILE_NAME = "BITS-Request-DataFile-Name";
    static final String RESPONSE_DATAFILE_NAME = "BITS-Response-DataFile-Name";
    /** [MC-BUP] §2.2.12's names of the two above. */
    static final String REQUEST_DATAENTITY_NAME = "BITS-Request-DataEntity-Name";
    static final String RESPONSE_DATAENTITY_NAME = "BITS-Response-DataEntity-Name";
    static final String STATIC_RESPONSE_URL = "BITS-Static-Response-URL";
    static final String COPY_FILE_TO_DESTINATION = "BITS-Copy-File-To-Destination";

    /** The only upload protocol defined: "BITS 1.5 Upload Protocol" ([MC-BUP] §1.7.1). */
    static final String PROTOCOL_GUID = "{7df0354d-249b-430f-820d-3d2a9bef4931}";
    /** The longest header value [MC-BUP] lets a client send (appendix A: 4 KB). */
    static final int MAX_HEADER_VALUE = 4096;
    /** The most protocol GUIDs Create-Session may offer (product note: Windows accepts 100). */
    static final int MAX_OFFERED_PROTOCOLS = 100;
    /** The longest reply URL (the error table's 2,200 characters). */
    static final int MAX_REPLY_URL = 2200;

    private BitsHeaders() {
    }
}
