package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java oracle writes its lines as native/README.md's "Output conventions" say, byte for byte like the C client. */
class OracleFormatTest {

    @Test
    void stringsAreAsciiWithLowerCaseEscapesAndASurrogatePairAsTwo() {
        assertEquals("\"Gr\\u00fc\\u00dfe \\ud83d\\ude00\"", OracleLine.quote("Gr\u00fc\u00dfe \ud83d\ude00"));
        assertEquals("\"a\\\"b\\\\c\"", OracleLine.quote("a\"b\\c"));
        assertEquals("\"X: 1\\u000d\\u000a\\u007f\"", OracleLine.quote("X: 1\r\n\u007f"), "CR, LF and DEL are escaped");
        assertEquals("null", OracleLine.quote(null));
    }

    @Test
    void hresultsAreUpperCaseHexOfEightDigits() {
        assertEquals("\"0x80200003\"", OracleLine.hrValue(0x80200003));
        assertEquals("\"0x0020001A\"", OracleLine.hrValue(0x0020001A));
        assertEquals("\"0x00000000\"", OracleLine.hrValue(0));
    }

    @Test
    void aLineStartsWithItsScenarioAndKeepsFieldOrder() {
        Map<String, String> clsids = new LinkedHashMap<>();
        clsids.put("1.0", OracleLine.hrValue(0));
        clsids.put("10.3", OracleLine.hrValue(0x80040154));
        String line = new OracleLine("x").hr("hr", 1).num("n", -1L).num("none", (Long) null).bool("b", true)
                .boolOrNull("c", null).array("a", List.of("1", "null")).object("o", clsids).str("s", "\u00e9").toString();
        assertEquals("{\"scenario\":\"x\",\"hr\":\"0x00000001\",\"n\":-1,\"none\":null,\"b\":true,\"c\":null,"
                + "\"a\":[1,null],\"o\":{\"1.0\":\"0x00000000\",\"10.3\":\"0x80040154\"},\"s\":\"\\u00e9\"}", line);
    }

    @Test
    void fileHashIsFnv1a64(@TempDir Path dir) throws IOException {
        // Test vectors of FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        Path a = Files.write(dir.resolve("a"), "a".getBytes(StandardCharsets.US_ASCII));
        Path foobar = Files.write(dir.resolve("foobar"), "foobar".getBytes(StandardCharsets.US_ASCII));
        assertEquals("cbf29ce484222325", OracleCalls.fnv1a64(empty.toString()));
        assertEquals("af63dc4c8601ec8c", OracleCalls.fnv1a64(a.toString()));
        assertEquals("85944171f73967e8", OracleCalls.fnv1a64(foobar.toString()));
        assertNull(OracleCalls.fnv1a64(dir.resolve("missing").toString()));
    }

    @Test
    void unsignedValuesPrintAsTheCClientPrintsAUlong() {
        assertEquals(4294967295L, OracleCalls.u32(-1));
        assertEquals(0x800000FFL, OracleCalls.u32(0x800000FF));
    }
}
