package org.jbits;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A BITS job ({@code IBackgroundCopyJob}). Every getter reads the job's current state; every setter and state
 * change fails with {@link HResult#BG_E_INVALID_STATE} once the job is Acknowledged or Cancelled.
 * Errors are thrown as {@link BitsException} carrying BITS' HRESULT.
 */
public interface BitsJob {
    /** The job's GUID. */
    UUID id();

    /** Download, upload or upload-reply. */
    JobType type();

    /** The current state. */
    JobState state();

    /**
     * Waits until the job's state is no longer {@code from}, or {@code timeout} has passed, and returns the state
     * then. Not a BITS call: a convenience for callers that follow a job (the CLI's synchronous {@code start}).
     * Backends that are told of changes wake at once; this default looks every 50 ms.
     */
    default JobState awaitStateChange(JobState from, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobState s = state();
        while (s == from && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return s;
            }
            s = state();
        }
        return s;
    }

    /** The account that owns the job. */
    String owner();

    /** Adds a file: {@code remoteName} is the URL (or path), {@code localName} the full local path. */
    void addFile(String remoteName, String localName);

    /**
     * Adds a file that must have the SHA-256 {@code expectedSha256} (64 hex digits, {@link BitsLimits#checkSha256}):
     * not a BITS call. Once transferred the file is checked; a mismatch fails it with
     * {@link HResult#BG_E_VALIDATION_FAILED} (RemoteFile context, as BITS' File3 validation state does), its bytes
     * are discarded and nothing appears under its name; a match shows in {@link BitsFile#sha256()}. Null is
     * {@link #addFile(String, String)}. Backends that cannot check a hash fail with E_NOTIMPL.
     */
    default void addFile(String remoteName, String localName, String expectedSha256) {
        if (expectedSha256 == null) {
            addFile(remoteName, localName);
            return;
        }
        throw new BitsException(HResult.E_NOTIMPL, "this backend does not check expected SHA-256 hashes");
    }

    /**
     * Adds several files at once ({@code AddFileSet}). The portable engine checks them all first and adds them in
     * one commit, or none; this default adds them one by one.
     */
    default void addFileSet(List<FileInfo> files) {
        for (FileInfo f : files) {
            if (f.expectedSha256() == null) {
                addFile(f.remoteName(), f.localName());
            } else {
                addFile(f.remoteName(), f.localName(), f.expectedSha256());
            }
        }
    }

    /** The job's files, in the order they were added. */
    List<BitsFile> files();

    /** Bytes and files transferred. */
    JobProgress progress();

    /** Creation, modification and completion times. */
    JobTimes times();

    /** The last error, present while the job is in Error or TransientError (and kept after a retry succeeds until new progress). */
    Optional<JobError> error();

    /** How many errors the job has had. */
    int errorCount();

    /** Suspends the job; a suspended job stays suspended. */
    void suspend();

    /** Queues the job for transfer. Fails with {@link HResult#BG_E_EMPTY} when the job has no files. */
    void resume();

    /** Cancels the job and deletes its temporary files and any file it transferred. */
    void cancel();

    /**
     * Ends the job: transferred files appear under their local names, the others are deleted.
     *
     * @return {@link HResult#S_OK}, or {@link HResult#BG_S_PARTIAL_COMPLETE} when some files were not transferred
     */
    int complete();

    /** The display name (at most 256 characters). */
    String displayName();

    /** Sets the display name. */
    void setDisplayName(String name);

    /** The description (at most 1,024 characters). */
    String description();

    /** Sets the description. */
    void setDescription(String description);

    /** The priority. */
    JobPriority priority();

    /** Sets the priority. */
    void setPriority(JobPriority priority);

    /** Which events notify the job's listeners and command line. */
    Set<NotifyFlag> notifyFlags();

    /** Sets the notify flags. */
    void setNotifyFlags(Set<NotifyFlag> flags);

    /** Seconds to wait after a transient error before retrying (default 600). */
    long minimumRetryDelay();

    /** Sets the retry delay; values under 5 seconds become 5. */
    void setMinimumRetryDelay(long seconds);

    /** Seconds without progress after which a transient error becomes fatal (default 1,209,600). */
    long noProgressTimeout();

    /** Sets the no-progress timeout; 0 makes every error fatal. */
    void setNoProgressTimeout(long seconds);

    /** The proxy settings. */
    ProxySettings proxySettings();

    /** Sets the proxy settings. */
    void setProxySettings(ProxySettings settings);

    /** Seconds of transferring after which the job fails with BG_E_MAXDOWNLOAD_TIMEOUT (default 7,776,000). */
    long maximumDownloadTime();

    /** Sets the maximum download time; 0 means no limit. */
    void setMaximumDownloadTime(long seconds);

    /**
     * The job's cost flags ({@code BITS_JOB_PROPERTY_ID_COST_FLAGS}): a {@link CostState} bit for each network cost
     * state the job may transfer on, and {@link BitsLimits#COST_OPTION_IGNORE_CONGESTION}.
     * {@link TransferPolicy#ofFlags(int)} names it when it is one of the named policies.
     */
    int transferPolicyFlags();

    /**
     * Sets the cost flags to any mask of {@link CostState} bits, with or without
     * {@link BitsLimits#COST_OPTION_IGNORE_CONGESTION} (BITS' "custom bitmask" policy); another bit fails with
     * E_INVALIDARG ({@link BitsLimits#checkCostFlags(int)}). A BITS without cost awareness (before 5.0) can only be
     * given {@link TransferPolicy#ALWAYS}'s mask, which is what it does anyway; any other fails with E_NOINTERFACE.
     */
    void setTransferPolicyFlags(int flags);

    /** Sets the cost flags of a named policy: {@code setTransferPolicyFlags(policy.flags())}. */
    default void setTransferPolicy(TransferPolicy policy) {
        if (policy == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the transfer policy must not be null");
        }
        setTransferPolicyFlags(policy.flags());
    }

    /**
     * The file an upload-reply job's reply is written to ({@code IBackgroundCopyJob2::GetReplyFileName}): the name
     * set with {@link #setReplyFileName}, or the one the backend chose; null before the job has its file. The file
     * appears under this name only at {@link #complete()}.
     *
     * @throws BitsException E_NOTIMPL for download and upload jobs, and where a backend has no reply files
     */
    default String replyFileName() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no upload-reply jobs");
    }

    /**
     * Sets the reply file ({@code IBackgroundCopyJob2::SetReplyFileName}): a full path in an existing directory this
     * user may write; null or empty lets the backend choose. Fails with BG_E_INVALID_STATE once the reply is being
     * transferred (or is there).
     *
     * @throws BitsException E_NOTIMPL for download and upload jobs, and where a backend has no reply files
     */
    default void setReplyFileName(String replyFileName) {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no upload-reply jobs");
    }

    /**
     * How much of the reply has arrived ({@code IBackgroundCopyJob2::GetReplyProgress}).
     *
     * @throws BitsException E_NOTIMPL for download and upload jobs, and where a backend has no reply files
     */
    default ReplyProgress replyProgress() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no upload-reply jobs");
    }

    /**
     * The reply in memory ({@code IBackgroundCopyJob2::GetReplyData}): once the job is Transferred (and after
     * Complete), at most 1 MiB; an empty array when the server application gave no reply.
     *
     * @throws BitsException BG_E_INVALID_STATE before the job is Transferred; BG_E_TOO_LARGE for a reply larger than
     *     1 MiB (its size in the message: read {@link #replyFileName()} after Complete instead); E_NOTIMPL for download
     *     and upload jobs, and where a backend has no reply files
     */
    default byte[] replyData() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no upload-reply jobs");
    }

    /**
     * Not a BITS property: the POSIX permission bits (0 to 0777) the job's downloaded files get at Complete. Until
     * then a file is 0600, readable by its owner only. Defaults to 0666 less the umask of the process that created
     * the job. Backends without POSIX modes (Windows' BITS, which gives a file its directory's ACL) fail with
     * E_NOTIMPL.
     */
    default int localFileMode() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no POSIX file modes");
    }

    /** Sets {@link #localFileMode()}; anything outside 0 to 0777 (setuid, setgid, sticky) fails with E_INVALIDARG. */
    default void setLocalFileMode(int mode) {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no POSIX file modes");
    }

    // ------------------------------------------------------------ BITS 1.5-10.x job and file properties

    /**
     * {@code IBackgroundCopyJob2::GetNotifyCmdLine}: the program run when the job is transferred or fails (as its
     * notify flags say), or null when none is set.
     */
    default NotifyCmdLine notifyCmdLine() {
        throw notImplemented("the notify command line");
    }

    /**
     * {@code IBackgroundCopyJob2::SetNotifyCmdLine}: {@code program} (a full path) is run, as the job's owner and
     * never through a shell, when the job reaches Transferred (flag {@link NotifyFlag#JOB_TRANSFERRED}) or Error
     * ({@link NotifyFlag#JOB_ERROR}); {@code parameters} is the whole command line, starting with the program
     * ({@link NotifyCmdLine#argv}). A program that exits non-zero is run again after the minimum retry delay while
     * the job is neither completed nor cancelled. Both null removes it. Checked with
     * {@link BitsLimits#checkNotifyCmdLine}.
     */
    default void setNotifyCmdLine(String program, String parameters) {
        throw notImplemented("the notify command line");
    }

    /**
     * {@code IBackgroundCopyJob3::AddFileWithRanges}: adds a file of which only {@code ranges} are downloaded,
     * written one after another in the given order ({@link BitsFileRange}). Download jobs and HTTP(S) only;
     * checked with {@link BitsLimits#checkRanges}; a range past the end of the remote file fails the job with
     * BG_E_INVALID_RANGE, a server without range support with BG_E_INSUFFICIENT_RANGE_SUPPORT.
     */
    default void addFileWithRanges(String remoteName, String localName, List<BitsFileRange> ranges) {
        throw notImplemented("file ranges");
    }

    /** {@code IBackgroundCopyFile2::GetFileRanges} of the job's file {@code fileIndex} (0 first); empty: the whole file. */
    default List<BitsFileRange> fileRanges(int fileIndex) {
        throw notImplemented("file ranges");
    }

    /**
     * {@code IBackgroundCopyFile2::SetRemoteName} of the file {@code fileIndex}: the file continues from the new
     * URL where it stopped when the new server has the same version of it (same validator), else it starts over;
     * a transferred file is not fetched again. Download jobs only (E_NOTIMPL otherwise).
     */
    default void setRemoteName(int fileIndex, String remoteName) {
        throw notImplemented("SetRemoteName");
    }

    /**
     * {@code IBackgroundCopyJob3::ReplaceRemotePrefix}: every remote name that starts with {@code oldPrefix}
     * (compared case-sensitively) gets {@code newPrefix} instead, as {@link #setRemoteName} would.
     *
     * @return {@link HResult#S_OK}, or {@link HResult#S_FALSE} when no remote name matched
     */
    default int replaceRemotePrefix(String oldPrefix, String newPrefix) {
        throw notImplemented("ReplaceRemotePrefix");
    }

    /**
     * {@code IBackgroundCopyFile5::GetProperty(BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS)}: the status line and
     * headers of the last HTTP response for the file {@code fileIndex}, CRLF-separated; null before any.
     */
    default String fileResponseHeaders(int fileIndex) {
        throw notImplemented("the HTTP response headers of a file");
    }

    /** {@code BITS_JOB_PROPERTY_DYNAMIC_CONTENT}: whether the job takes content without a size or range support. */
    default boolean dynamicContent() {
        throw notImplemented("dynamic content");
    }

    /**
     * Sets {@link #dynamicContent()}: no Range request is made and an interrupted file starts again from byte 0.
     * Download jobs only, before the first Resume, not with file ranges.
     */
    default void setDynamicContent(boolean enable) {
        throw notImplemented("dynamic content");
    }

    /** {@code BITS_JOB_PROPERTY_HIGH_PERFORMANCE}. */
    default boolean highPerformance() {
        throw notImplemented("high performance");
    }

    /**
     * Sets {@link #highPerformance()}: no periodic progress records (a crash restarts a file from byte 0) for
     * fewer disk writes. Download jobs only, before the first AddFile. What it does is the backend's: see its
     * documentation (the portable engine keeps the temporary file and the rename at Complete).
     */
    default void setHighPerformance(boolean enable) {
        throw notImplemented("high performance");
    }

    /** {@code BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE}: the most bytes the job may download in all; 0 for no limit. */
    default long maximumDownloadSize() {
        throw notImplemented("the maximum download size");
    }

    /**
     * Sets {@link #maximumDownloadSize()} ({@link BitsLimits#checkMaxDownloadSize}); more bytes fail the job with
     * BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED. Download jobs only, before the first Resume.
     */
    default void setMaximumDownloadSize(long bytes) {
        throw notImplemented("the maximum download size");
    }

    /** {@code BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS}: the least time between two progress notifications (default 500). */
    default long minimumNotificationInterval() {
        throw notImplemented("the minimum notification interval");
    }

    /** Sets {@link #minimumNotificationInterval()}, in milliseconds ({@link BitsLimits#checkNotifyInterval}). */
    default void setMinimumNotificationInterval(long millis) {
        throw notImplemented("the minimum notification interval");
    }

    /**
     * {@code IBackgroundCopyJob3::GetFileACLFlags}: BG_COPY_FILE_OWNER 1, GROUP 2, DACL 4, SACL 8, which files of an
     * SMB download take from their source. What they do is the backend's (see its documentation).
     */
    default int fileAclFlags() {
        throw notImplemented("file ACL flags");
    }

    /** {@code IBackgroundCopyJob3::SetFileACLFlags} ({@link BitsLimits#checkAclFlags}). */
    default void setFileAclFlags(int flags) {
        throw notImplemented("file ACL flags");
    }

    /** {@code BITS_JOB_PROPERTY_ON_DEMAND_MODE} (BITS 10.1): whether only requested ranges are transferred. */
    default boolean onDemand() {
        throw notImplemented("on-demand mode");
    }

    /**
     * Sets {@link #onDemand()}. An on-demand job transfers only what {@link #requestFileRanges} and
     * {@link #updateDownloadPosition} ask for; when that is all there it is Transferred if every byte of every file
     * is, else Suspended (resume it after asking for more). BITS' requirements: a download job
     * (BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY), not dynamic content, HTTP(S) files without
     * AddFileWithRanges' ranges (BG_E_RANDOM_ACCESS_NOT_SUPPORTED); the portable engine takes it before the first
     * Resume (BG_E_READ_ONLY_PROPERTY_AFTER_RESUME).
     */
    default void setOnDemand(boolean enable) {
        throw notImplemented("on-demand mode");
    }

    /**
     * {@code IBackgroundCopyFile6::RequestFileRanges} of the file {@code fileIndex}: these ranges are transferred
     * (before the rest); they may overlap each other and what is filled or pending (they are merged).
     * BG_E_RANDOM_ACCESS_NOT_SUPPORTED unless the job is on-demand; BG_E_INVALID_RANGE for a range past the end of
     * the file once its size is known (a range found past the end later fails the job with it).
     */
    default void requestFileRanges(int fileIndex, List<BitsFileRange> ranges) {
        throw notImplemented("on-demand mode (RequestFileRanges)");
    }

    /**
     * {@code IBackgroundCopyFile6::UpdateDownloadPosition}: missing data of the file {@code fileIndex} from
     * {@code offset} on is fetched first; in the portable engine it also asks for everything from {@code offset} to
     * the end (an on-demand job transfers only what is asked for). BG_E_RANDOM_ACCESS_NOT_SUPPORTED unless on-demand.
     */
    default void updateDownloadPosition(int fileIndex, long offset) {
        throw notImplemented("on-demand mode (UpdateDownloadPosition)");
    }

    /**
     * {@code IBackgroundCopyFile6::GetFilledFileRanges}: the ranges of the file {@code fileIndex} that are
     * downloaded (on disk and recorded: a crash keeps every one), merged and ordered by offset.
     * BG_E_RANDOM_ACCESS_NOT_SUPPORTED unless the job is on-demand.
     */
    default List<BitsFileRange> filledFileRanges(int fileIndex) {
        throw notImplemented("on-demand mode (GetFilledFileRanges)");
    }

    private static BitsException notImplemented(String what) {
        return new BitsException(HResult.E_NOTIMPL, "this backend does not implement " + what);
    }

    /**
     * Sets the user name and password that answer {@code target}'s challenge for {@code scheme}
     * ({@code IBackgroundCopyJob2::SetCredentials}); one credential per target and scheme, a second replaces the
     * first. The password is kept by the backend and never shown again: no getter, no log line, no error text.
     * Checked by {@link BitsLimits#checkCredentials}.
     */
    default void setCredentials(AuthTarget target, AuthScheme scheme, String userName, String password) {
        throw new BitsException(HResult.E_NOTIMPL, "this backend does not take credentials");
    }

    /** Forgets the credential for {@code target} and {@code scheme} ({@code RemoveCredentials}); none set is S_OK. */
    default void removeCredentials(AuthTarget target, AuthScheme scheme) {
        throw new BitsException(HResult.E_NOTIMPL, "this backend does not take credentials");
    }

    /**
     * The custom headers sent with every HTTP request of the job, {@code Name: value} lines each ending in CRLF, or
     * null when there are none ({@code IBackgroundCopyJobHttpOptions::GetCustomHeaders}). Fails with
     * {@link HResult#E_ACCESSDENIED} once {@link #makeCustomHeadersWriteOnly()} was called.
     */
    default String customHeaders() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no custom headers");
    }

    /** Replaces the custom headers (null or empty removes them); checked by {@link BitsLimits#checkCustomHeaders}. */
    default void setCustomHeaders(String headers) {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no custom headers");
    }

    /**
     * Makes the custom headers write-only, for good ({@code IBackgroundCopyJobHttpOptions3::MakeCustomHeadersWriteOnly},
     * BITS 10.3): they are still sent, and may be replaced, but never read back.
     */
    default void makeCustomHeadersWriteOnly() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no write-only custom headers");
    }

    /** The HTTP security flags ({@link SecurityFlags}; {@code GetSecurityFlags}); 0 by default. */
    default int securityFlags() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no HTTP security flags");
    }

    /** Sets the HTTP security flags ({@code SetSecurityFlags}); checked by {@link BitsLimits#checkSecurityFlags}. */
    default void setSecurityFlags(int flags) {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no HTTP security flags");
    }

    /**
     * Not a BITS call: certificate authorities (PEM, one or more {@code CERTIFICATE} blocks) that this job's HTTPS
     * servers may be signed by, besides the system's; null removes them. Verification stays on: a private CA is
     * trusted without {@link SecurityFlags#IGNORE_UNKNOWN_CA}. Text that holds no certificate fails with E_INVALIDARG.
     * Windows' BITS trusts the machine's certificate store only (E_NOTIMPL there).
     */
    default void setTrustedCertificates(String pem) {
        throw new BitsException(HResult.E_NOTIMPL, "this backend trusts its system's certificate store only");
    }

    /** The certificates of {@link #setTrustedCertificates}, as PEM, or null. */
    default String trustedCertificates() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend trusts its system's certificate store only");
    }

    /**
     * Not a BITS call: the client certificate the job shows HTTPS servers that ask for one, from a PKCS#12 file's
     * bytes and its password (the first key entry is used). A file that cannot be opened with the password, or holds
     * no private key, fails with E_INVALIDARG. The password is kept like a credential's. Windows' BITS takes a
     * certificate from a certificate store only ({@link #setClientCertificateByName}); there this is E_NOTIMPL.
     */
    default void setClientCertificate(byte[] pkcs12, String password) {
        throw new BitsException(HResult.E_NOTIMPL, "this backend takes client certificates from a certificate store only");
    }

    /**
     * The client certificate from a Windows certificate store, by subject name
     * ({@code IBackgroundCopyJobHttpOptions::SetClientCertificateByName}): {@code location} a
     * {@code BG_CERT_STORE_LOCATION} (0 current user ... 7 local machine enterprise), {@code storeName} such as
     * {@code MY}. Only the native backend has certificate stores; the portable one fails with E_NOTIMPL.
     */
    default void setClientCertificateByName(int location, String storeName, String subjectName) {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no Windows certificate stores; give a PKCS#12 file");
    }

    /** Removes the client certificate ({@code RemoveClientCertificate}); none set is S_OK. */
    default void removeClientCertificate() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no client certificates");
    }

    /** The subject of the job's client certificate ({@code CN=...}), or null when it has none. */
    default String clientCertificateSubject() {
        throw new BitsException(HResult.E_NOTIMPL, "this backend has no client certificates");
    }
}
