package org.jbits.windows;

import com.sun.jna.platform.win32.Advapi32Util;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.BitsFile;
import org.jbits.BitsFileRange;
import org.jbits.NotifyCmdLine;
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
import org.jbits.TransferPolicy;
import org.jbits.windows.BitsStructures.BG_JOB_PROGRESS;
import org.jbits.windows.BitsStructures.BG_JOB_TIMES;
import org.jbits.windows.BitsStructures.BITS_JOB_PROPERTY_VALUE;

/**
 * A BITS job of the native backend: every method is one or a few COM calls on the manager's COM thread. Nothing
 * is cached but the id, so each getter shows what BITS holds now; a method BITS does not implement (E_NOTIMPL,
 * as Wine's stubs) fails with that code rather than being imitated.
 */
final class NativeJob implements BitsJob {
    private final NativeBitsManager manager;
    private final ComThread com;
    private final JobRefs refs;
    private final UUID id;

    NativeJob(NativeBitsManager manager, JobRefs refs, UUID id) {
        this.manager = manager;
        this.com = manager.com();
        this.refs = refs;
        this.id = id;
    }

    /** The interface pointers of one job, released on the COM thread when the job object is collected or the manager closes. */
    static final class JobRefs implements Runnable {
        private final ComThread com;
        final IBackgroundCopyJob job;
        private IBackgroundCopyJob2 job2;
        private IBackgroundCopyJob4 job4;
        private IBackgroundCopyJob5 job5;
        private boolean askedJob2;
        private IBackgroundCopyJobHttpOptions httpOptions;
        private IBackgroundCopyJobHttpOptions httpOptions3;
        private boolean askedJob4;
        private boolean askedJob5;
        private boolean askedHttpOptions;
        private boolean askedHttpOptions3;
        private boolean released;

        JobRefs(ComThread com, IBackgroundCopyJob job) {
            this.com = com;
            this.job = job;
        }

        /** IBackgroundCopyJob2, or null when BITS does not offer it (BITS 1.0); on the COM thread. */
        IBackgroundCopyJob2 job2() {
            if (!askedJob2) {
                askedJob2 = true;
                job2 = job.queryJob2();
            }
            return job2;
        }

        /** IBackgroundCopyJob4, or null when BITS does not offer it; on the COM thread. */
        IBackgroundCopyJob4 job4() {
            if (!askedJob4) {
                askedJob4 = true;
                job4 = job.queryJob4();
            }
            return job4;
        }

        /** IBackgroundCopyJob5, or null; on the COM thread. */
        IBackgroundCopyJob5 job5() {
            if (!askedJob5) {
                askedJob5 = true;
                job5 = job.queryJob5();
            }
            return job5;
        }

        /** IBackgroundCopyJobHttpOptions, or null (BITS before 2.5); on the COM thread. */
        IBackgroundCopyJobHttpOptions httpOptions() {
            if (!askedHttpOptions) {
                askedHttpOptions = true;
                httpOptions = job.queryHttpOptions();
            }
            return httpOptions;
        }

        /** IBackgroundCopyJobHttpOptions3, or null (before BITS 10.3, Wine); on the COM thread. */
        IBackgroundCopyJobHttpOptions httpOptions3() {
            if (!askedHttpOptions3) {
                askedHttpOptions3 = true;
                httpOptions3 = job.queryHttpOptions3();
            }
            return httpOptions3;
        }

        /** Releases every pointer; on the COM thread, once. */
        void releaseNow() {
            if (released) {
                return;
            }
            released = true;
            for (ComObject o : Arrays.asList(httpOptions3, httpOptions, job5, job4, job2, job)) {
                if (o != null) {
                    o.release();
                }
            }
        }

        boolean isReleased() {
            return released;
        }

        /** The cleaner's action: hand the release to the COM thread. */
        @Override
        public void run() {
            com.post(this::releaseNow);
        }
    }

    /** Runs {@code f} with the job's interfaces on the COM thread. */
    private <T> T on(Function<JobRefs, T> f) {
        return com.call(() -> {
            if (refs.isReleased()) {
                throw new BitsException(HResult.E_UNEXPECTED, "job " + id + ": the native BITS manager is closed");
            }
            return f.apply(refs);
        });
    }

    private void run(java.util.function.Consumer<JobRefs> f) {
        on(r -> {
            f.accept(r);
            return null;
        });
    }

    JobRefs refs() {
        return refs;
    }

    @Override
    public UUID id() {
        return id;
    }

    @Override
    public JobType type() {
        return JobType.of(on(r -> r.job.getType()));
    }

    @Override
    public JobState state() {
        return JobState.of(on(r -> r.job.getState()));
    }

    /** The owner as {@code DOMAIN\\user}; the SID BITS gives when the account cannot be looked up. */
    @Override
    public String owner() {
        String sid = on(r -> r.job.getOwner());
        try {
            return Advapi32Util.getAccountBySid(sid).fqn;
        } catch (RuntimeException | LinkageError unknownAccount) {
            return sid;
        }
    }

    @Override
    public void addFile(String remoteName, String localName) {
        if (remoteName == null || localName == null) {
            throw new BitsException(HResult.E_INVALIDARG, "AddFile needs a remote and a local name");
        }
        String remote = UncNames.forBits(remoteName);
        run(r -> r.job.addFile(remote, localName));
    }

    @Override
    public List<BitsFile> files() {
        return on(r -> {
            IEnumBackgroundCopyFiles e = r.job.enumFiles();
            List<BitsFile> out = new ArrayList<>();
            try {
                for (IBackgroundCopyFile f : e.all()) {
                    try {
                        out.add(ComReads.file(f));
                    } finally {
                        f.release();
                    }
                }
            } finally {
                e.release();
            }
            return out;
        });
    }

    @Override
    public JobProgress progress() {
        BG_JOB_PROGRESS p = on(r -> r.job.getProgress());
        return new JobProgress(p.BytesTotal, p.BytesTransferred, p.FilesTotal, p.FilesTransferred);
    }

    @Override
    public JobTimes times() {
        BG_JOB_TIMES t = on(r -> r.job.getTimes());
        return new JobTimes(FileTimes.toInstant(t.CreationTime), FileTimes.toInstant(t.ModificationTime),
                FileTimes.toInstant(t.TransferCompletionTime));
    }

    @Override
    public Optional<JobError> error() {
        return Optional.ofNullable(on(r -> {
            IBackgroundCopyError e = r.job.getError();
            if (e == null) {
                return null;
            }
            try {
                return ComReads.error(e, manager.comManager());
            } finally {
                e.release();
            }
        }));
    }

    @Override
    public int errorCount() {
        return on(r -> r.job.getErrorCount());
    }

    @Override
    public void suspend() {
        run(r -> r.job.suspend());
    }

    /** Resume; the notify interface is set again first, as BITS forgets it when the owning process is gone. */
    @Override
    public void resume() {
        run(r -> {
            manager.notifier().register(this);
            r.job.resume();
        });
    }

    @Override
    public void cancel() {
        run(r -> r.job.cancel());
    }

    @Override
    public int complete() {
        return on(r -> r.job.complete());
    }

    @Override
    public String displayName() {
        return nullToEmpty(on(r -> r.job.getDisplayName()));
    }

    @Override
    public void setDisplayName(String name) {
        run(r -> r.job.setDisplayName(requireText(name, "display name")));
    }

    @Override
    public String description() {
        return nullToEmpty(on(r -> r.job.getDescription()));
    }

    @Override
    public void setDescription(String description) {
        run(r -> r.job.setDescription(requireText(description, "description")));
    }

    @Override
    public JobPriority priority() {
        return JobPriority.of(on(r -> r.job.getPriority()));
    }

    @Override
    public void setPriority(JobPriority priority) {
        run(r -> r.job.setPriority(priority.value()));
    }

    @Override
    public Set<NotifyFlag> notifyFlags() {
        return NotifyFlag.fromMask(on(r -> r.job.getNotifyFlags()));
    }

    @Override
    public void setNotifyFlags(Set<NotifyFlag> flags) {
        int mask = NotifyFlag.toMask(flags);
        run(r -> r.job.setNotifyFlags(mask));
    }

    @Override
    public long minimumRetryDelay() {
        return on(r -> r.job.getMinimumRetryDelay());
    }

    @Override
    public void setMinimumRetryDelay(long seconds) {
        int v = ulong(seconds, "minimum retry delay");
        run(r -> r.job.setMinimumRetryDelay(v));
    }

    @Override
    public long noProgressTimeout() {
        return on(r -> r.job.getNoProgressTimeout());
    }

    @Override
    public void setNoProgressTimeout(long seconds) {
        int v = ulong(seconds, "no-progress timeout");
        run(r -> r.job.setNoProgressTimeout(v));
    }

    @Override
    public ProxySettings proxySettings() {
        IBackgroundCopyJob.Proxy p = on(r -> r.job.getProxySettings());
        return new ProxySettings(ProxyUsage.of(p.usage()), split(p.proxyList()), split(p.bypassList()));
    }

    /** The lists go to BITS space-delimited, and as NULL when empty (BITS wants NULL unless the usage is OVERRIDE). */
    @Override
    public void setProxySettings(ProxySettings settings) {
        String list = settings.proxyList().isEmpty() ? null : String.join(" ", settings.proxyList());
        String bypass = settings.bypassList().isEmpty() ? null : String.join(" ", settings.bypassList());
        run(r -> r.job.setProxySettings(settings.usage().value(), list, bypass));
    }

    /**
     * IBackgroundCopyJob2::GetReplyFileName. BITS answers E_NOTIMPL for download and upload jobs (and Wine for every
     * job: a stub), which is passed on; E_NOINTERFACE before BITS 1.5.
     */
    @Override
    public String replyFileName() {
        return on(r -> require(r.job2(), "IBackgroundCopyJob2", "the reply file").getReplyFileName());
    }

    @Override
    public void setReplyFileName(String replyFileName) {
        String name = replyFileName == null || replyFileName.isEmpty() ? null : replyFileName;
        run(r -> require(r.job2(), "IBackgroundCopyJob2", "the reply file").setReplyFileName(name));
    }

    /** IBackgroundCopyJob2::GetReplyProgress: BG_SIZE_UNKNOWN until the reply's size is known. */
    @Override
    public ReplyProgress replyProgress() {
        BitsStructures.BG_JOB_REPLY_PROGRESS p = on(r -> require(r.job2(), "IBackgroundCopyJob2", "the reply progress")
                .getReplyProgress());
        return new ReplyProgress(p.BytesTotal, p.BytesTransferred);
    }

    /** IBackgroundCopyJob2::GetReplyData: at most 1 MB (BG_E_TOO_LARGE), only in Transferred (BG_E_INVALID_STATE). */
    @Override
    public byte[] replyData() {
        return on(r -> require(r.job2(), "IBackgroundCopyJob2", "the reply data").getReplyData());
    }

    /** IBackgroundCopyJob4::GetMaximumDownloadTime; E_NOINTERFACE before BITS 3.0. */
    @Override
    public long maximumDownloadTime() {
        return on(r -> require(r.job4(), "IBackgroundCopyJob4", "the maximum download time").getMaximumDownloadTime());
    }

    @Override
    public void setMaximumDownloadTime(long seconds) {
        int v = ulong(seconds, "maximum download time");
        run(r -> require(r.job4(), "IBackgroundCopyJob4", "the maximum download time").setMaximumDownloadTime(v));
    }

    /**
     * IBackgroundCopyJob5::GetProperty(BITS_JOB_PROPERTY_ID_COST_FLAGS). Without Job5 (BITS before 5.0, Wine)
     * BITS has no cost awareness and transfers on every network, which is
     * {@link BitsStructures#BITS_COST_STATE_TRANSFER_ALWAYS}: that is reported, since it is what such a BITS does.
     */
    @Override
    public int transferPolicyFlags() {
        return on(r -> {
            IBackgroundCopyJob5 j5 = r.job5();
            return j5 != null ? j5.getDwordProperty(BitsStructures.BITS_JOB_PROPERTY_ID_COST_FLAGS)
                    : BitsStructures.BITS_COST_STATE_TRANSFER_ALWAYS;
        });
    }

    /**
     * IBackgroundCopyJob5::SetProperty(COST_FLAGS, value by value), after {@link BitsLimits#checkCostFlags}. Without
     * Job5 only {@link TransferPolicy#ALWAYS}'s mask, which such a BITS already does, is accepted (on a job that is
     * not final); any other mask fails with E_NOINTERFACE, since it could not be enforced.
     */
    @Override
    public void setTransferPolicyFlags(int flags) {
        BitsLimits.checkCostFlags(flags);
        run(r -> {
            IBackgroundCopyJob5 j5 = r.job5();
            if (j5 != null) {
                j5.setProperty(BitsStructures.BITS_JOB_PROPERTY_ID_COST_FLAGS, BITS_JOB_PROPERTY_VALUE.ofDword(flags));
                return;
            }
            if (JobState.of(r.job.getState()).isFinal()) {
                throw new BitsException(HResult.BG_E_INVALID_STATE, "job " + id + " is final");
            }
            if (flags != BitsStructures.BITS_COST_STATE_TRANSFER_ALWAYS) {
                TransferPolicy named = TransferPolicy.ofFlags(flags);
                throw new BitsException(HResult.E_NOINTERFACE, "this BITS has no IBackgroundCopyJob5, so it cannot "
                        + "restrict job " + id + " to the cost flags " + HResult.hex(flags)
                        + (named == null ? "" : " (" + named.displayName() + ")") + " (BITS 5.0 or later needed)");
            }
        });
    }

    // ------------------------------------------------------------ BITS 1.5-10.x properties

    /** IBackgroundCopyJob2::GetNotifyCmdLine; null when BITS has no program. */
    @Override
    public NotifyCmdLine notifyCmdLine() {
        String[] c = on(r -> withJob2(r, IBackgroundCopyJob2::getNotifyCmdLine));
        return c[0] == null || c[0].isEmpty() ? null : new NotifyCmdLine(c[0], c[1]);
    }

    /** IBackgroundCopyJob2::SetNotifyCmdLine, after BitsLimits' checks (BITS checks the rest itself). */
    @Override
    public void setNotifyCmdLine(String program, String parameters) {
        BitsLimits.checkNotifyCmdLine(program, parameters);
        run(r -> withJob2(r, j2 -> {
            j2.setNotifyCmdLine(program, parameters);
            return null;
        }));
    }

    /** IBackgroundCopyJob3::AddFileWithRanges, after BitsLimits' checks (MaxRangesPerFile as BITS' default). */
    @Override
    public void addFileWithRanges(String remoteName, String localName, List<BitsFileRange> ranges) {
        if (remoteName == null || localName == null) {
            throw new BitsException(HResult.E_INVALIDARG, "AddFileWithRanges needs a remote and a local name");
        }
        List<BitsFileRange> checked = BitsLimits.checkRanges(ranges, BitsLimits.MAX_RANGES_PER_FILE);
        run(r -> withJob3(r, j3 -> {
            j3.addFileWithRanges(remoteName, localName, checked);
            return null;
        }));
    }

    /** IBackgroundCopyFile2::GetFileRanges of the file at {@code fileIndex}. */
    @Override
    public List<BitsFileRange> fileRanges(int fileIndex) {
        return on(r -> withFile(r, fileIndex, f -> {
            IBackgroundCopyFile.IBackgroundCopyFile2 f2 = require(f.queryFile2(), "IBackgroundCopyFile2", "file ranges");
            try {
                return f2.getFileRanges();
            } finally {
                f2.release();
            }
        }));
    }

    /** IBackgroundCopyFile2::SetRemoteName of the file at {@code fileIndex}. */
    @Override
    public void setRemoteName(int fileIndex, String remoteName) {
        BitsLimits.checkText("remote name", remoteName);
        on(r -> withFile(r, fileIndex, f -> {
            IBackgroundCopyFile.IBackgroundCopyFile2 f2 = require(f.queryFile2(), "IBackgroundCopyFile2", "SetRemoteName");
            try {
                f2.setRemoteName(remoteName);
                return null;
            } finally {
                f2.release();
            }
        }));
    }

    /** IBackgroundCopyJob3::ReplaceRemotePrefix: S_OK, or S_FALSE when no name matched. */
    @Override
    public int replaceRemotePrefix(String oldPrefix, String newPrefix) {
        return on(r -> withJob3(r, j3 -> j3.replaceRemotePrefix(oldPrefix, newPrefix)));
    }

    /** IBackgroundCopyFile5::GetProperty(BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS); E_NOINTERFACE before BITS 5.0. */
    @Override
    public String fileResponseHeaders(int fileIndex) {
        return on(r -> withFile(r, fileIndex, f -> {
            IBackgroundCopyFile.IBackgroundCopyFile5 f5 = require(f.queryFile5(), "IBackgroundCopyFile5",
                    "a file's HTTP response headers");
            try {
                return f5.getStringProperty(IBackgroundCopyFile.IBackgroundCopyFile5.BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS);
            } finally {
                f5.release();
            }
        }));
    }

    /** A BOOL property of IBackgroundCopyJob5 ({@code what} names it in an E_NOINTERFACE error). */
    private boolean enableProperty(int id, String what) {
        return on(r -> job5(r, what).getEnableProperty(id));
    }

    private void setEnableProperty(int id, String what, boolean enable) {
        run(r -> job5(r, what).setProperty(id, BITS_JOB_PROPERTY_VALUE.ofEnable(enable)));
    }

    @Override
    public boolean dynamicContent() {
        return enableProperty(BitsStructures.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, "dynamic content");
    }

    @Override
    public void setDynamicContent(boolean enable) {
        setEnableProperty(BitsStructures.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, "dynamic content", enable);
    }

    @Override
    public boolean onDemand() {
        return enableProperty(BitsStructures.BITS_JOB_PROPERTY_ON_DEMAND_MODE, "on-demand mode");
    }

    /** BITS 10.1's own rules and codes (BG_E_RANDOM_ACCESS_NOT_SUPPORTED, ...) come back as BITS returns them. */
    @Override
    public void setOnDemand(boolean enable) {
        setEnableProperty(BitsStructures.BITS_JOB_PROPERTY_ON_DEMAND_MODE, "on-demand mode", enable);
    }

    /** IBackgroundCopyFile6::RequestFileRanges; E_NOINTERFACE before BITS 10.1 (and under Wine). */
    @Override
    public void requestFileRanges(int fileIndex, List<BitsFileRange> ranges) {
        if (ranges == null || ranges.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "no ranges were given");
        }
        List<BitsFileRange> copy = List.copyOf(ranges);
        on(r -> withFile6(r, fileIndex, "RequestFileRanges", f6 -> {
            f6.requestFileRanges(copy);
            return null;
        }));
    }

    /** IBackgroundCopyFile6::UpdateDownloadPosition. */
    @Override
    public void updateDownloadPosition(int fileIndex, long offset) {
        on(r -> withFile6(r, fileIndex, "UpdateDownloadPosition", f6 -> {
            f6.updateDownloadPosition(offset);
            return null;
        }));
    }

    /** IBackgroundCopyFile6::GetFilledFileRanges. */
    @Override
    public List<BitsFileRange> filledFileRanges(int fileIndex) {
        return on(r -> withFile6(r, fileIndex, "GetFilledFileRanges",
                IBackgroundCopyFile.IBackgroundCopyFile6::getFilledFileRanges));
    }

    private <T> T withFile6(JobRefs r, int fileIndex, String what,
            java.util.function.Function<IBackgroundCopyFile.IBackgroundCopyFile6, T> call) {
        return withFile(r, fileIndex, f -> {
            IBackgroundCopyFile.IBackgroundCopyFile6 f6 = require(f.queryFile6(), "IBackgroundCopyFile6", what);
            try {
                return call.apply(f6);
            } finally {
                f6.release();
            }
        });
    }

    @Override
    public boolean highPerformance() {
        return enableProperty(BitsStructures.BITS_JOB_PROPERTY_HIGH_PERFORMANCE, "high performance");
    }

    /** BITS' own: the file is written straight to its destination, with no temporary file. */
    @Override
    public void setHighPerformance(boolean enable) {
        setEnableProperty(BitsStructures.BITS_JOB_PROPERTY_HIGH_PERFORMANCE, "high performance", enable);
    }

    @Override
    public long maximumDownloadSize() {
        return on(r -> job5(r, "the maximum download size")
                .getUint64Property(BitsStructures.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE));
    }

    @Override
    public void setMaximumDownloadSize(long bytes) {
        BitsLimits.checkMaxDownloadSize(bytes);
        run(r -> job5(r, "the maximum download size").setProperty(BitsStructures.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE,
                BITS_JOB_PROPERTY_VALUE.ofUint64(bytes)));
    }

    @Override
    public long minimumNotificationInterval() {
        return on(r -> job5(r, "the minimum notification interval")
                .getDwordProperty(BitsStructures.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS) & 0xFFFFFFFFL);
    }

    @Override
    public void setMinimumNotificationInterval(long millis) {
        int v = (int) BitsLimits.checkNotifyInterval(millis);
        run(r -> job5(r, "the minimum notification interval").setProperty(
                BitsStructures.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, BITS_JOB_PROPERTY_VALUE.ofDword(v)));
    }

    /** IBackgroundCopyJob3::GetFileACLFlags. */
    @Override
    public int fileAclFlags() {
        return on(r -> withJob3(r, IBackgroundCopyJob3::getFileAclFlags));
    }

    /** IBackgroundCopyJob3::SetFileACLFlags: BITS copies the owner, group, DACL and SACL of SMB sources. */
    @Override
    public void setFileAclFlags(int flags) {
        BitsLimits.checkAclFlags(flags);
        run(r -> withJob3(r, j3 -> {
            j3.setFileAclFlags(flags);
            return null;
        }));
    }

    private static IBackgroundCopyJob5 job5(JobRefs r, String what) {
        return require(r.job5(), "IBackgroundCopyJob5", what);
    }

    /** {@code f} with IBackgroundCopyJob2 (Job4's when BITS offers it, else queried and released). COM thread. */
    private static <T> T withJob2(JobRefs r, Function<IBackgroundCopyJob2, T> f) {
        IBackgroundCopyJob4 j4 = r.job4();
        if (j4 != null) {
            return f.apply(j4);
        }
        IBackgroundCopyJob2 j2 = require(r.job.queryJob2(), "IBackgroundCopyJob2", "the notify command line");
        try {
            return f.apply(j2);
        } finally {
            j2.release();
        }
    }

    /** {@code f} with IBackgroundCopyJob3 (Job4's when BITS offers it, else queried and released). COM thread. */
    private static <T> T withJob3(JobRefs r, Function<IBackgroundCopyJob3, T> f) {
        IBackgroundCopyJob4 j4 = r.job4();
        if (j4 != null) {
            return f.apply(j4);
        }
        IBackgroundCopyJob3 j3 = require(r.job.queryJob3(), "IBackgroundCopyJob3", "this call (BITS 2.0)");
        try {
            return f.apply(j3);
        } finally {
            j3.release();
        }
    }

    /** {@code f} with the job's file at {@code index} in BITS' enumeration order. COM thread. */
    private <T> T withFile(JobRefs r, int index, Function<IBackgroundCopyFile, T> f) {
        IEnumBackgroundCopyFiles e = r.job.enumFiles();
        try {
            List<IBackgroundCopyFile> all = e.all();
            try {
                if (index < 0 || index >= all.size()) {
                    throw new BitsException(HResult.E_INVALIDARG, "job " + id + " has no file " + index + " (it has "
                            + all.size() + ", numbered from 0)");
                }
                return f.apply(all.get(index));
            } finally {
                all.forEach(IBackgroundCopyFile::release);
            }
        } finally {
            e.release();
        }
    }

    // ---------------------------------------------------------------- credentials and HTTP options (BITS' own calls)

    /**
     * IBackgroundCopyJob2::SetCredentials with a BG_AUTH_CREDENTIALS built here and cleared after the call (the
     * password lives in native memory for the call only). Checked first ({@link BitsLimits#checkCredentials}).
     */
    @Override
    public void setCredentials(org.jbits.AuthTarget target, org.jbits.AuthScheme scheme, String userName, String password) {
        BitsLimits.checkCredentials(target, scheme, userName, password);
        run(r -> {
            BitsStructures.BG_AUTH_CREDENTIALS c = new BitsStructures.BG_AUTH_CREDENTIALS();
            c.Target = target.value();
            c.Scheme = scheme.value();
            c.Basic.UserName = userName == null ? null : new com.sun.jna.WString(userName);
            c.Basic.Password = password == null ? null : new com.sun.jna.WString(password);
            try {
                require(r.job4(), "IBackgroundCopyJob2", "credentials").setCredentials(c);
            } finally {
                c.Basic.UserName = null;
                c.Basic.Password = null;
                c.clear();
            }
        });
    }

    /** IBackgroundCopyJob2::RemoveCredentials. */
    @Override
    public void removeCredentials(org.jbits.AuthTarget target, org.jbits.AuthScheme scheme) {
        BitsLimits.checkAuth(target, scheme);
        run(r -> require(r.job4(), "IBackgroundCopyJob2", "credentials").removeCredentials(target.value(), scheme.value()));
    }

    /** IBackgroundCopyJobHttpOptions::GetCustomHeaders: null when there are none (S_FALSE); E_ACCESSDENIED once write-only. */
    @Override
    public String customHeaders() {
        return on(r -> http(r).getCustomHeaders());
    }

    /** IBackgroundCopyJobHttpOptions::SetCustomHeaders, after {@link BitsLimits#checkCustomHeaders}. */
    @Override
    public void setCustomHeaders(String headers) {
        String h = BitsLimits.checkCustomHeaders(headers);
        run(r -> http(r).setCustomHeaders(h));
    }

    /** IBackgroundCopyJobHttpOptions3::MakeCustomHeadersWriteOnly; E_NOINTERFACE before BITS 10.3 (and on Wine). */
    @Override
    public void makeCustomHeadersWriteOnly() {
        run(r -> require(r.httpOptions3(), "IBackgroundCopyJobHttpOptions3", "write-only custom headers")
                .makeCustomHeadersWriteOnly());
    }

    /** IBackgroundCopyJobHttpOptions::GetSecurityFlags. */
    @Override
    public int securityFlags() {
        return on(r -> http(r).getSecurityFlags());
    }

    /** IBackgroundCopyJobHttpOptions::SetSecurityFlags, after {@link BitsLimits#checkSecurityFlags}. */
    @Override
    public void setSecurityFlags(int flags) {
        BitsLimits.checkSecurityFlags(flags);
        run(r -> http(r).setSecurityFlags(flags));
    }

    /** IBackgroundCopyJobHttpOptions::SetClientCertificateByName. */
    @Override
    public void setClientCertificateByName(int location, String storeName, String subjectName) {
        if (location < 0 || location > 7) {
            throw new BitsException(HResult.E_INVALIDARG, "the certificate store location is 0 (current user) to 7"
                    + " (local machine enterprise), not " + location);
        }
        BitsLimits.checkText("certificate store name", requireText(storeName, "certificate store name"));
        BitsLimits.checkText("certificate subject name", requireText(subjectName, "certificate subject name"));
        run(r -> http(r).setClientCertificateByName(location, storeName, subjectName));
    }

    /** IBackgroundCopyJobHttpOptions::RemoveClientCertificate. */
    @Override
    public void removeClientCertificate() {
        run(r -> http(r).removeClientCertificate());
    }

    /** IBackgroundCopyJobHttpOptions::GetClientCertificate's subject name. */
    @Override
    public String clientCertificateSubject() {
        return on(r -> http(r).getClientCertificateSubject());
    }

    private static IBackgroundCopyJobHttpOptions http(JobRefs r) {
        return require(r.httpOptions(), "IBackgroundCopyJobHttpOptions", "HTTP options");
    }

    @Override
    public String toString() {
        return "native job " + id;
    }

    private static <T> T require(T iface, String name, String what) {
        if (iface == null) {
            throw new BitsException(HResult.E_NOINTERFACE, "this BITS does not offer " + name + ", which " + what + " needs");
        }
        return iface;
    }

    private static int ulong(long seconds, String what) {
        return (int) BitsLimits.checkSeconds(what, seconds);
    }

    private static String requireText(String s, String what) {
        if (s == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the " + what + " must not be null");
        }
        return s;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** A space-delimited BITS list as a Java list; NULL and blank give an empty list. */
    static List<String> split(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        return List.of(list.trim().split("\\s+"));
    }
}
