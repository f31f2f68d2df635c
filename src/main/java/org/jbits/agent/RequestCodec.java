package org.jbits.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.CostState;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.JobType;

/**
 * The wire form of {@link Request}: one JSON object per line, {@code {"op": "set", "job": "...", "properties":
 * {...}}}, the request's name in {@code op}. Decoding is strict, so that what the agent does is exactly what was
 * asked: the line must be UTF-8 (no overlong forms, no encoded surrogates), one JSON object without duplicate names;
 * each field has one type and is never coerced; strings may hold no NUL and no lone surrogate; enum values are the
 * job object's spellings ({@code "Low"}, {@code "NotRoaming"}); and an unknown field is refused rather than ignored,
 * so a newer CLI asking an older agent for something it does not know gets an error instead of a job without it.
 * Every refusal is E_INVALIDARG naming the field.
 */
public final class RequestCodec {
    /** The longest request line the agent reads, in bytes without its newline. */
    public static final int MAX_LINE_BYTES = 1 << 20;
    private static final Duration DEFAULT_WAIT = Duration.ofMillis(500);

    private RequestCodec() {
    }

    /** The request on one line (without its newline); E_INVALIDARG when it is not a valid request. */
    public static Request decode(byte[] line, int length) {
        if (length > MAX_LINE_BYTES) {
            throw invalid("the request is " + length + " bytes; at most " + MAX_LINE_BYTES + " are read");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw invalid("the request is not valid UTF-8");
        }
        return decode(text);
    }

    /** The request in {@code text}; E_INVALIDARG when it is not a valid request. */
    public static Request decode(String text) {
        JsonNode node;
        try {
            node = Json.parse(text);
        } catch (JsonProcessingException e) {
            throw invalid("the request is not valid JSON: " + JsonFields.quote(e.getOriginalMessage()));
        } catch (IOException e) {
            throw invalid("the request is not valid JSON: " + JsonFields.quote(String.valueOf(e.getMessage())));
        }
        JsonFields f = JsonFields.of(node, "a request");
        String op = f.requiredString("op");
        JsonFields r = JsonFields.of(node, "the '" + op + "' request");
        r.string("op");
        Request request = switch (op) {
            case "status" -> new Request.Status();
            case "submit" -> submit(r);
            case "get" -> new Request.Get(orEmpty(r.strings("jobs")), r.bool("allUsers", false));
            case "addFile" -> new Request.AddFile(r.requiredString("job"), r.requiredString("remote"),
                    r.requiredString("local"), r.string("expectedSha256"), ranges(r));
            case "set" -> set(r);
            case "suspend" -> new Request.Suspend(r.requiredString("job"));
            case "resume" -> new Request.Resume(r.requiredString("job"));
            case "complete" -> new Request.Complete(r.requiredString("job"));
            case "remove" -> new Request.Remove(r.requiredString("job"));
            case "wait" -> await(r);
            case "stop" -> new Request.Stop();
            case "setRemoteName" -> new Request.SetRemoteName(r.requiredString("job"), fileIndex(r),
                    r.requiredString("remote"));
            case "replaceRemotePrefix" -> new Request.ReplaceRemotePrefix(r.requiredString("job"),
                    r.requiredString("oldPrefix"), r.requiredString("newPrefix"));
            case "requestFileRanges" -> requestFileRanges(r);
            case "updateDownloadPosition" -> updateDownloadPosition(r);
            case "network" -> new Request.Network();
            case "networkOverride" -> networkOverride(r);
            default -> throw invalid("unknown request " + JsonFields.quote(op));
        };
        r.refuseOthers();
        return request;
    }

    private static Request submit(JsonFields r) {
        JobType type = r.oneOf("type", JobType.values(), JobType::displayName);
        JsonFields p = r.object("properties");
        HttpOptions http = p == null ? HttpOptions.NONE : HttpOptionsJson.read(p);
        JobProperties props = p == null ? JobProperties.NONE : JobPropertiesJson.read(p);
        List<JsonFields> files = r.objects("files");
        if (files == null || files.isEmpty()) {
            throw new BitsException(HResult.BG_E_EMPTY, "no files to transfer");
        }
        List<Request.NewFile> out = new ArrayList<>(files.size());
        for (JsonFields f : files) {
            out.add(new Request.NewFile(f.requiredString("remote"), f.requiredString("local"),
                    f.string("expectedSha256")));
            f.refuseOthers();
        }
        Long mode = r.wholeNumber("fileMode");
        if (mode != null && (mode < 0 || mode > 0777)) {
            throw invalid("\"fileMode\" must be 0 to 511 (0777), not " + mode);
        }
        return new Request.Submit(type == null ? JobType.DOWNLOAD : type, props, out, r.bool("suspended", false),
                mode == null ? null : mode.intValue(), http);
    }

    private static Request set(JsonFields r) {
        String job = r.requiredString("job");
        JsonFields p = r.object("properties");
        if (p == null) {
            throw invalid("the 'set' request needs the field 'properties'");
        }
        // The HTTP options first: JobPropertiesJson.read refuses every field not read by then.
        HttpOptions http = HttpOptionsJson.read(p);
        return new Request.Set(job, JobPropertiesJson.read(p), http);
    }

    /** {@code "ranges": [{"offset": N, "length": N}]}, length -1 to the end of the file; null when absent. */
    private static List<org.jbits.BitsFileRange> ranges(JsonFields r) {
        List<JsonFields> list = r.objects("ranges");
        if (list == null) {
            return null;
        }
        List<org.jbits.BitsFileRange> out = new ArrayList<>(list.size());
        for (JsonFields f : list) {
            Long offset = f.wholeNumber("offset");
            Long length = f.wholeNumber("length");
            if (offset == null || length == null) {
                throw invalid("a range needs the fields 'offset' and 'length'");
            }
            f.refuseOthers();
            out.add(new org.jbits.BitsFileRange(offset, length));
        }
        return out;
    }

    private static int fileIndex(JsonFields r) {
        return fileIndex(r, "setRemoteName");
    }

    private static int fileIndex(JsonFields r, String op) {
        Long i = r.wholeNumber("index");
        if (i == null || i < 0 || i > Integer.MAX_VALUE) {
            throw invalid("the '" + op + "' request needs 'index', a file index from 0");
        }
        return i.intValue();
    }

    private static Request requestFileRanges(JsonFields r) {
        String job = r.requiredString("job");
        int index = fileIndex(r, "requestFileRanges");
        List<org.jbits.BitsFileRange> ranges = ranges(r);
        if (ranges == null || ranges.isEmpty()) {
            throw invalid("the 'requestFileRanges' request needs 'ranges', at least one");
        }
        return new Request.RequestFileRanges(job, index, ranges);
    }

    private static Request updateDownloadPosition(JsonFields r) {
        String job = r.requiredString("job");
        int index = fileIndex(r, "updateDownloadPosition");
        Long offset = r.wholeNumber("offset");
        if (offset == null) {
            throw invalid("the 'updateDownloadPosition' request needs 'offset', a byte offset from 0");
        }
        return new Request.UpdateDownloadPosition(job, index, offset);
    }

    /** The spelling of "back to detection" in {@code networkOverride}'s {@code cost} field. */
    static final String AUTO = "Auto";

    private static Request networkOverride(JsonFields r) {
        String cost = r.requiredString("cost");
        if (cost.equals(AUTO)) {
            return new Request.NetworkOverride(null);
        }
        CostState[] states = CostState.values();
        String[] names = new String[states.length + 1];
        for (int i = 0; i < states.length; i++) {
            if (states[i].displayName().equals(cost)) {
                return new Request.NetworkOverride(states[i]);
            }
            names[i] = states[i].displayName();
        }
        names[states.length] = AUTO;
        throw invalid("the 'cost' field of the 'networkOverride' request must be one of " + String.join(", ", names)
                + ", not " + JsonFields.quote(cost));
    }

    private static Request await(JsonFields r) {
        String job = r.requiredString("job");
        JobState state = r.oneOf("state", JobState.values(), JobState::displayName);
        if (state == null) {
            throw invalid("the 'wait' request needs the field 'state'");
        }
        Long millis = r.wholeNumber("timeoutMillis");
        if (millis != null && millis < 0) {
            throw invalid("the 'timeoutMillis' field of the 'wait' request must not be negative");
        }
        return new Request.Wait(job, state, millis == null ? DEFAULT_WAIT : Duration.ofMillis(millis));
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    /** The request as its JSON object. */
    public static ObjectNode encode(Request request) {
        return request.accept(ENCODER);
    }

    /** The request as one line of UTF-8 JSON, newline included. */
    public static byte[] line(Request request) {
        byte[] json = Json.bytes(encode(request));
        byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
        out[json.length] = '\n';
        return out;
    }

    private static BitsException invalid(String message) {
        return new BitsException(HResult.E_INVALIDARG, message);
    }

    /** Stateless, so one serves every caller. */
    private static final Request.Visitor<ObjectNode> ENCODER = new Request.Visitor<>() {
        private ObjectNode op(String name) {
            return Json.object().put("op", name);
        }

        private ObjectNode forJob(String name, String job) {
            return op(name).put("job", job);
        }

        @Override
        public ObjectNode status(Request.Status r) {
            return op("status");
        }

        @Override
        public ObjectNode submit(Request.Submit r) {
            ObjectNode o = op("submit").put("type", r.type().displayName());
            ObjectNode props = o.putObject("properties");
            JobPropertiesJson.write(r.properties(), props);
            HttpOptionsJson.write(r.http(), props);
            ArrayNode files = o.putArray("files");
            for (Request.NewFile f : r.files()) {
                ObjectNode fo = files.addObject().put("remote", f.remote()).put("local", f.local());
                if (f.expectedSha256() != null) {
                    fo.put("expectedSha256", f.expectedSha256());
                }
            }
            o.put("suspended", r.suspended());
            if (r.fileMode() != null) {
                o.put("fileMode", r.fileMode());
            }
            return o;
        }

        @Override
        public ObjectNode get(Request.Get r) {
            ObjectNode o = op("get");
            r.jobs().forEach(o.putArray("jobs")::add);
            if (r.allUsers()) {
                o.put("allUsers", true);
            }
            return o;
        }

        @Override
        public ObjectNode addFile(Request.AddFile r) {
            ObjectNode o = forJob("addFile", r.job()).put("remote", r.remote()).put("local", r.local());
            if (r.ranges() != null) {
                ArrayNode a = o.putArray("ranges");
                r.ranges().forEach(x -> a.addObject().put("offset", x.initialOffset()).put("length", x.length()));
            }
            if (r.expectedSha256() != null) {
                o.put("expectedSha256", r.expectedSha256());
            }
            return o;
        }

        @Override
        public ObjectNode set(Request.Set r) {
            ObjectNode o = forJob("set", r.job());
            ObjectNode props = o.putObject("properties");
            JobPropertiesJson.write(r.properties(), props);
            HttpOptionsJson.write(r.http(), props);
            return o;
        }

        @Override
        public ObjectNode suspend(Request.Suspend r) {
            return forJob("suspend", r.job());
        }

        @Override
        public ObjectNode resume(Request.Resume r) {
            return forJob("resume", r.job());
        }

        @Override
        public ObjectNode complete(Request.Complete r) {
            return forJob("complete", r.job());
        }

        @Override
        public ObjectNode remove(Request.Remove r) {
            return forJob("remove", r.job());
        }

        @Override
        public ObjectNode await(Request.Wait r) {
            return forJob("wait", r.job()).put("state", r.state().displayName())
                    .put("timeoutMillis", r.timeout().toMillis());
        }

        @Override
        public ObjectNode stop(Request.Stop r) {
            return op("stop");
        }

        @Override
        public ObjectNode setRemoteName(Request.SetRemoteName r) {
            return forJob("setRemoteName", r.job()).put("index", r.index()).put("remote", r.remote());
        }

        @Override
        public ObjectNode replaceRemotePrefix(Request.ReplaceRemotePrefix r) {
            return forJob("replaceRemotePrefix", r.job()).put("oldPrefix", r.oldPrefix())
                    .put("newPrefix", r.newPrefix());
        }

        @Override
        public ObjectNode requestFileRanges(Request.RequestFileRanges r) {
            ObjectNode o = forJob("requestFileRanges", r.job()).put("index", r.index());
            ArrayNode a = o.putArray("ranges");
            r.ranges().forEach(x -> a.addObject().put("offset", x.initialOffset()).put("length", x.length()));
            return o;
        }

        @Override
        public ObjectNode updateDownloadPosition(Request.UpdateDownloadPosition r) {
            return forJob("updateDownloadPosition", r.job()).put("index", r.index()).put("offset", r.offset());
        }

        @Override
        public ObjectNode network(Request.Network r) {
            return op("network");
        }

        @Override
        public ObjectNode networkOverride(Request.NetworkOverride r) {
            return op("networkOverride").put("cost", r.cost() == null ? AUTO : r.cost().displayName());
        }
    };
}
