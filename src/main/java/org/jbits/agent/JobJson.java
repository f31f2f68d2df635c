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
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.jbits.JobTimes;
import org.jbits.ReplyProgress;

/**
 * The job object of the CLI contract (the BitsJob object of PowerShell's BitsTransfer module, in camelCase). Its
 * settable properties are written by {@link JobPropertiesJson}, under the same names requests use for them.
 */
public final class JobJson {
    private JobJson() {
    }

    /**
     * The job as the contract's JSON object. Never contains secrets. A property the backend does not implement
     * (E_NOTIMPL or E_NOINTERFACE, as Wine's BITS stubs) is null, never made up.
     */
    public static ObjectNode of(BitsJob job) {
        ObjectNode o = Json.object();
        // The state before the error: a job's error is recorded before its state changes, so a job read as in Error
        // is always shown with its error (read the other way round, a job could show Error with no error).
        JobState state = job.state();
        JobProgress p = job.progress();
        JobTimes t = optional(job::times);
        JobError err = job.error().orElse(null);
        o.put("jobId", job.id().toString());
        JobPropertiesJson.writeCurrent(job, o);
        HttpOptionsJson.writeCurrent(job, o);
        o.put("transferType", job.type().displayName());
        o.put("jobState", state.displayName());
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
        ReplyProgress reply = optional(job::replyProgress);
        o.put("replyBytesTotal", reply == null ? null : reply.bytesTotal());
        o.put("replyBytesTransferred", reply == null ? null : reply.bytesTransferred());
        JobPropertiesJson.writeCurrentExtras(job, o);
        ArrayNode files = o.putArray("fileList");
        int index = 0;
        for (BitsFile f : job.files()) {
            ObjectNode fo = files.addObject();
            fo.put("remoteName", f.remoteName());
            fo.put("localName", f.localName());
            fo.put("bytesTotal", f.progress().bytesTotal());
            fo.put("bytesTransferred", f.progress().bytesTransferred());
            fo.put("isTransferComplete", f.progress().completed());
            // Added: IBackgroundCopyFile3::GetTemporaryName, IBackgroundCopyFile2::GetFileRanges.
            fo.put("temporaryName", f.temporaryName());
            final int i = index++;
            java.util.List<org.jbits.BitsFileRange> ranges = optional(() -> job.fileRanges(i));
            if (ranges == null) {
                fo.putNull("ranges");
            } else {
                ArrayNode ra = fo.putArray("ranges");
                for (org.jbits.BitsFileRange r : ranges) {
                    // length -1: to the end of the file (BG_LENGTH_TO_EOF), as bytesTotal -1 is unknown.
                    ra.addObject().put("offset", r.initialOffset()).put("length", r.length());
                }
            }
            fo.put("expectedSha256", f.expectedSha256());
            fo.put("sha256", f.sha256());
            // Added: IBackgroundCopyFile6::GetFilledFileRanges of an on-demand job; null for any other.
            java.util.List<org.jbits.BitsFileRange> filled = filled(job, i);
            if (filled == null) {
                fo.putNull("filledRanges");
            } else {
                ArrayNode fa = fo.putArray("filledRanges");
                for (org.jbits.BitsFileRange r : filled) {
                    fa.addObject().put("offset", r.initialOffset()).put("length", r.length());
                }
            }
        }
        return o;
    }

    /** The file's filled ranges, or null when the job is not on-demand (or the backend has no File6). */
    private static java.util.List<org.jbits.BitsFileRange> filled(BitsJob job, int index) {
        try {
            Boolean onDemand = optional(job::onDemand);
            return onDemand == null || !onDemand ? null : optional(() -> job.filledFileRanges(index));
        } catch (BitsException e) {
            if (e.hresult() == HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED) {
                return null;
            }
            throw e;
        }
    }

    /** The value, or null when the backend does not implement the call. */
    static <T> T optional(Supplier<T> getter) {
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

    /** The state of a job object ({@code jobState}); E_INVALIDARG when it names none. */
    public static JobState state(JsonNode job) {
        String s = job.path("jobState").asText("");
        for (JobState st : JobState.values()) {
            if (st.displayName().equals(s)) {
                return st;
            }
        }
        throw new BitsException(HResult.E_INVALIDARG, "the job object has no valid jobState: " + JsonFields.quote(s));
    }

    /** Text of a field, or null for JSON null or a missing field. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
