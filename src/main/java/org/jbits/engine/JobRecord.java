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

    final List<FileRecord> files = new ArrayList<>();

    JobRecord(UUID id, JobType type, String owner, String displayName, Instant created) {
        this.id = id;
        this.type = type;
        this.owner = owner;
        this.displayName = displayName;
        this.created = created;
        this.modified = created;
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
