package org.jbits.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jbits.ErrorContext;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.transport.Credentials;

/** A job's persistent definition and state. Changed only under the engine lock; persisted by {@link JobStore}. */
final class JobRecord {
    final UUID id;
    final JobType type;
    final String owner;
    final Instant created;
    /** Creation order, for enumeration. */
    long sequence;

    JobState state = JobState.SUSPENDED;
    String displayName;
    String description = "";
    JobPriority priority = JobPriority.NORMAL;
    int notifyFlags = NotifyFlag.DEFAULT_MASK;
    long minimumRetryDelaySeconds = 600;
    long noProgressTimeoutSeconds = 1_209_600;
    long maximumDownloadTimeSeconds = 7_776_000;
    /** The job's own cost flags, or {@link CostGate#BY_PRIORITY} while it follows its priority's default. */
    int costFlags = CostGate.BY_PRIORITY;
    ProxySettings proxy = ProxySettings.DEFAULT;
    Instant modified;
    Instant completedAt;

    ErrorContext errorContext = ErrorContext.NONE;
    int errorHresult;
    String errorDescription;
    /** Index of the file the error is about, or -1. */
    int errorFile = -1;
    int errorCount;

    /** Wall-clock time of the first transient error without progress since; null when progressing. */
    Instant noProgressSince;
    /** Milliseconds spent Connecting/Transferring, for the maximum download time. */
    long activeMillis;
    /** The permission bits a completed file gets; null when the engine decides (also every job of an older store). */
    Integer fileMode;

    /** The notify command line's program, or null (BITS 1.5 SetNotifyCmdLine). */
    String notifyProgram;
    /** Its parameters (the whole command line, the program first), or null. */
    String notifyParameters;
    /** The notify command line is owed a successful run for the job's current Transferred or Error. */
    boolean notifyPending;
    /** BITS_JOB_PROPERTY_DYNAMIC_CONTENT. */
    boolean dynamicContent;
    /** BITS_JOB_PROPERTY_ON_DEMAND_MODE: only the ranges RequestFileRanges asks for are transferred. */
    boolean onDemand;
    /** BITS_JOB_PROPERTY_HIGH_PERFORMANCE. */
    boolean highPerformance;
    /** BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE in bytes; 0: no limit. */
    long maxDownloadSize;
    /** BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS. */
    long minNotifyIntervalMillis = org.jbits.BitsLimits.DEFAULT_NOTIFY_INTERVAL_MILLIS;
    /** SetFileACLFlags: stored and reported; no effect on this platform. */
    int aclFlags;
    /** Resume was called at least once: the properties BITS fixes at the first Resume are read-only now. */
    boolean everResumed;
    /**
     * The credentials per target and scheme (SetCredentials), kept in the store's credentials table; the passwords
     * never leave the engine but to answer a challenge.
     */
    final java.util.Map<org.jbits.AuthTarget, java.util.Map<org.jbits.AuthScheme, Credentials>> credentials =
            new java.util.EnumMap<>(org.jbits.AuthTarget.class);
    /** Custom headers as {@code Name: value} lines each ending in CRLF, or null. */
    String customHeaders;
    /** The custom headers may not be read back (MakeCustomHeadersWriteOnly). */
    boolean headersWriteOnly;
    /** {@link org.jbits.SecurityFlags} bits. */
    int securityFlags;
    /** PEM certificates of the authorities the job trusts besides the system's, or null. */
    String trustedCertificates;
    /** The client certificate: a PKCS#12 file's bytes and its password, or null. */
    byte[] clientCertificate;
    String clientCertificatePassword;

    final List<FileRecord> files = new ArrayList<>();
    /** Upload and upload-reply jobs: the session and the reply; null for a download job. */
    final UploadRecord upload;

    JobRecord(UUID id, JobType type, String owner, String displayName, Instant created) {
        this.id = id;
        this.type = type;
        this.owner = owner;
        this.displayName = displayName;
        this.created = created;
        this.modified = created;
        this.upload = type == JobType.DOWNLOAD ? null : new UploadRecord();
    }

    boolean hasError() {
        return errorContext != ErrorContext.NONE;
    }

    void clearError() {
        errorContext = ErrorContext.NONE;
        errorHresult = 0;
        errorDescription = null;
        errorFile = -1;
    }

    /** The first file not yet transferred, or null. */
    FileRecord nextFile() {
        for (FileRecord f : files) {
            if (!f.completed) {
                return f;
            }
        }
        return null;
    }
}
