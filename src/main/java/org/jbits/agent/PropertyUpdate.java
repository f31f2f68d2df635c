package org.jbits.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jbits.BitsJob;
import org.jbits.ProxySettings;
import org.jbits.TransferPolicy;

/**
 * Applies {@link JobProperties} to a job all or nothing. The properties are {@linkplain JobProperties#check checked}
 * first, so the backend should accept each value; when one is refused all the same (the job was cancelled meanwhile,
 * the store failed, a stub of Wine's BITS), the values already set are put back, newest first, and the failure is
 * rethrown. The job's modification time may still show the attempt: the API has no call that sets it back.
 */
final class PropertyUpdate {
    private final BitsJob job;
    private final List<Runnable> undo = new ArrayList<>();

    private PropertyUpdate(BitsJob job) {
        this.job = job;
    }

    /** Checks {@code p} against {@code job}, then sets every given property, or none. */
    static void apply(BitsJob job, JobProperties p) {
        ProxySettings currentProxy = p.changesProxy() ? job.proxySettings() : ProxySettings.DEFAULT;
        p.check(currentProxy);
        new PropertyUpdate(job).run(p, currentProxy);
    }

    private void run(JobProperties p, ProxySettings currentProxy) {
        try {
            set(p.displayName(), job::displayName, job::setDisplayName);
            set(p.description(), job::description, job::setDescription);
            set(p.priority(), job::priority, job::setPriority);
            set(p.retryInterval(), job::minimumRetryDelay, job::setMinimumRetryDelay);
            set(p.retryTimeout(), job::noProgressTimeout, job::setNoProgressTimeout);
            set(p.maxDownloadTime(), job::maximumDownloadTime, job::setMaximumDownloadTime);
            if (p.transferPolicy() != null) {
                // Only a named policy can be set again; a custom mask (set by another BITS client) cannot be restored.
                Integer flags = JobJson.optional(job::transferPolicyFlags);
                TransferPolicy old = flags == null ? null : TransferPolicy.ofFlags(flags);
                job.setTransferPolicy(p.transferPolicy());
                if (old != null) {
                    undo.add(() -> job.setTransferPolicy(old));
                }
            }
            set(p.notifyFlags(), job::notifyFlags, job::setNotifyFlags);
            if (p.changesProxy()) {
                job.setProxySettings(p.proxyFor(currentProxy));
                undo.add(() -> job.setProxySettings(currentProxy));
            }
            JobProperties.Extras x = p.extras();
            if (x.notifyCmdLine() != null) {
                org.jbits.NotifyCmdLine old = JobJson.optional(job::notifyCmdLine);
                org.jbits.NotifyCmdLine c = x.cmdLine();
                job.setNotifyCmdLine(c == null ? null : c.program(), c == null ? null : c.parameters());
                undo.add(() -> job.setNotifyCmdLine(old == null ? null : old.program(),
                        old == null ? null : old.parameters()));
            }
            set(x.dynamicContent(), job::dynamicContent, job::setDynamicContent);
            set(x.onDemand(), job::onDemand, job::setOnDemand);
            set(x.highPerformance(), job::highPerformance, job::setHighPerformance);
            set(x.maxDownloadSize(), job::maximumDownloadSize, job::setMaximumDownloadSize);
            set(x.minNotifyInterval(), job::minimumNotificationInterval, job::setMinimumNotificationInterval);
            set(x.fileAclFlags(), job::fileAclFlags, job::setFileAclFlags);
            if (p.replyFileName() != null) {
                // Null is a name too (the backend's choice): the one before is put back whatever it was.
                String old = job.replyFileName();
                job.setReplyFileName(p.replyFileName().isEmpty() ? null : p.replyFileName());
                undo.add(() -> job.setReplyFileName(old));
            }
        } catch (RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                try {
                    undo.get(i).run();
                } catch (RuntimeException notRestored) {
                    e.addSuppressed(notRestored);
                }
            }
            throw e;
        }
    }

    /** Sets one property when it is given, remembering how to put the old value back. */
    private <T> void set(T value, Supplier<T> getter, Consumer<T> setter) {
        if (value == null) {
            return;
        }
        // A getter the backend does not implement (a stub of Wine's BITS) leaves nothing to restore, not a failure.
        T old = JobJson.optional(getter);
        setter.accept(value);
        if (old != null) {
            undo.add(() -> setter.accept(old));
        }
    }
}
