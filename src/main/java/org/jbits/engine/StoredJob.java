package org.jbits.engine;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.BitsFile;
import org.jbits.BitsFileRange;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.jbits.JobTimes;
import org.jbits.JobType;
import org.jbits.NotifyCmdLine;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;

/**
 * Another user's job as its store had it when it was read ({@link OtherUsersJobs}): every getter answers from that
 * record, every change fails with E_ACCESSDENIED (that user's agent owns the job).
 */
final class StoredJob implements BitsJob {
    private final JobRecord rec;
    private final String owner;

    StoredJob(JobRecord rec, String owner) {
        this.rec = rec;
        this.owner = owner;
    }

    private BitsException readOnly() {
        return new BitsException(HResult.E_ACCESSDENIED, "job " + rec.id + " belongs to " + owner
                + "; only that user's agent changes it");
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
        return rec.state;
    }

    @Override
    public String owner() {
        return owner;
    }

    @Override
    public void addFile(String remoteName, String localName) {
        throw readOnly();
    }

    @Override
    public List<BitsFile> files() {
        return rec.files.stream().map(FileRecord::snapshot).toList();
    }

    @Override
    public JobProgress progress() {
        long total = 0;
        long done = 0;
        int filesDone = 0;
        for (FileRecord f : rec.files) {
            total = (total < 0 || f.bytesTotal < 0) ? -1 : total + f.bytesTotal;
            done += f.bytesTransferred;
            filesDone += f.completed ? 1 : 0;
        }
        return new JobProgress(total, done, rec.files.size(), filesDone);
    }

    @Override
    public JobTimes times() {
        return new JobTimes(rec.created, rec.modified, rec.completedAt);
    }

    @Override
    public Optional<JobError> error() {
        if (!rec.hasError()) {
            return Optional.empty();
        }
        BitsFile file = rec.errorFile >= 0 && rec.errorFile < rec.files.size() ? rec.files.get(rec.errorFile).snapshot() : null;
        return Optional.of(new JobError(rec.errorContext, rec.errorHresult, rec.errorDescription, file));
    }

    @Override
    public int errorCount() {
        return rec.errorCount;
    }

    @Override
    public void suspend() {
        throw readOnly();
    }

    @Override
    public void resume() {
        throw readOnly();
    }

    @Override
    public void cancel() {
        throw readOnly();
    }

    @Override
    public int complete() {
        throw readOnly();
    }

    @Override
    public String displayName() {
        return rec.displayName;
    }

    @Override
    public void setDisplayName(String name) {
        throw readOnly();
    }

    @Override
    public String description() {
        return rec.description;
    }

    @Override
    public void setDescription(String description) {
        throw readOnly();
    }

    @Override
    public JobPriority priority() {
        return rec.priority;
    }

    @Override
    public void setPriority(JobPriority priority) {
        throw readOnly();
    }

    @Override
    public Set<NotifyFlag> notifyFlags() {
        return NotifyFlag.fromMask(rec.notifyFlags);
    }

    @Override
    public void setNotifyFlags(Set<NotifyFlag> flags) {
        throw readOnly();
    }

    @Override
    public long minimumRetryDelay() {
        return rec.minimumRetryDelaySeconds;
    }

    @Override
    public void setMinimumRetryDelay(long seconds) {
        throw readOnly();
    }

    @Override
    public long noProgressTimeout() {
        return rec.noProgressTimeoutSeconds;
    }

    @Override
    public void setNoProgressTimeout(long seconds) {
        throw readOnly();
    }

    @Override
    public ProxySettings proxySettings() {
        return rec.proxy;
    }

    @Override
    public void setProxySettings(ProxySettings settings) {
        throw readOnly();
    }

    @Override
    public long maximumDownloadTime() {
        return rec.maximumDownloadTimeSeconds;
    }

    @Override
    public void setMaximumDownloadTime(long seconds) {
        throw readOnly();
    }

    @Override
    public int transferPolicyFlags() {
        return rec.costFlags;
    }

    @Override
    public void setTransferPolicyFlags(int flags) {
        throw readOnly();
    }

    @Override
    public NotifyCmdLine notifyCmdLine() {
        return rec.notifyProgram == null ? null : new NotifyCmdLine(rec.notifyProgram, rec.notifyParameters);
    }

    @Override
    public List<BitsFileRange> fileRanges(int fileIndex) {
        List<BitsFileRange> r = file(fileIndex).ranges;
        return r == null ? List.of() : r;
    }

    @Override
    public String fileResponseHeaders(int fileIndex) {
        return file(fileIndex).responseHeaders;
    }

    private FileRecord file(int i) {
        if (i < 0 || i >= rec.files.size()) {
            throw new BitsException(HResult.E_INVALIDARG, "job " + rec.id + " has no file " + i);
        }
        return rec.files.get(i);
    }

    @Override
    public boolean dynamicContent() {
        return rec.dynamicContent;
    }

    @Override
    public boolean highPerformance() {
        return rec.highPerformance;
    }

    @Override
    public long maximumDownloadSize() {
        return rec.maxDownloadSize;
    }

    @Override
    public long minimumNotificationInterval() {
        return rec.minNotifyIntervalMillis;
    }

    @Override
    public int fileAclFlags() {
        return rec.aclFlags;
    }

    @Override
    public boolean onDemand() {
        return rec.onDemand;
    }

    @Override
    public List<BitsFileRange> filledFileRanges(int fileIndex) {
        OnDemand.requireOnDemand(rec);
        return file(fileIndex).filled.toRanges();
    }

    // ------------------------------------------------ upload-reply and HTTP options, as the store has them

    @Override
    public String replyFileName() {
        ReplyFiles.requireReplyJob(rec);
        return rec.upload.reply == null ? null : rec.upload.reply.localName;
    }

    @Override
    public void setReplyFileName(String replyFileName) {
        throw readOnly();
    }

    @Override
    public org.jbits.ReplyProgress replyProgress() {
        ReplyFiles.requireReplyJob(rec);
        long[] p = rec.upload.replyProgress();
        return new org.jbits.ReplyProgress(p[0], p[1]);
    }

    @Override
    public String customHeaders() {
        if (rec.headersWriteOnly) {
            throw new BitsException(HResult.E_ACCESSDENIED, "the custom headers of " + this + " are write-only");
        }
        return rec.customHeaders;
    }

    @Override
    public int securityFlags() {
        return rec.securityFlags;
    }

    @Override
    public String trustedCertificates() {
        return rec.trustedCertificates;
    }

    @Override
    public String clientCertificateSubject() {
        return rec.clientCertificate == null ? null
                : org.jbits.BitsLimits.checkClientCertificate(rec.clientCertificate, rec.clientCertificatePassword);
    }

    @Override
    public void setCredentials(org.jbits.AuthTarget target, org.jbits.AuthScheme scheme, String userName,
            String password) {
        throw readOnly();
    }

    @Override
    public void removeCredentials(org.jbits.AuthTarget target, org.jbits.AuthScheme scheme) {
        throw readOnly();
    }

    @Override
    public void setCustomHeaders(String headers) {
        throw readOnly();
    }

    @Override
    public void addFile(String remoteName, String localName, String expectedSha256) {
        throw readOnly();
    }

    @Override
    public void addFileWithRanges(String remoteName, String localName, List<BitsFileRange> ranges) {
        throw readOnly();
    }

    @Override
    public void setRemoteName(int fileIndex, String remoteName) {
        throw readOnly();
    }

    @Override
    public int replaceRemotePrefix(String oldPrefix, String newPrefix) {
        throw readOnly();
    }

    /** The reply's bytes are that user's file: only their agent reads them. */
    @Override
    public byte[] replyData() {
        throw readOnly();
    }

    @Override
    public void makeCustomHeadersWriteOnly() {
        throw readOnly();
    }

    @Override
    public void setSecurityFlags(int flags) {
        throw readOnly();
    }

    @Override
    public void setTrustedCertificates(String pem) {
        throw readOnly();
    }

    @Override
    public void setClientCertificate(byte[] pkcs12, String password) {
        throw readOnly();
    }

    @Override
    public void removeClientCertificate() {
        throw readOnly();
    }

    @Override
    public String toString() {
        return owner + "'s job " + rec.id;
    }
}
