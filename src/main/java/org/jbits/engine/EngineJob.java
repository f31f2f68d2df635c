package org.jbits.engine;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jbits.AuthScheme;
import org.jbits.AuthTarget;
import org.jbits.BitsException;
import org.jbits.BitsFile;
import org.jbits.BitsFileRange;
import org.jbits.NotifyCmdLine;
import org.jbits.FileInfo;
import org.jbits.BitsLimits;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.jbits.JobTimes;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.ReplyProgress;
import org.jbits.file.Umask;

/**
 * The portable engine's job handle: reads under the engine lock; property changes go through the
 * {@link JobStateMachine}, operations that involve files and transfers through {@link PortableEngine}.
 */
final class EngineJob implements BitsJob {
    final PortableEngine engine;
    final JobRecord rec;

    // Scheduler state, guarded by the engine lock.
    /** The job's current turn, or null. */
    Run run;
    /** Complete is checking the job's files: the scheduler does not start it. */
    boolean held;
    long retryAtNanos;
    long lastStartNanos = Long.MIN_VALUE;
    /** Wall-clock time of the job's last progress in this engine, or null: with {@code rec.modified}, its last activity. */
    java.time.Instant lastProgressAt;
    /** When the notify command line is due (again), on the monotonic clock; meaningful while it is pending. */
    long notifyAtNanos;
    /** The notify program is running now. */
    boolean notifyRunning;
    /** While the network's cost blocks the job: since when (the no-progress clock stands still meanwhile). */
    java.time.Instant blockedSince;

    EngineJob(PortableEngine engine, JobRecord rec) {
        this.engine = engine;
        this.rec = rec;
    }

    @Override
    public UUID id() {
        return rec.id;
    }

    @Override
    public JobType type() {
        return rec.type;
    }

    @Override
    public JobState state() {
        return engine.stateMachine().locked(() -> rec.state);
    }

    @Override
    public JobState awaitStateChange(JobState from, java.time.Duration timeout) {
        return engine.stateMachine().awaitStateChange(this, from, timeout);
    }

    @Override
    public String owner() {
        return rec.owner;
    }

    @Override
    public void addFile(String remoteName, String localName) {
        engine.addFile(this, remoteName, localName);
    }

    @Override
    public void addFile(String remoteName, String localName, String expectedSha256) {
        engine.addFile(this, remoteName, localName, expectedSha256);
    }

    @Override
    public void addFileSet(List<FileInfo> files) {
        engine.addFileSet(this, files);
    }

    @Override
    public List<BitsFile> files() {
        return engine.stateMachine().locked(() -> rec.files.stream().map(FileRecord::snapshot).toList());
    }

    @Override
    public JobProgress progress() {
        return engine.stateMachine().locked(() -> {
            long total = 0;
            long done = 0;
            int filesDone = 0;
            for (FileRecord f : rec.files) {
                long t = f.bytesTotal;
                total = (total < 0 || t < 0) ? -1 : total + t;
                done += f.bytesNow();
                if (f.completed) {
                    filesDone++;
                }
            }
            return new JobProgress(total, done, rec.files.size(), filesDone);
        });
    }

    @Override
    public JobTimes times() {
        return engine.stateMachine().locked(() -> new JobTimes(rec.created, rec.modified, rec.completedAt));
    }

    @Override
    public Optional<JobError> error() {
        return engine.stateMachine().locked(() -> {
            if (!rec.hasError()) {
                return Optional.empty();
            }
            BitsFile file = rec.errorFile >= 0 && rec.errorFile < rec.files.size()
                    ? rec.files.get(rec.errorFile).snapshot() : null;
            return Optional.of(new JobError(rec.errorContext, rec.errorHresult, rec.errorDescription, file));
        });
    }

    @Override
    public int errorCount() {
        return engine.stateMachine().locked(() -> rec.errorCount);
    }

    @Override
    public void suspend() {
        engine.suspend(this);
    }

    @Override
    public void resume() {
        engine.resume(this);
    }

    @Override
    public void cancel() {
        engine.cancel(this);
    }

    @Override
    public int complete() {
        return engine.complete(this);
    }

    @Override
    public String displayName() {
        return engine.stateMachine().locked(() -> rec.displayName);
    }

    @Override
    public void setDisplayName(String name) {
        BitsLimits.checkDisplayName(name);
        engine.stateMachine().modify(this, r -> r.displayName = name);
    }

    @Override
    public String description() {
        return engine.stateMachine().locked(() -> rec.description);
    }

    @Override
    public void setDescription(String description) {
        String d = BitsLimits.checkDescription(description);
        engine.stateMachine().modify(this, r -> r.description = d);
    }

    @Override
    public JobPriority priority() {
        return engine.stateMachine().locked(() -> rec.priority);
    }

    @Override
    public void setPriority(JobPriority priority) {
        if (priority == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the priority must not be null");
        }
        engine.stateMachine().modify(this, r -> r.priority = priority);
    }

    @Override
    public Set<NotifyFlag> notifyFlags() {
        return engine.stateMachine().locked(() -> NotifyFlag.fromMask(rec.notifyFlags));
    }

    @Override
    public void setNotifyFlags(Set<NotifyFlag> flags) {
        int mask = NotifyFlag.toMask(flags);
        engine.stateMachine().modify(this, r -> r.notifyFlags = mask);
    }

    @Override
    public long minimumRetryDelay() {
        return engine.stateMachine().locked(() -> rec.minimumRetryDelaySeconds);
    }

    @Override
    public void setMinimumRetryDelay(long seconds) {
        // BITS clamps values under 5 seconds to 5 (SetMinimumRetryDelay).
        long s = Math.max(BitsLimits.MIN_RETRY_DELAY, BitsLimits.checkSeconds("retry delay", seconds));
        engine.stateMachine().modify(this, r -> r.minimumRetryDelaySeconds = s);
    }

    @Override
    public long noProgressTimeout() {
        return engine.stateMachine().locked(() -> rec.noProgressTimeoutSeconds);
    }

    @Override
    public void setNoProgressTimeout(long seconds) {
        BitsLimits.checkSeconds("retry timeout", seconds);
        engine.stateMachine().modify(this, r -> r.noProgressTimeoutSeconds = seconds);
    }

    @Override
    public ProxySettings proxySettings() {
        return engine.stateMachine().locked(() -> rec.proxy);
    }

    @Override
    public void setProxySettings(ProxySettings settings) {
        BitsLimits.checkProxy(settings);
        engine.stateMachine().modify(this, r -> r.proxy = settings);
    }

    @Override
    public long maximumDownloadTime() {
        return engine.stateMachine().locked(() -> rec.maximumDownloadTimeSeconds);
    }

    @Override
    public void setMaximumDownloadTime(long seconds) {
        BitsLimits.checkSeconds("maximum download time", seconds);
        engine.stateMachine().modify(this, r -> r.maximumDownloadTimeSeconds = seconds);
    }

    @Override
    public int transferPolicyFlags() {
        return engine.stateMachine().locked(() -> engine.costGate().flags(rec));
    }

    @Override
    public void setTransferPolicyFlags(int flags) {
        BitsLimits.checkCostFlags(flags);
        engine.stateMachine().modify(this, r -> r.costFlags = flags);
    }

    @Override
    public String replyFileName() {
        ReplyFiles.requireReplyJob(rec);
        return engine.stateMachine().locked(() -> rec.upload.reply == null ? null : rec.upload.reply.localName);
    }

    @Override
    public void setReplyFileName(String replyFileName) {
        engine.setReplyFileName(this, replyFileName);
    }

    @Override
    public ReplyProgress replyProgress() {
        ReplyFiles.requireReplyJob(rec);
        long[] p = engine.stateMachine().locked(rec.upload::replyProgress);
        return new ReplyProgress(p[0], p[1]);
    }

    @Override
    public byte[] replyData() {
        return engine.replyData(this);
    }

    @Override
    public int localFileMode() {
        return engine.stateMachine().locked(() -> rec.fileMode != null ? rec.fileMode : Umask.fileMode(Umask.current()));
    }

    @Override
    public void setLocalFileMode(int mode) {
        if (mode < 0 || mode > 0777) {
            throw new BitsException(HResult.E_INVALIDARG, "a file mode is 0 to 0777, not 0" + Integer.toOctalString(mode)
                    + " (a download never gets setuid, setgid or sticky bits)");
        }
        engine.stateMachine().modify(this, r -> r.fileMode = mode);
    }

    // ------------------------------------------------------------ BITS 1.5-10.x properties

    @Override
    public NotifyCmdLine notifyCmdLine() {
        return engine.stateMachine().locked(() -> rec.notifyProgram == null ? null
                : new NotifyCmdLine(rec.notifyProgram, rec.notifyParameters));
    }

    /**
     * Both null removes it. The program must be an absolute path without control characters, and the parameters'
     * first word (as {@link NotifyCmdLine#argv} splits them) must be the program, as BITS requires.
     */
    @Override
    public void setNotifyCmdLine(String program, String parameters) {
        NotifyCmdLine c = BitsLimits.checkNotifyCmdLine(program, parameters);
        if (c != null) {
            NotifyCommands.check(c);
        }
        engine.stateMachine().modify(this, r -> {
            r.notifyProgram = c == null ? null : c.program();
            r.notifyParameters = c == null ? null : c.parameters();
        });
    }

    @Override
    public void addFileWithRanges(String remoteName, String localName, List<BitsFileRange> ranges) {
        engine.addFileWithRanges(this, remoteName, localName, ranges);
    }

    @Override
    public List<BitsFileRange> fileRanges(int fileIndex) {
        return engine.stateMachine().locked(() -> {
            List<BitsFileRange> r = file(fileIndex).ranges;
            return r == null ? List.of() : r;
        });
    }

    @Override
    public void setRemoteName(int fileIndex, String remoteName) {
        engine.setRemoteName(this, fileIndex, remoteName);
    }

    @Override
    public int replaceRemotePrefix(String oldPrefix, String newPrefix) {
        return engine.replaceRemotePrefix(this, oldPrefix, newPrefix);
    }

    @Override
    public String fileResponseHeaders(int fileIndex) {
        return engine.stateMachine().locked(() -> file(fileIndex).responseHeaders);
    }

    /** The file at {@code index}; E_INVALIDARG naming the job's file count. Call with the lock held. */
    FileRecord file(int index) {
        if (index < 0 || index >= rec.files.size()) {
            throw new BitsException(HResult.E_INVALIDARG, this + " has no file " + index + " (it has "
                    + rec.files.size() + ", numbered from 0)");
        }
        return rec.files.get(index);
    }

    @Override
    public boolean dynamicContent() {
        return engine.stateMachine().locked(() -> rec.dynamicContent);
    }

    @Override
    public void setDynamicContent(boolean enable) {
        engine.stateMachine().modify(this, r -> {
            JobProperties5.requireDownload(r, "dynamic content");
            JobProperties5.requireNotResumed(r, "dynamic content");
            if (enable && r.onDemand) {
                throw new BitsException(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "dynamic content cannot be set on"
                        + " an on-demand job (a file without a size or range support has no random access)");
            }
            if (enable && r.files.stream().anyMatch(f -> f.ranges != null)) {
                throw new BitsException(HResult.BG_E_UNSUPPORTED_JOB_CONFIGURATION, "dynamic content cannot be set"
                        + " on a job with file ranges (a file without a size has no ranges)");
            }
            r.dynamicContent = enable;
        });
    }

    @Override
    public boolean onDemand() {
        return engine.stateMachine().locked(() -> rec.onDemand);
    }

    @Override
    public void setOnDemand(boolean enable) {
        engine.stateMachine().modify(this, r -> {
            JobProperties5.requireDownload(r, "on-demand mode");
            JobProperties5.requireNotResumed(r, "on-demand mode");
            if (enable) {
                OnDemand.requireCapable(r);
            }
            r.onDemand = enable;
        });
    }

    @Override
    public void requestFileRanges(int fileIndex, List<org.jbits.BitsFileRange> ranges) {
        engine.stateMachine().modifyFile(this, fileIndex, (r, f) -> OnDemand.request(r, f, ranges));
    }

    @Override
    public void updateDownloadPosition(int fileIndex, long offset) {
        engine.stateMachine().modifyFile(this, fileIndex, (r, f) -> OnDemand.position(r, f, offset));
    }

    @Override
    public List<org.jbits.BitsFileRange> filledFileRanges(int fileIndex) {
        return engine.stateMachine().locked(() -> {
            OnDemand.requireOnDemand(rec);
            return file(fileIndex).filled.toRanges();
        });
    }

    @Override
    public boolean highPerformance() {
        return engine.stateMachine().locked(() -> rec.highPerformance);
    }

    @Override
    public void setHighPerformance(boolean enable) {
        engine.stateMachine().modify(this, r -> {
            JobProperties5.requireDownload(r, "high performance");
            if (!r.files.isEmpty()) {
                throw new BitsException(HResult.BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE, "high performance can only be"
                        + " set before the first file is added");
            }
            r.highPerformance = enable;
        });
    }

    @Override
    public long maximumDownloadSize() {
        return engine.stateMachine().locked(() -> rec.maxDownloadSize);
    }

    @Override
    public void setMaximumDownloadSize(long bytes) {
        BitsLimits.checkMaxDownloadSize(bytes);
        engine.stateMachine().modify(this, r -> {
            JobProperties5.requireDownload(r, "the maximum download size");
            JobProperties5.requireNotResumed(r, "the maximum download size");
            r.maxDownloadSize = bytes;
        });
    }

    @Override
    public long minimumNotificationInterval() {
        return engine.stateMachine().locked(() -> rec.minNotifyIntervalMillis);
    }

    @Override
    public void setMinimumNotificationInterval(long millis) {
        BitsLimits.checkNotifyInterval(millis);
        engine.stateMachine().modify(this, r -> r.minNotifyIntervalMillis = millis);
    }

    @Override
    public int fileAclFlags() {
        return engine.stateMachine().locked(() -> rec.aclFlags);
    }

    /** Stored and reported; on Linux they change nothing (see the README: SMB ACLs are not copied). */
    @Override
    public void setFileAclFlags(int flags) {
        BitsLimits.checkAclFlags(flags);
        engine.stateMachine().modify(this, r -> r.aclFlags = flags);
    }

    @Override
    public String toString() {
        return "job " + rec.id + " ('" + rec.displayName + "')";
    }

    // ------------------------------------------------------------ credentials, headers, TLS (HTTP options)

    /**
     * One credential per target and scheme, kept in the 0600 store. jbits has no logged-on Windows identity, so a
     * null user (BITS' "the caller's own credentials") is refused, and Passport, which no server offers any more,
     * is BG_E_INVALID_AUTH_SCHEME.
     */
    @Override
    public void setCredentials(AuthTarget target, AuthScheme scheme, String userName, String password) {
        BitsLimits.checkCredentials(target, scheme, userName, password);
        if (scheme == AuthScheme.PASSPORT) {
            throw new BitsException(HResult.BG_E_INVALID_AUTH_SCHEME, "Passport authentication is retired and not"
                    + " offered by jbits (basic, digest, ntlm or negotiate)");
        }
        if (userName == null) {
            throw new BitsException(HResult.E_INVALIDARG, "a credential needs a user name: jbits has no logged-on"
                    + " Windows identity to use in its place");
        }
        org.jbits.transport.Credentials c = JobCredentials.of(scheme, userName, password);
        engine.stateMachine().modifyCredentials(this, r -> r.credentials
                .computeIfAbsent(target, t -> new java.util.EnumMap<>(AuthScheme.class)).put(scheme, c));
    }

    @Override
    public void removeCredentials(AuthTarget target, AuthScheme scheme) {
        BitsLimits.checkAuth(target, scheme);
        engine.stateMachine().modifyCredentials(this, r -> {
            java.util.Map<AuthScheme, org.jbits.transport.Credentials> m = r.credentials.get(target);
            if (m != null) {
                m.remove(scheme);
                if (m.isEmpty()) {
                    r.credentials.remove(target);
                }
            }
        });
    }

    @Override
    public String customHeaders() {
        return engine.stateMachine().locked(() -> {
            if (rec.headersWriteOnly) {
                throw new BitsException(HResult.E_ACCESSDENIED, "the custom headers of " + this + " are write-only");
            }
            return rec.customHeaders;
        });
    }

    @Override
    public void setCustomHeaders(String headers) {
        String h = BitsLimits.checkCustomHeaders(headers);
        engine.stateMachine().modify(this, r -> r.customHeaders = h);
    }

    @Override
    public void makeCustomHeadersWriteOnly() {
        engine.stateMachine().modify(this, r -> r.headersWriteOnly = true);
    }

    @Override
    public int securityFlags() {
        return engine.stateMachine().locked(() -> rec.securityFlags);
    }

    @Override
    public void setSecurityFlags(int flags) {
        BitsLimits.checkSecurityFlags(flags);
        engine.stateMachine().modify(this, r -> r.securityFlags = flags);
    }

    @Override
    public void setTrustedCertificates(String pem) {
        if (pem != null) {
            BitsLimits.checkTrustedCertificates(pem);
        }
        engine.stateMachine().modify(this, r -> r.trustedCertificates = pem);
    }

    @Override
    public String trustedCertificates() {
        return engine.stateMachine().locked(() -> rec.trustedCertificates);
    }

    @Override
    public void setClientCertificate(byte[] pkcs12, String password) {
        if (pkcs12 == null) {
            throw new BitsException(HResult.E_INVALIDARG, "no client certificate given (removeClientCertificate removes it)");
        }
        BitsLimits.checkClientCertificate(pkcs12, password);
        byte[] copy = pkcs12.clone();
        engine.stateMachine().modifyCredentials(this, r -> {
            r.clientCertificate = copy;
            r.clientCertificatePassword = password;
        });
    }

    @Override
    public void removeClientCertificate() {
        engine.stateMachine().modifyCredentials(this, r -> {
            r.clientCertificate = null;
            r.clientCertificatePassword = null;
        });
    }

    @Override
    public String clientCertificateSubject() {
        byte[][] c = engine.stateMachine().locked(() -> new byte[][]{rec.clientCertificate});
        String pw = engine.stateMachine().locked(() -> rec.clientCertificatePassword);
        return c[0] == null ? null : BitsLimits.checkClientCertificate(c[0], pw);
    }
}
