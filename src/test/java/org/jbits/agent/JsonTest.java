package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The streaming codec against Jackson's ObjectMapper, which it stands in for. */
class JsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ObjectNode sample() {
        ObjectNode o = Json.object();
        o.put("ok", true);
        o.put("int", 42);
        o.put("long", 1L << 40);
        o.put("negative", -0x7FF8FFFF);
        o.put("big", new BigInteger("123456789012345678901234567890"));
        o.put("double", 0.25);
        o.put("text", "naïve \"quoted\" \\ line\nbreak \u0001 ☃");
        o.putNull("nothing");
        o.putArray("files").addObject().put("remote", "http://127.0.0.1/a b").put("bytes", -1);
        o.putObject("empty");
        o.putArray("none");
        return o;
    }

    @Test
    void compactAndPrettyTextAreWhatObjectMapperWrites() throws Exception {
        ObjectNode o = sample();
        assertEquals(MAPPER.writeValueAsString(o), new String(Json.bytes(o), StandardCharsets.UTF_8));
        assertEquals(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o), Json.pretty(o));
    }

    @Test
    void parsingGivesTheTreeObjectMapperReads() throws Exception {
        String text = MAPPER.writeValueAsString(sample());
        JsonNode mine = Json.parse(text);
        assertEquals(MAPPER.readTree(text), mine);
        assertEquals(sample(), mine);
        assertTrue(mine.path("long").isLong());
        assertTrue(mine.path("int").isInt());
        assertEquals(42, Json.parse("42").intValue());
        assertEquals("x", Json.parse("\"x\"").textValue());
        assertTrue(Json.parse("[]").isArray());
    }

    @Test
    void malformedTextIsAnIOException() throws Exception {
        assertThrows(IOException.class, () -> Json.parse(""));
        assertThrows(IOException.class, () -> Json.parse("{\"a\":"));
        assertThrows(IOException.class, () -> Json.parse("{\"a\":1} {}"));
        assertThrows(IOException.class, () -> Json.parse("{\"a\" 1}"));
        assertThrows(IOException.class, () -> Json.parse("[".repeat(65) + "]".repeat(65)));
        assertEquals(64, depth(Json.parse("[".repeat(64) + "]".repeat(64))));
    }

    private static int depth(JsonNode n) {
        return n.isArray() && n.size() > 0 ? 1 + depth(n.get(0)) : n.isArray() ? 1 : 0;
    }
}
