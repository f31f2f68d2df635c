package org.jbits;

/** BITS job type ({@code BG_JOB_TYPE}). The ordinal is the BITS value. */
public enum JobType {
    /** {@code BG_JOB_TYPE_DOWNLOAD} (0): one or more files from a server to local files. */
    DOWNLOAD("Download"),
    /** {@code BG_JOB_TYPE_UPLOAD} (1): exactly one local file to a server. */
    UPLOAD("Upload"),
    /** {@code BG_JOB_TYPE_UPLOAD_REPLY} (2): an upload whose server application sends back a reply. */
    UPLOAD_REPLY("UploadReply");

    private final String displayName;

    JobType(String displayName) {
        this.displayName = displayName;
    }

    /** The BITS numeric value. */
    public int value() {
        return ordinal();
    }

    /** The name the BitsTransfer PowerShell module uses ({@code Download}, {@code Upload}, {@code UploadReply}). */
    public String displayName() {
        return displayName;
    }

    /** The type with the given BITS numeric value. */
    public static JobType of(int value) {
        return values()[value];
    }
}
