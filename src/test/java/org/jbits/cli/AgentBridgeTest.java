package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbits.HResult;
import org.jbits.agent.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge's own requests: the path checks of a command made on the bridge's machine (the remote one for the
 * client), answered without an agent. (The copying to the agent is RemoteHostIT's, through a real sshd.)
 */
class AgentBridgeTest {
    @TempDir
    Path tmp;

    private static ObjectNode request(String op) {
        ObjectNode o = Json.object();
        o.put("bridge", op);
        return o;
    }

    private static String text(ObjectNode o) {
        return new String(Json.bytes(o), StandardCharsets.UTF_8);
    }

    @Test
    void aDownloadsPathsAreCheckedHere() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        ObjectNode r = request("pair").put("destination", dir + "/");
        r.putArray("sources").add("http://127.0.0.1/a.bin").add("http://127.0.0.1/b.bin");
        ObjectNode reply = AgentBridge.answer(text(r));
        assertTrue(reply.path("ok").asBoolean(), reply.toString());
        assertEquals(dir.resolve("b.bin").toString(), reply.path("files").get(1).path("local").asText());
        assertEquals("http://127.0.0.1/a.bin", reply.path("files").get(0).path("remote").asText());

        ObjectNode missing = request("pair").put("destination", tmp.resolve("no/x.bin").toString());
        missing.putArray("sources").add("http://127.0.0.1/a.bin");
        ObjectNode refused = AgentBridge.answer(text(missing));
        assertFalse(refused.path("ok").asBoolean());
        assertEquals(HResult.ERROR_PATH_NOT_FOUND, refused.path("hresult").asInt(), refused.toString());
    }

    @Test
    void aCsvFilesRowsAreCheckedHereWithTheirLines() throws Exception {
        ObjectNode r = request("csv").put("name", "/elsewhere/files.csv").put("upload", false);
        var rows = r.putArray("records");
        var header = rows.addObject().put("line", 1);
        header.putArray("fields").add("Source").add("Destination");
        var row = rows.addObject().put("line", 2);
        row.putArray("fields").add("http://127.0.0.1/a.bin").add(tmp.resolve("a.bin").toString());
        var bad = rows.addObject().put("line", 3);
        bad.putArray("fields").add("http://127.0.0.1/b.bin").add(tmp.resolve("no/such/dir/b.bin").toString());
        ObjectNode reply = AgentBridge.answer(text(r));
        assertFalse(reply.path("ok").asBoolean(), reply.toString());
        assertTrue(reply.path("message").asText().startsWith("/elsewhere/files.csv line 3: "), reply.toString());
        rows.remove(2);
        ObjectNode ok = AgentBridge.answer(text(r));
        assertEquals(tmp.resolve("a.bin").toString(), ok.path("files").get(0).path("local").asText(), ok.toString());
    }

    @Test
    void malformedOrUnknownRequestsAreInvalidArguments() {
        for (String bad : List.of("{\"bridge\":\"nope\"}", "{\"bridge\":\"pair\",\"sources\":[1],\"destination\":\"/x\"}",
                "{\"bridge\":\"pair\",\"sources\":[]}", "{\"bridge\":")) {
            ObjectNode reply = AgentBridge.answer(bad);
            assertFalse(reply.path("ok").asBoolean(), bad);
            assertEquals(HResult.E_INVALIDARG, reply.path("hresult").asInt(), bad + ": " + reply);
        }
    }

    @Test
    void bridgeRequestsAreAnsweredWithoutStartingAnAgent() throws Exception {
        Path state = tmp.resolve("state");
        String in = text(request("fileMode")) + "\n" + text(request("replyFile").put("path", tmp.resolve("r.txt").toString()))
                + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new AgentBridge(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out, state).run();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        JsonNode mode = Json.parse(lines.get(0));
        assertTrue(mode.path("ok").asBoolean() && mode.path("fileMode").asInt() > 0, lines.get(0));
        assertEquals(tmp.resolve("r.txt").toString(), Json.parse(lines.get(1)).path("path").asText());
        assertFalse(Files.exists(state), "no agent was started, no state directory made");
    }
}
