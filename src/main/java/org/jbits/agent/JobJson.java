package org.jbits.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.jbits.BitsFile;
import org.jbits.BitsJob;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.JobProgress;
import org.jbits.JobTimes;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.TransferPolicy;

/** The job object of the CLI contract (the BitsJob object of PowerShell's BitsTransfer module, in camelCase). */
public final class JobJson {
    /** One mapper for the agent protocol and the CLI output. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private JobJson() {
    }

    /** The job as the contract's JSON object. Never contains secrets. */
    public static ObjectNode of(BitsJob job) {
        ObjectNode o = MAPPER.createObjectNode();
        JobProgress p = job.progress();
        JobTimes t = job.times();
        JobError err = job.error().orElse(null);
        ProxySettings proxy = job.proxySettings();
        o.put("jobId", job.id().toString());
        o.put("displayName", job.displayName());
        o.put("description", job.description());
        o.put("transferType", job.type().displayName());
        o.put("jobState", job.state().displayName());
        o.put("priority", job.priority().displayName());
        o.put("ownerAccount", job.owner());
        o.put("bytesTotal", p.bytesTotal());
        o.put("bytesTransferred", p.bytesTransferred());
        o.put("filesTotal", p.filesTotal());
        o.put("filesTransferred", p.filesTransferred());
        o.put("creationTime", iso(t.creation()));
        o.put("modificationTime", iso(t.modification()));
        o.put("transferCompletionTime", iso(t.transferCompletion()));
        o.put("errorContext", err == null ? ErrorContext.NONE.displayName() : err.context().displayName());
        o.put("errorCondition", err == null ? null : HResult.name(err.hresult()));
        o.put("internalErrorCode", err == null ? null : HResult.hex(err.hresult()));
        o.put("errorDescription", err == null ? null : err.description());
        o.put("errorCount", job.errorCount());
        o.put("retryInterval", job.minimumRetryDelay());
        o.put("retryTimeout", job.noProgressTimeout());
        o.put("maxDownloadTime", job.maximumDownloadTime());
        TransferPolicy policy = TransferPolicy.ofFlags(job.transferPolicyFlags());
        o.put("transferPolicy", policy != null ? policy.displayName() : HResult.hex(job.transferPolicyFlags()));
        o.put("proxyUsage", proxy.usage().displayName());
        ArrayNode list = o.putArray("proxyList");
        proxy.proxyList().forEach(list::add);
        ArrayNode bypass = o.putArray("proxyBypass");
        proxy.bypassList().forEach(bypass::add);
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

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    /** Text of a field, or null for JSON null or a missing field. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
