package org.jbits.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jbits.agent.Json;

/**
 * The path checks of {@link FileSpecs} done on the remote host by its bridge ({@link AgentBridge}), as the remote
 * user against the remote file system: {@code {"bridge": "pair", "sources": [...], "destination": ...}} and so on,
 * answered {@code {"ok": true, "files": [{"remote", "local"}]}} or with the failure reply the checks gave. The ssh
 * session is opened on the first check only.
 */
final class RemotePaths implements PathResolver {
    private final Supplier<RemoteLink> link;

    RemotePaths(Supplier<RemoteLink> link) {
        this.link = link;
    }

    @Override
    public List<FileSpecs.Spec> pair(List<String> sources, String destination) {
        return files(request("pair").put("destination", destination), sources);
    }

    @Override
    public List<FileSpecs.Spec> pairUpload(List<String> sources, String destination) {
        return files(request("pairUpload").put("destination", destination), sources);
    }

    @Override
    public List<FileSpecs.Spec> fromRecords(List<Csv.Record> records, String shown, boolean upload) {
        ObjectNode r = request("csv").put("name", shown).put("upload", upload);
        ArrayNode rows = r.putArray("records");
        for (Csv.Record rec : records) {
            ObjectNode o = rows.addObject().put("line", rec.line());
            ArrayNode f = o.putArray("fields");
            rec.fields().forEach(f::add);
        }
        return specs(link.get().bridge(r));
    }

    @Override
    public String replyFile(String path) {
        return link.get().bridge(request("replyFile").put("path", path)).path("path").asText();
    }

    @Override
    public int fileMode() {
        return link.get().bridge(request("fileMode")).path("fileMode").asInt();
    }

    private static ObjectNode request(String op) {
        ObjectNode o = Json.object();
        o.put("bridge", op);
        return o;
    }

    private List<FileSpecs.Spec> files(ObjectNode r, List<String> sources) {
        ArrayNode a = r.putArray("sources");
        sources.forEach(a::add);
        return specs(link.get().bridge(r));
    }

    private static List<FileSpecs.Spec> specs(ObjectNode reply) {
        List<FileSpecs.Spec> out = new ArrayList<>();
        for (var f : reply.path("files")) {
            out.add(new FileSpecs.Spec(f.path("remote").asText(), f.path("local").asText()));
        }
        return out;
    }
}
