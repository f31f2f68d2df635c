package org.jbits;

/** Where an error happened ({@code BG_ERROR_CONTEXT}). The ordinal is the BITS value. */
public enum ErrorContext {
    /** 0: no error. */
    NONE("None"),
    /** 1: the origin is unknown. */
    UNKNOWN("Unknown"),
    /** 2: the transfer queue manager itself. */
    GENERAL_QUEUE_MANAGER("GeneralQueueManager"),
    /** 3: delivering a notification. */
    QUEUE_MANAGER_NOTIFICATION("QueueManagerNotification"),
    /** 4: the local file (permissions, disk full, missing directory). */
    LOCAL_FILE("LocalFile"),
    /** 5: the remote file (HTTP status, missing file). */
    REMOTE_FILE("RemoteFile"),
    /** 6: the network (DNS, connection refused, reset, timeouts). */
    GENERAL_TRANSPORT("GeneralTransport"),
    /** 7: the server application behind an upload. */
    REMOTE_APPLICATION("RemoteApplication"),
    /** 8: a server certificate validation callback (BITS 10.3). */
    SERVER_CERTIFICATE_CALLBACK("ServerCertificateCallback");

    private final String displayName;

    ErrorContext(String displayName) {
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

    /** The context with the given BITS numeric value. */
    public static ErrorContext of(int value) {
        return value >= 0 && value < values().length ? values()[value] : UNKNOWN;
    }
}
