package org.jbits.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.FileInfo;
import org.jbits.BitsManager;
import org.jbits.HResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one control request against a {@link BitsManager}, one small method per request. Used by the agent
 * for its socket clients and by the CLI directly where no agent is needed (native BITS on Windows). The agent's
 * life ({@code stop}) is its server's business: this class only answers.
 */
public final class RequestHandler implements Request.Visitor<ObjectNode> {
    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

    private final BitsManager bits;

    /** A handler of requests against {@code bits}. */
    public RequestHandler(BitsManager bits) {
        this.bits = bits;
    }

    /** The reply to {@code request} from {@code caller}; never throws for a bad request. */
    public ObjectNode handle(Request request, Caller caller) {
        // The name only: a request may carry what must stay out of logs (credentials, once they exist).
        log.debug("{} from {}", request.getClass().getSimpleName(), caller);
        try {
            return request.accept(this);
        } catch (BitsException e) {
            return Protocol.error(e);
        } catch (RuntimeException e) {
            log.error("request {} from {} failed", request.getClass().getSimpleName(), caller, e);
            return Protocol.error(new BitsException(HResult.E_FAIL, "internal error: " + e));
        }
    }

    @Override
    public ObjectNode status(Request.Status r) {
        ObjectNode reply = Protocol.ok();
        reply.put("running", true);
        reply.put("pid", ProcessHandle.current().pid());
        reply.put("backend", bits.backendName());
        reply.put("version", bits.backendVersion());
        return reply;
    }

    /**
     * Creates the job with its properties and files, then resumes it unless suspended. The properties are checked
     * in full before the job is created, and any later failure cancels the half-made job: bad input leaves nothing.
     */
    @Override
    public ObjectNode submit(Request.Submit r) {
        JobProperties props = r.properties();
        props.check(org.jbits.ProxySettings.DEFAULT);
        r.http().check();
        for (Request.NewFile f : r.files()) {
            if (f.expectedSha256() != null) {
                org.jbits.BitsLimits.checkSha256(f.expectedSha256());
            }
        }
        String name = props.displayName() != null ? props.displayName() : "jbits transfer";
        BitsJob job = bits.createJob(name, r.type());
        try {
            // CreateJob set the display name; setting it again would fail where SetDisplayName is a stub (Wine).
            PropertyUpdate.apply(job, props.withoutDisplayName());
            r.http().apply(job);
            if (r.fileMode() != null) {
                fileMode(job, r.fileMode());
            }
            // One AddFileSet: every file checked, then all committed at once (one fsync, not one per file).
            job.addFileSet(r.files().stream().map(f -> new FileInfo(f.remote(), f.local(), f.expectedSha256())).toList());
            if (!r.suspended()) {
                job.resume();
            }
        } catch (RuntimeException e) {
            try {
                job.cancel();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return withJob(JobJson.of(job));
    }

    /**
     * The caller's files get the caller's umask, not the agent's (whichever command happened to start it). A
     * backend without POSIX modes (Windows' BITS: the directory's ACL decides) has nothing to set.
     */
    private static void fileMode(BitsJob job, int mode) {
        try {
            job.setLocalFileMode(mode);
        } catch (BitsException e) {
            if (e.hresult() != HResult.E_NOTIMPL) {
                throw e;
            }
        }
    }

    /**
     * The reply to {@code get} written into {@code out} job by job, exactly the line {@link #get(Request.Get)} makes
     * (the same fields in the same order, compact, and a newline), holding one job's JSON at a time instead of all
     * of them. The jobs named are resolved before a byte is written, so a bad name is an error reply.
     */
    public void get(Request.Get r, Caller caller, OutputStream out) throws IOException {
        log.debug("Get from {}", caller);
        List<BitsJob> jobs = selected(r);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeBooleanField("ok", true);
            g.writeArrayFieldStart("jobs");
            for (BitsJob job : jobs) {
                Json.write(g, JobJson.of(job));
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.write('\n');
    }

    @Override
    public ObjectNode get(Request.Get r) {
        ObjectNode reply = Protocol.ok();
        ArrayNode out = reply.putArray("jobs");
        selected(r).forEach(j -> out.add(JobJson.of(j)));
        return reply;
    }

    /**
     * The jobs a {@code get} names, each once, in the order named: all of the caller's (or, with {@code allUsers},
     * every user's: BG_JOB_ENUM_ALL_USERS) when it names none; a display name stands for every job of that name
     * (Get-BitsTransfer -Name). Resolved whole before anything is written, so a bad name is an error reply.
     */
    private List<BitsJob> selected(Request.Get r) {
        List<BitsJob> pool = r.allUsers() ? bits.allUsersJobs() : null;
        if (r.jobs().isEmpty()) {
            return pool != null ? pool : bits.jobs();
        }
        List<BitsJob> out = new ArrayList<>();
        java.util.Set<java.util.UUID> seen = new java.util.HashSet<>();
        for (String ref : r.jobs()) {
            for (BitsJob j : resolveAll(ref, pool)) {
                if (seen.add(j.id())) {
                    out.add(j);
                }
            }
        }
        return out;
    }

    @Override
    public ObjectNode addFile(Request.AddFile r) {
        BitsJob job = resolve(r.job());
        if (r.ranges() != null) {
            if (r.expectedSha256() != null) {
                throw new BitsException(HResult.E_INVALIDARG, "a file with ranges takes no expected SHA-256 (the"
                        + " hash is of a whole file)");
            }
            job.addFileWithRanges(r.remote(), r.local(), r.ranges());
        } else if (r.expectedSha256() == null) {
            job.addFile(r.remote(), r.local());
        } else {
            job.addFile(r.remote(), r.local(), r.expectedSha256());
        }
        return withJob(JobJson.of(job));
    }

    /**
     * Sets every given property or none (see {@link PropertyUpdate}), then the HTTP options, all checked before
     * anything changes.
     */
    @Override
    public ObjectNode set(Request.Set r) {
        BitsJob job = resolve(r.job());
        r.http().check();
        PropertyUpdate.apply(job, r.properties());
        r.http().apply(job);
        return withJob(JobJson.of(job));
    }

    @Override
    public ObjectNode suspend(Request.Suspend r) {
        BitsJob job = resolve(r.job());
        job.suspend();
        return withJob(JobJson.of(job));
    }

    @Override
    public ObjectNode resume(Request.Resume r) {
        BitsJob job = resolve(r.job());
        job.resume();
        return withJob(JobJson.of(job));
    }

    /** The reply carries the job as it was before it was completed (its files), in its new state. */
    @Override
    public ObjectNode complete(Request.Complete r) {
        BitsJob job = resolve(r.job());
        ObjectNode view = JobJson.of(job);
        int hr = job.complete();
        view.put("jobState", job.state().displayName());
        ObjectNode reply = withJob(view);
        reply.put("hresult", hr);
        reply.put("result", HResult.name(hr));
        return reply;
    }

    @Override
    public ObjectNode remove(Request.Remove r) {
        BitsJob job = resolve(r.job());
        ObjectNode view = JobJson.of(job);
        job.cancel();
        view.put("jobState", job.state().displayName());
        return withJob(view);
    }

    /**
     * Waits in this thread for the whole timeout, woken by the backend's change signal
     * ({@link BitsJob#awaitStateChange}). The agent's server waits in slices instead, so that waits cannot hold
     * its threads (see RequestExecutor).
     */
    @Override
    public ObjectNode await(Request.Wait r) {
        BitsJob job = resolve(r.job());
        job.awaitStateChange(r.state(), r.timeout());
        return jobReply(job);
    }

    /** The reply that carries {@code job} as it is now. */
    public ObjectNode jobReply(BitsJob job) {
        return withJob(JobJson.of(job));
    }

    /** {@code {"ok": true, "network": {...}}} ({@link NetworkJson}); E_NOTIMPL from a backend without the call. */
    @Override
    public ObjectNode network(Request.Network r) {
        ObjectNode reply = Protocol.ok();
        reply.set("network", NetworkJson.of(bits.networkStatus()));
        return reply;
    }

    @Override
    public ObjectNode networkOverride(Request.NetworkOverride r) {
        ObjectNode reply = Protocol.ok();
        reply.set("network", NetworkJson.of(bits.overrideNetworkCost(r.cost())));
        return reply;
    }

    @Override
    public ObjectNode stop(Request.Stop r) {
        return Protocol.ok().put("stopping", true);
    }

    @Override
    public ObjectNode setRemoteName(Request.SetRemoteName r) {
        BitsJob job = resolve(r.job());
        job.setRemoteName(r.index(), r.remote());
        return withJob(JobJson.of(job));
    }

    @Override
    public ObjectNode requestFileRanges(Request.RequestFileRanges r) {
        BitsJob job = resolve(r.job());
        job.requestFileRanges(r.index(), r.ranges());
        return withJob(JobJson.of(job));
    }

    @Override
    public ObjectNode updateDownloadPosition(Request.UpdateDownloadPosition r) {
        BitsJob job = resolve(r.job());
        job.updateDownloadPosition(r.index(), r.offset());
        return withJob(JobJson.of(job));
    }

    /** The reply also says how many names changed ({@code replaced}). */
    @Override
    public ObjectNode replaceRemotePrefix(Request.ReplaceRemotePrefix r) {
        BitsJob job = resolve(r.job());
        int n = job.replaceRemotePrefix(r.oldPrefix(), r.newPrefix());
        ObjectNode reply = withJob(JobJson.of(job));
        reply.put("replaced", n);
        return reply;
    }

    private static ObjectNode withJob(ObjectNode job) {
        ObjectNode reply = Protocol.ok();
        reply.set("job", job);
        return reply;
    }

    /**
     * Every job {@code ref} names: the one of that GUID, or all of that display name (BG_E_NOT_FOUND for none),
     * among {@code pool} when given (every user's jobs), else the caller's.
     */
    public List<BitsJob> resolveAll(String ref, List<BitsJob> pool) {
        if (ref == null || ref.isBlank()) {
            throw new BitsException(HResult.E_INVALIDARG, "no job given");
        }
        String r = ref.trim();
        String bare = r.startsWith("{") && r.endsWith("}") ? r.substring(1, r.length() - 1) : r;
        UUID id = null;
        try {
            id = UUID.fromString(bare);
        } catch (IllegalArgumentException notAGuid) {
            // a display name
        }
        if (id != null && pool == null) {
            return List.of(bits.getJob(id));
        }
        List<BitsJob> matches = new ArrayList<>();
        for (BitsJob j : pool != null ? pool : bits.jobs()) {
            if (id != null ? j.id().equals(id) : j.displayName().equals(r)) {
                matches.add(j);
            }
        }
        if (matches.isEmpty()) {
            throw new BitsException(HResult.BG_E_NOT_FOUND, "no job with id or display name " + JsonFields.quote(r));
        }
        return matches;
    }

    /** Finds a job by GUID (with or without braces) or by a unique display name. */
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
                throw new BitsException(HResult.BG_E_NOT_FOUND, "no job with id or display name " + JsonFields.quote(r));
            }
            if (matches.size() > 1) {
                throw new BitsException(HResult.E_INVALIDARG, matches.size() + " jobs are named " + JsonFields.quote(r)
                        + "; give the job id");
            }
            return matches.get(0);
        }
    }
}
