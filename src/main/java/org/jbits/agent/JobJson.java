package org.jbits.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.function.Supplier;
import org.jbits.BitsException;
import org.jbits.BitsFile;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobPriority;
import org.jbits.JobProgress;
import org.jbits.JobTimes;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.TransferPolicy;

/** The job object of the CLI contract (the BitsJob object of PowerShell's BitsTransfer module, in camelCase). */
public final class JobJson {
    private JobJson() {
    }

    /**
     * The job as the contract's JSON object. Never contains secrets. A property the backend does not implement
     * (E_NOTIMPL or E_NOINTERFACE, as Wine's BITS stubs) is null, never made up.
     */
    public static ObjectNode of(BitsJob job) {
        ObjectNode o = Json.object();
        JobProgress p = job.progress();
        JobTimes t = optional(job::times);
        JobError err = job.error().orElse(null);
        ProxySettings proxy = optional(job::proxySettings);
        o.put("jobId", job.id().toString());
        o.put("displayName", job.displayName());
        o.put("description", job.description());
        o.put("transferType", job.type().displayName());
        o.put("jobState", job.state().displayName());
        JobPriority priority = optional(job::priority);
        o.put("priority", priority == null ? null : priority.displayName());
        o.put("ownerAccount", optional(job::owner));
        o.put("bytesTotal", p.bytesTotal());
        o.put("bytesTransferred", p.bytesTransferred());
        o.put("filesTotal", p.filesTotal());
        o.put("filesTransferred", p.filesTransferred());
        o.put("creationTime", t == null ? null : iso(t.creation()));
        o.put("modificationTime", t == null ? null : iso(t.modification()));
        o.put("transferCompletionTime", t == null ? null : iso(t.transferCompletion()));
        o.put("errorContext", err == null ? ErrorContext.NONE.displayName() : err.context().displayName());
        o.put("errorCondition", err == null ? null : HResult.name(err.hresult()));
        o.put("internalErrorCode", err == null ? null : HResult.hex(err.hresult()));
        o.put("errorDescription", err == null ? null : err.description());
        o.put("errorCount", optional(job::errorCount));
        o.put("retryInterval", optional(job::minimumRetryDelay));
        o.put("retryTimeout", optional(job::noProgressTimeout));
        o.put("maxDownloadTime", optional(job::maximumDownloadTime));
        Integer costFlags = optional(job::transferPolicyFlags);
        TransferPolicy policy = costFlags == null ? null : TransferPolicy.ofFlags(costFlags);
        o.put("transferPolicy", costFlags == null ? null : policy != null ? policy.displayName() : HResult.hex(costFlags));
        o.put("proxyUsage", proxy == null ? null : proxy.usage().displayName());
        ArrayNode list = o.putArray("proxyList");
        ArrayNode bypass = o.putArray("proxyBypass");
        if (proxy != null) {
            proxy.proxyList().forEach(list::add);
            proxy.bypassList().forEach(bypass::add);
        }
        ArrayNode flags = o.putArray("notifyFlags");
        for (NotifyFlag f : job.notifyFlags()) {
            flags.add(f.displayName());
        }
        o.putNull("notifyCmdLine");
        ArrayNode files = o.putArray("fileList");
        for (BitsFile f : job.files()) {
            ObjectNode fo = files.addObject();
            fo.put("remoteName", f.remoteName());
            fo.put("localName", f.localName());
            fo.put("bytesTotal", f.progress().bytesTotal());
            fo.put("bytesTransferred", f.progress().bytesTransferred());
            fo.put("isTransferComplete", f.progress().completed());
        }
        return o;
    }

    /** The value, or null when the backend does not implement the call. */
    private static <T> T optional(Supplier<T> getter) {
        try {
            return getter.get();
        } catch (BitsException e) {
            if (e.hresult() == HResult.E_NOTIMPL || e.hresult() == HResult.E_NOINTERFACE) {
                return null;
            }
            throw e;
        }
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    /** Text of a field, or null for JSON null or a missing field. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
