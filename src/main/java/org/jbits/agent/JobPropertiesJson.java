package org.jbits.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;

/**
 * The JSON names of {@link JobProperties}, in one place: the names of the contract's job object (camelCase), used
 * both by requests that carry properties ({@code submit}, {@code set}) and by the job object itself. Enum values are
 * spelled as in the job object too ({@code "Low"}, {@code "NotRoaming"}, {@code "FileTransferred"}).
 */
final class JobPropertiesJson {
    private static final String DISPLAY_NAME = "displayName";
    private static final String DESCRIPTION = "description";
    private static final String PRIORITY = "priority";
    private static final String RETRY_INTERVAL = "retryInterval";
    private static final String RETRY_TIMEOUT = "retryTimeout";
    private static final String MAX_DOWNLOAD_TIME = "maxDownloadTime";
    private static final String TRANSFER_POLICY = "transferPolicy";
    private static final String PROXY_USAGE = "proxyUsage";
    private static final String PROXY_LIST = "proxyList";
    private static final String PROXY_BYPASS = "proxyBypass";
    private static final String NOTIFY_FLAGS = "notifyFlags";
    // Added: the BITS 1.5-10.x properties.
    private static final String NOTIFY_CMD_LINE = "notifyCmdLine";
    private static final String DYNAMIC_CONTENT = "dynamicContent";
    private static final String ON_DEMAND = "onDemand";
    private static final String HIGH_PERFORMANCE = "highPerformance";
    private static final String MAX_DOWNLOAD_SIZE = "maxDownloadSize";
    private static final String MIN_NOTIFY_INTERVAL = "minNotifyInterval";
    private static final String FILE_ACL_FLAGS = "fileAclFlags";
    private static final String REPLY_FILE_NAME = "replyFileName";

    private JobPropertiesJson() {
    }

    /** Writes the given properties into {@code o}, leaving out those not given (a request's form). */
    static void write(JobProperties p, ObjectNode o) {
        putIfGiven(o, DISPLAY_NAME, p.displayName());
        putIfGiven(o, DESCRIPTION, p.description());
        putIfGiven(o, PRIORITY, p.priority() == null ? null : p.priority().displayName());
        if (p.retryInterval() != null) {
            o.put(RETRY_INTERVAL, p.retryInterval());
        }
        if (p.retryTimeout() != null) {
            o.put(RETRY_TIMEOUT, p.retryTimeout());
        }
        if (p.maxDownloadTime() != null) {
            o.put(MAX_DOWNLOAD_TIME, p.maxDownloadTime());
        }
        putIfGiven(o, TRANSFER_POLICY, p.transferPolicy() == null ? null : p.transferPolicy().displayName());
        putIfGiven(o, PROXY_USAGE, p.proxyUsage() == null ? null : p.proxyUsage().displayName());
        if (p.proxyList() != null) {
            p.proxyList().forEach(o.putArray(PROXY_LIST)::add);
        }
        if (p.proxyBypass() != null) {
            p.proxyBypass().forEach(o.putArray(PROXY_BYPASS)::add);
        }
        if (p.notifyFlags() != null) {
            putFlags(o, p.notifyFlags());
        }
        putIfGiven(o, REPLY_FILE_NAME, p.replyFileName());
        JobProperties.Extras x = p.extras();
        putIfGiven(o, NOTIFY_CMD_LINE, x.notifyCmdLine());
        if (x.dynamicContent() != null) {
            o.put(DYNAMIC_CONTENT, x.dynamicContent());
        }
        if (x.onDemand() != null) {
            o.put(ON_DEMAND, x.onDemand());
        }
        if (x.highPerformance() != null) {
            o.put(HIGH_PERFORMANCE, x.highPerformance());
        }
        if (x.maxDownloadSize() != null) {
            o.put(MAX_DOWNLOAD_SIZE, x.maxDownloadSize());
        }
        if (x.minNotifyInterval() != null) {
            o.put(MIN_NOTIFY_INTERVAL, x.minNotifyInterval());
        }
        if (x.fileAclFlags() != null) {
            putAclFlags(o, x.fileAclFlags());
        }
    }

    /** The names of SetFileACLFlags' bits, as the job object spells them. */
    static final List<String> ACL_FLAG_NAMES = List.of("Owner", "Group", "Dacl", "Sacl");

    private static void putAclFlags(ObjectNode o, int flags) {
        ArrayNode a = o.putArray(FILE_ACL_FLAGS);
        for (int i = 0; i < ACL_FLAG_NAMES.size(); i++) {
            if ((flags & (1 << i)) != 0) {
                a.add(ACL_FLAG_NAMES.get(i));
            }
        }
    }

    private static Integer aclFlags(List<String> names) {
        if (names == null) {
            return null;
        }
        int flags = 0;
        for (String n : names) {
            int i = ACL_FLAG_NAMES.indexOf(n);
            if (i < 0) {
                throw new org.jbits.BitsException(HResult.E_INVALIDARG, "\"" + FILE_ACL_FLAGS + "\" has "
                        + JsonFields.quote(n) + ", which is none of " + ACL_FLAG_NAMES);
            }
            flags |= 1 << i;
        }
        return flags;
    }

    /** Reads the properties object of a request strictly; a field that is not a property is refused. */
    static JobProperties read(JsonFields f) {
        List<NotifyFlag> flags = f.allOf(NOTIFY_FLAGS, NotifyFlag.values(), NotifyFlag::displayName);
        JobProperties p = new JobProperties(
                f.string(DISPLAY_NAME),
                f.string(DESCRIPTION),
                f.oneOf(PRIORITY, JobPriority.values(), JobPriority::displayName),
                f.wholeNumber(RETRY_INTERVAL),
                f.wholeNumber(RETRY_TIMEOUT),
                f.wholeNumber(MAX_DOWNLOAD_TIME),
                f.oneOf(TRANSFER_POLICY, TransferPolicy.values(), TransferPolicy::displayName),
                f.oneOf(PROXY_USAGE, ProxyUsage.values(), ProxyUsage::displayName),
                f.strings(PROXY_LIST),
                f.strings(PROXY_BYPASS),
                flags == null ? null : flagSet(flags),
                f.string(REPLY_FILE_NAME),
                new JobProperties.Extras(f.string(NOTIFY_CMD_LINE), f.bool(DYNAMIC_CONTENT),
                        f.bool(HIGH_PERFORMANCE), f.wholeNumber(MAX_DOWNLOAD_SIZE), f.wholeNumber(MIN_NOTIFY_INTERVAL),
                        aclFlags(f.strings(FILE_ACL_FLAGS)), f.bool(ON_DEMAND)));
        f.refuseOthers();
        return p;
    }

    /**
     * Writes the job's current properties into its job object: every name present, null where the backend does
     * not implement the property (E_NOTIMPL, as Wine's BITS stubs), a transfer policy that is no named policy as
     * its cost-flags mask in hex.
     */
    static void writeCurrent(BitsJob job, ObjectNode o) {
        ProxySettings proxy = JobJson.optional(job::proxySettings);
        JobPriority priority = JobJson.optional(job::priority);
        Integer costFlags = JobJson.optional(job::transferPolicyFlags);
        TransferPolicy policy = costFlags == null ? null : TransferPolicy.ofFlags(costFlags);
        o.put(DISPLAY_NAME, job.displayName());
        o.put(DESCRIPTION, job.description());
        o.put(PRIORITY, priority == null ? null : priority.displayName());
        o.put(RETRY_INTERVAL, JobJson.optional(job::minimumRetryDelay));
        o.put(RETRY_TIMEOUT, JobJson.optional(job::noProgressTimeout));
        o.put(MAX_DOWNLOAD_TIME, JobJson.optional(job::maximumDownloadTime));
        o.put(TRANSFER_POLICY, costFlags == null ? null : policy != null ? policy.displayName() : HResult.hex(costFlags));
        o.put(PROXY_USAGE, proxy == null ? null : proxy.usage().displayName());
        ArrayNode list = o.putArray(PROXY_LIST);
        ArrayNode bypass = o.putArray(PROXY_BYPASS);
        if (proxy != null) {
            proxy.proxyList().forEach(list::add);
            proxy.bypassList().forEach(bypass::add);
        }
        putFlags(o, job.notifyFlags());
        // Upload-reply jobs only: null for the others (E_NOTIMPL), as for any property a job does not have.
        o.put(REPLY_FILE_NAME, JobJson.optional(job::replyFileName));
    }

    /**
     * The BITS 1.5-10.x properties of the job object (added): the notify command line as PowerShell's BitsJob
     * shows it ({@code [program, parameters]}, or null), dynamic content, high performance, the maximum download
     * size, the minimum notification interval and the file ACL flags; null where the backend lacks the call.
     */
    static void writeCurrentExtras(BitsJob job, ObjectNode o) {
        org.jbits.NotifyCmdLine c = JobJson.optional(job::notifyCmdLine);
        if (c == null) {
            o.putNull(NOTIFY_CMD_LINE);
        } else {
            o.putArray(NOTIFY_CMD_LINE).add(c.program()).add(c.parameters());
        }
        o.put(DYNAMIC_CONTENT, JobJson.optional(job::dynamicContent));
        o.put(ON_DEMAND, JobJson.optional(job::onDemand));
        o.put(HIGH_PERFORMANCE, JobJson.optional(job::highPerformance));
        o.put(MAX_DOWNLOAD_SIZE, JobJson.optional(job::maximumDownloadSize));
        o.put(MIN_NOTIFY_INTERVAL, JobJson.optional(job::minimumNotificationInterval));
        Integer acl = JobJson.optional(job::fileAclFlags);
        if (acl == null) {
            o.putNull(FILE_ACL_FLAGS);
        } else {
            putAclFlags(o, acl);
        }
    }

    private static void putFlags(ObjectNode o, Set<NotifyFlag> flags) {
        ArrayNode a = o.putArray(NOTIFY_FLAGS);
        for (NotifyFlag f : flags) {
            a.add(f.displayName());
        }
    }

    private static Set<NotifyFlag> flagSet(List<NotifyFlag> flags) {
        Set<NotifyFlag> set = EnumSet.noneOf(NotifyFlag.class);
        set.addAll(flags);
        return set;
    }

    private static void putIfGiven(ObjectNode o, String name, String value) {
        if (value != null) {
            o.put(name, value);
        }
    }
}
