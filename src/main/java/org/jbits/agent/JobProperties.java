package org.jbits.agent;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jbits.BitsLimits;
import org.jbits.JobPriority;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;

/**
 * The settable properties of a job, as {@code jbits start} and {@code jbits set} give them (Start-/Set-BitsTransfer
 * parameters): each component is null when it is not given, and then left as it is. The one description of them
 * shared by the CLI (which builds it from its options), the protocol (whose names are in {@link JobPropertiesJson})
 * and the handler (which {@linkplain #check checks} all of it before it creates or changes anything, then applies it
 * with {@link PropertyUpdate}).
 *
 * @param displayName the display name
 * @param description the description
 * @param priority the priority
 * @param retryInterval the minimum retry delay, seconds
 * @param retryTimeout the no-progress timeout, seconds
 * @param maxDownloadTime the maximum download time, seconds (0: no limit)
 * @param transferPolicy the cost policy
 * @param proxyUsage how the proxy is chosen
 * @param proxyList the proxies for {@link ProxyUsage#OVERRIDE}
 * @param proxyBypass the hosts reached without the proxy
 * @param notifyFlags the events that notify (empty: none)
 * @param replyFileName an upload-reply job's reply file, an absolute path ("" lets the backend choose)
 * @param extras the BITS 1.5-10.x properties ({@link Extras}); never null
 */
public record JobProperties(String displayName, String description, JobPriority priority, Long retryInterval,
        Long retryTimeout, Long maxDownloadTime, TransferPolicy transferPolicy, ProxyUsage proxyUsage,
        List<String> proxyList, List<String> proxyBypass, Set<NotifyFlag> notifyFlags, String replyFileName,
        Extras extras) {

    /** No property given. */
    public static final JobProperties NONE = new JobProperties(null, null, null, null, null, null, null, null, null,
            null, null, null, Extras.NONE);

    /** The properties every job type has (no reply file), without the BITS 1.5-10.x ones. */
    public JobProperties(String displayName, String description, JobPriority priority, Long retryInterval,
            Long retryTimeout, Long maxDownloadTime, TransferPolicy transferPolicy, ProxyUsage proxyUsage,
            List<String> proxyList, List<String> proxyBypass, Set<NotifyFlag> notifyFlags) {
        this(displayName, description, priority, retryInterval, retryTimeout, maxDownloadTime, transferPolicy,
                proxyUsage, proxyList, proxyBypass, notifyFlags, null, Extras.NONE);
    }

    /** The properties with an upload-reply job's reply file, without the BITS 1.5-10.x ones. */
    public JobProperties(String displayName, String description, JobPriority priority, Long retryInterval,
            Long retryTimeout, Long maxDownloadTime, TransferPolicy transferPolicy, ProxyUsage proxyUsage,
            List<String> proxyList, List<String> proxyBypass, Set<NotifyFlag> notifyFlags, String replyFileName) {
        this(displayName, description, priority, retryInterval, retryTimeout, maxDownloadTime, transferPolicy,
                proxyUsage, proxyList, proxyBypass, notifyFlags, replyFileName, Extras.NONE);
    }

    /**
     * The properties BITS 1.5-10.x added (IBackgroundCopyJob2/3/5, reference §1.4-1.5), each null when not given.
     *
     * @param notifyCmdLine the notify command line, the program's absolute path first ({@code ""} removes it)
     * @param dynamicContent BITS_JOB_PROPERTY_DYNAMIC_CONTENT
     * @param highPerformance BITS_JOB_PROPERTY_HIGH_PERFORMANCE
     * @param maxDownloadSize BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, bytes (0: no limit)
     * @param minNotifyInterval BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, milliseconds
     * @param fileAclFlags SetFileACLFlags' BG_COPY_FILE_* mask
     * @param onDemand BITS_JOB_PROPERTY_ON_DEMAND_MODE (added)
     */
    public record Extras(String notifyCmdLine, Boolean dynamicContent, Boolean highPerformance, Long maxDownloadSize,
            Long minNotifyInterval, Integer fileAclFlags, Boolean onDemand) {
        /** None given. */
        public static final Extras NONE = new Extras(null, null, null, null, null, null, null);

        /** Without on-demand mode. */
        public Extras(String notifyCmdLine, Boolean dynamicContent, Boolean highPerformance, Long maxDownloadSize,
                Long minNotifyInterval, Integer fileAclFlags) {
            this(notifyCmdLine, dynamicContent, highPerformance, maxDownloadSize, minNotifyInterval, fileAclFlags, null);
        }

        Extras orElse(Extras d) {
            return new Extras(or(notifyCmdLine, d.notifyCmdLine), or(dynamicContent, d.dynamicContent),
                    or(highPerformance, d.highPerformance), or(maxDownloadSize, d.maxDownloadSize),
                    or(minNotifyInterval, d.minNotifyInterval), or(fileAclFlags, d.fileAclFlags),
                    or(onDemand, d.onDemand));
        }

        /** The notify command line as BITS' (program, parameters): null, null to remove it. */
        public org.jbits.NotifyCmdLine cmdLine() {
            if (notifyCmdLine == null || notifyCmdLine.isBlank()) {
                return null;
            }
            List<String> words = org.jbits.NotifyCmdLine.words(notifyCmdLine);
            if (words.isEmpty()) {
                return null;
            }
            return new org.jbits.NotifyCmdLine(words.get(0), notifyCmdLine.strip());
        }
    }

    /** These properties with {@code extras}. */
    public JobProperties with(Extras extras) {
        return new JobProperties(displayName, description, priority, retryInterval, retryTimeout, maxDownloadTime,
                transferPolicy, proxyUsage, proxyList, proxyBypass, notifyFlags, replyFileName, extras);
    }

    /** Copies the lists and the set, so the record cannot change under its holder. */
    public JobProperties {
        extras = extras == null ? Extras.NONE : extras;
        proxyList = proxyList == null ? null : List.copyOf(proxyList);
        proxyBypass = proxyBypass == null ? null : List.copyOf(proxyBypass);
        if (notifyFlags != null) {
            EnumSet<NotifyFlag> copy = EnumSet.noneOf(NotifyFlag.class);
            copy.addAll(notifyFlags);
            notifyFlags = Collections.unmodifiableSet(copy);
        }
    }

    /** True when no property is given. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /** These properties, with each one not given here taken from {@code defaults}. */
    public JobProperties orElse(JobProperties defaults) {
        return new JobProperties(or(displayName, defaults.displayName), or(description, defaults.description),
                or(priority, defaults.priority), or(retryInterval, defaults.retryInterval),
                or(retryTimeout, defaults.retryTimeout), or(maxDownloadTime, defaults.maxDownloadTime),
                or(transferPolicy, defaults.transferPolicy), or(proxyUsage, defaults.proxyUsage),
                or(proxyList, defaults.proxyList), or(proxyBypass, defaults.proxyBypass),
                or(notifyFlags, defaults.notifyFlags), or(replyFileName, defaults.replyFileName),
                extras.orElse(defaults.extras));
    }

    /** These properties without the display name (which CreateJob sets). */
    public JobProperties withoutDisplayName() {
        return new JobProperties(null, description, priority, retryInterval, retryTimeout, maxDownloadTime,
                transferPolicy, proxyUsage, proxyList, proxyBypass, notifyFlags, replyFileName, extras);
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }

    /** True when a proxy property is given. */
    public boolean changesProxy() {
        return proxyUsage != null || proxyList != null || proxyBypass != null;
    }

    /**
     * The proxy settings after this change of {@code current}: what is not given is kept, except that a usage
     * other than override given alone clears the lists (which only override may have).
     */
    public ProxySettings proxyFor(ProxySettings current) {
        ProxyUsage usage = proxyUsage != null ? proxyUsage : current.usage();
        if (usage != ProxyUsage.OVERRIDE && proxyList == null && proxyBypass == null) {
            return new ProxySettings(usage, List.of(), List.of());
        }
        return new ProxySettings(usage, proxyList != null ? proxyList : current.proxyList(),
                proxyBypass != null ? proxyBypass : current.bypassList());
    }

    /**
     * Checks every given value with BITS' rules ({@link BitsLimits}), the proxy settings as they would be after
     * the change of {@code currentProxy}, so that a value the backend would refuse is refused before anything is
     * created or changed.
     */
    public void check(ProxySettings currentProxy) {
        if (displayName != null) {
            BitsLimits.checkDisplayName(BitsLimits.checkText("display name", displayName));
        }
        if (description != null) {
            BitsLimits.checkDescription(BitsLimits.checkText("description", description));
        }
        if (retryInterval != null) {
            BitsLimits.checkSeconds("retry delay", retryInterval);
        }
        if (retryTimeout != null) {
            BitsLimits.checkSeconds("retry timeout", retryTimeout);
        }
        if (maxDownloadTime != null) {
            BitsLimits.checkSeconds("maximum download time", maxDownloadTime);
        }
        if (replyFileName != null) {
            BitsLimits.checkText("reply file name", replyFileName);
        }
        if (changesProxy()) {
            ProxySettings p = proxyFor(currentProxy);
            p.proxyList().forEach(s -> BitsLimits.checkText("proxy list", s));
            p.bypassList().forEach(s -> BitsLimits.checkText("proxy bypass list", s));
            BitsLimits.checkProxy(p);
        }
        if (extras.notifyCmdLine() != null && !extras.notifyCmdLine().isBlank()) {
            BitsLimits.checkText("notify command line", extras.notifyCmdLine());
            org.jbits.NotifyCmdLine c = extras.cmdLine();
            if (c == null) {
                throw new org.jbits.BitsException(org.jbits.HResult.E_INVALIDARG, "the notify command line names no"
                        + " program");
            }
            BitsLimits.checkNotifyCmdLine(c.program(), c.parameters());
        }
        if (extras.maxDownloadSize() != null) {
            BitsLimits.checkMaxDownloadSize(extras.maxDownloadSize());
        }
        if (extras.minNotifyInterval() != null) {
            BitsLimits.checkNotifyInterval(extras.minNotifyInterval());
        }
        if (extras.fileAclFlags() != null) {
            BitsLimits.checkAclFlags(extras.fileAclFlags());
        }
    }
}
