package org.jbits.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.BitsJob;
import org.jbits.BitsManager;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one control request against a {@link BitsManager}. Used by the agent for its socket clients and
 * by the CLI directly where no agent is needed (native BITS on Windows).
 */
public final class RequestHandler {
    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

    private final BitsManager bits;
    private final Runnable onStop;

    /** @param onStop run after a {@code stop} request has been answered */
    public RequestHandler(BitsManager bits, Runnable onStop) {
        this.bits = bits;
        this.onStop = onStop;
    }

    /** The reply to {@code request}; never throws for a bad request. */
    public ObjectNode handle(JsonNode request) {
        try {
            return dispatch(request);
        } catch (BitsException e) {
            return Protocol.error(e);
        } catch (RuntimeException e) {
            log.error("request {} failed", request.path("op").asText(), e);
            return Protocol.error(new BitsException(HResult.E_FAIL, "internal error: " + e));
        }
    }

    private ObjectNode dispatch(JsonNode req) {
        String op = req.path("op").asText("");
        ObjectNode reply = Protocol.ok();
        switch (op) {
            case "status" -> {
                reply.put("running", true);
                reply.put("pid", ProcessHandle.current().pid());
                reply.put("backend", bits.backendName());
                reply.put("version", bits.backendVersion());
            }
            case "submit" -> reply.set("job", JobJson.of(submit(req)));
            case "get" -> {
                ArrayNode out = reply.putArray("jobs");
                JsonNode names = req.path("jobs");
                if (names.isArray() && !names.isEmpty()) {
                    for (JsonNode n : names) {
                        out.add(JobJson.of(resolve(n.asText())));
                    }
                } else {
                    for (BitsJob j : bits.jobs()) {
                        out.add(JobJson.of(j));
                    }
                }
            }
            case "addFile" -> {
                BitsJob job = resolve(req.path("job").asText());
                job.addFile(req.path("remote").asText(null), req.path("local").asText(null));
                reply.set("job", JobJson.of(job));
            }
            case "set" -> {
                BitsJob job = resolve(req.path("job").asText());
                applyProperties(job, req.path("properties"));
                reply.set("job", JobJson.of(job));
            }
            case "suspend" -> {
                BitsJob job = resolve(req.path("job").asText());
                job.suspend();
                reply.set("job", JobJson.of(job));
            }
            case "resume" -> {
                BitsJob job = resolve(req.path("job").asText());
                job.resume();
                reply.set("job", JobJson.of(job));
            }
            case "complete" -> {
                BitsJob job = resolve(req.path("job").asText());
                ObjectNode view = JobJson.of(job);
                int hr = job.complete();
                view.put("jobState", job.state().displayName());
                reply.put("hresult", hr);
                reply.put("result", HResult.name(hr));
                reply.set("job", view);
            }
            case "remove" -> {
                BitsJob job = resolve(req.path("job").asText());
                ObjectNode view = JobJson.of(job);
                job.cancel();
                view.put("jobState", job.state().displayName());
                reply.set("job", view);
            }
            case "wait" -> {
                BitsJob job = resolve(req.path("job").asText());
                waitForChange(job, req.path("state").asText(""), Math.min(req.path("timeoutMillis").asLong(500), 10_000));
                reply.set("job", JobJson.of(job));
            }
            case "stop" -> {
                reply.put("stopping", true);
                if (onStop != null) {
                    Thread t = new Thread(onStop, "jbits-agent-stop");
                    t.start();
                }
            }
            default -> throw new BitsException(HResult.E_INVALIDARG, "unknown request '" + op + "'");
        }
        return reply;
    }

    /**
     * Creates a job with its properties and files, then resumes it unless {@code suspended}. Any failure cancels
     * the half-made job, so bad input leaves nothing behind.
     */
    private BitsJob submit(JsonNode req) {
        JobType type = parseType(req.path("type").asText("download"));
        JsonNode files = req.path("files");
        if (!files.isArray() || files.isEmpty()) {
            throw new BitsException(HResult.BG_E_EMPTY, "no files to transfer");
        }
        JsonNode props = req.path("properties");
        checkProperties(props);
        String name = props.path("displayName").asText(req.path("defaultName").asText("jbits transfer"));
        BitsJob job = bits.createJob(name, type);
        try {
            // CreateJob already set the display name; setting it again would fail where SetDisplayName is a stub (Wine).
            JsonNode rest = props.isObject() ? ((ObjectNode) props.deepCopy()).without("displayName") : props;
            applyProperties(job, rest);
            for (JsonNode f : files) {
                job.addFile(f.path("remote").asText(null), f.path("local").asText(null));
            }
            if (!req.path("suspended").asBoolean(false)) {
                job.resume();
            }
            return job;
        } catch (RuntimeException e) {
            try {
                job.cancel();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Returns when the job's state is no longer {@code state} or after {@code timeoutMillis}. */
    private static void waitForChange(BitsJob job, String state, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (job.state().displayName().equals(state) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Finds a job by GUID or by a unique display name. */
    public BitsJob resolve(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new BitsException(HResult.E_INVALIDARG, "no job given");
        }
        String r = ref.trim();
        String bare = r.startsWith("{") && r.endsWith("}") ? r.substring(1, r.length() - 1) : r;
        try {
            return bits.getJob(UUID.fromString(bare));
        } catch (IllegalArgumentException notAGuid) {
            List<BitsJob> matches = new ArrayList<>();
            for (BitsJob j : bits.jobs()) {
                if (j.displayName().equals(r)) {
                    matches.add(j);
                }
            }
            if (matches.isEmpty()) {
                throw new BitsException(HResult.BG_E_NOT_FOUND, "no job with id or display name '" + r + "'");
            }
            if (matches.size() > 1) {
                throw new BitsException(HResult.E_INVALIDARG, matches.size() + " jobs are named '" + r
                        + "'; give the job id");
            }
            return matches.get(0);
        }
    }

    static JobType parseType(String text) {
        String t = text.trim().replace("-", "").replace("_", "");
        for (JobType type : JobType.values()) {
            if (type.displayName().equalsIgnoreCase(t)) {
                return type;
            }
        }
        throw new BitsException(HResult.E_INVALIDARG, "unknown transfer type '" + text
                + "' (expected download, upload or upload-reply)");
    }

    /** Parses every property before anything is created, so a bad value fails with nothing made. */
    private static void checkProperties(JsonNode props) {
        if (props.has("displayName")) {
            BitsLimits.checkDisplayName(props.get("displayName").asText());
        }
        if (props.has("description")) {
            BitsLimits.checkDescription(props.get("description").asText());
        }
        if (props.has("priority")) {
            JobPriority.parse(props.get("priority").asText());
        }
        if (props.has("transferPolicy")) {
            TransferPolicy.parse(props.get("transferPolicy").asText());
        }
        if (props.has("proxyUsage")) {
            ProxyUsage.parse(props.get("proxyUsage").asText());
        }
        if (props.has("notifyFlags")) {
            notifyFlags(props.get("notifyFlags"));
        }
    }

    /** Applies the properties present in {@code props} (the names of the contract's job object). */
    public static void applyProperties(BitsJob job, JsonNode props) {
        if (props == null || props.isMissingNode() || props.isNull()) {
            return;
        }
        if (props.has("displayName")) {
            job.setDisplayName(props.get("displayName").asText());
        }
        if (props.has("description")) {
            job.setDescription(props.get("description").asText());
        }
        if (props.has("priority")) {
            job.setPriority(JobPriority.parse(props.get("priority").asText()));
        }
        if (props.has("retryInterval")) {
            job.setMinimumRetryDelay(props.get("retryInterval").asLong());
        }
        if (props.has("retryTimeout")) {
            job.setNoProgressTimeout(props.get("retryTimeout").asLong());
        }
        if (props.has("maxDownloadTime")) {
            job.setMaximumDownloadTime(props.get("maxDownloadTime").asLong());
        }
        if (props.has("transferPolicy")) {
            job.setTransferPolicy(TransferPolicy.parse(props.get("transferPolicy").asText()));
        }
        if (props.has("notifyFlags")) {
            job.setNotifyFlags(notifyFlags(props.get("notifyFlags")));
        }
        if (props.has("proxyUsage") || props.has("proxyList") || props.has("proxyBypass")) {
            ProxySettings current = job.proxySettings();
            ProxyUsage usage = props.has("proxyUsage") ? ProxyUsage.parse(props.get("proxyUsage").asText()) : current.usage();
            List<String> list = props.has("proxyList") ? strings(props.get("proxyList")) : current.proxyList();
            List<String> bypass = props.has("proxyBypass") ? strings(props.get("proxyBypass")) : current.bypassList();
            if (usage != ProxyUsage.OVERRIDE && !props.has("proxyList") && !props.has("proxyBypass")) {
                list = List.of();
                bypass = List.of();
            }
            job.setProxySettings(new ProxySettings(usage, list, bypass));
        }
    }

    private static Set<NotifyFlag> notifyFlags(JsonNode node) {
        Set<NotifyFlag> flags = EnumSet.noneOf(NotifyFlag.class);
        for (String s : strings(node)) {
            if (!s.isBlank() && !s.trim().toLowerCase(Locale.ROOT).equals("none")) {
                flags.add(NotifyFlag.parse(s));
            }
        }
        return flags;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else if (!node.isNull()) {
            for (String s : node.asText().split("[,\\s]+")) {
                if (!s.isBlank()) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
