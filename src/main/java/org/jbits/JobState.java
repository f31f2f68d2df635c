package org.jbits;

/** The nine BITS job states ({@code BG_JOB_STATE}). The ordinal is the BITS value. */
public enum JobState {
    /** 0: waiting for the scheduler. */
    QUEUED("Queued"),
    /** 1: connecting to the server. */
    CONNECTING("Connecting"),
    /** 2: moving data. */
    TRANSFERRING("Transferring"),
    /** 3: the state of every new job and of a suspended one. */
    SUSPENDED("Suspended"),
    /** 4: a non-recoverable error; fix it and resume, or cancel or complete the job. */
    ERROR("Error"),
    /** 5: a recoverable error; retried after the minimum retry delay. */
    TRANSIENT_ERROR("TransientError"),
    /** 6: every file is transferred; the owner must complete the job. */
    TRANSFERRED("Transferred"),
    /** 7: final, after Complete. */
    ACKNOWLEDGED("Acknowledged"),
    /** 8: final, after Cancel. */
    CANCELLED("Cancelled");

    private final String displayName;

    JobState(String displayName) {
        this.displayName = displayName;
    }

    /** The BITS numeric value. */
    public int value() {
        return ordinal();
    }

    /** The PowerShell name ({@code TransientError}, ...). */
    public String displayName() {
        return displayName;
    }

    /** True for ACKNOWLEDGED and CANCELLED: the job is gone and every state-changing call fails. */
    public boolean isFinal() {
        return this == ACKNOWLEDGED || this == CANCELLED;
    }

    /** The state with the given BITS numeric value. */
    public static JobState of(int value) {
        return values()[value];
    }
}
