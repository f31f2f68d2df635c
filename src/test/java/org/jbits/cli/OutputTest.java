package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.jbits.agent.Json;
import org.junit.jupiter.api.Test;

class OutputTest {
    @Test
    void oneDecimalPrintsWhatPercentPointOneFPrints() {
        double[] values = {0, 0.04, 0.05, 0.949, 0.95, 1, 1.25, 9.96, 99.94, 1023.96, 123456.789};
        for (double v : values) {
            assertEquals(String.format(Locale.ROOT, "%.1f", v), Output.oneDecimal(v), "for " + v);
        }
    }

    @Test
    void byteCountsUseBinaryUnits() {
        assertEquals("0 B", Output.bytes(0));
        assertEquals("1023 B", Output.bytes(1023));
        assertEquals("1.0 KiB", Output.bytes(1024));
        assertEquals("1.5 MiB", Output.bytes(3 << 19));
        assertEquals("1.0 GiB", Output.bytes(1L << 30));
        assertEquals("2048.0 TiB", Output.bytes(1L << 51));
        assertEquals("unknown", Output.total(-1));
    }

    private static ObjectNode job(String state) {
        ObjectNode j = Json.object();
        j.put("jobId", "6f1d0c2e-0000-4000-8000-000000000000").put("displayName", "n").put("transferType", "Download")
                .put("jobState", state).put("ownerAccount", "root").put("bytesTotal", -1).put("bytesTransferred", 0)
                .put("filesTotal", 1).put("filesTransferred", 0).put("errorContext", "None");
        j.putNull("errorCondition");
        j.putNull("internalErrorCode");
        j.putNull("errorDescription");
        return j;
    }

    @Test
    void controlCharactersAreSpelledOutSoNoTextForgesALineOrDrivesTheTerminal() {
        assertEquals("a\\nb\\r\\tc\\x1b[31m\\x00\\x7f\\x9b2J\\u202eexe\\u2028", Output.safe("a\nb\r\tc\u001b[31m\u0000\u007f\u009b2J\u202eexe\u2028"));
        assertEquals("C:\\Users\\me caf\u00e9 \u65e5\u672c", Output.safe("C:\\Users\\me caf\u00e9 \u65e5\u672c"), "backslashes and printable text stay");
    }

    @Test
    void theJobTableEscapesEveryTextAndPrintsOneLinePerJobAndError() {
        ObjectNode j = job("Error");
        j.put("displayName", "ok\nforged\u001b[2J").put("ownerAccount", "root\n").put("errorCondition", "BG_E_HTTP_ERROR_404")
                .put("internalErrorCode", "0x80190194").put("errorContext", "RemoteFile")
                .put("errorDescription", "HTTP 404 for http://h/a\r\njbits: forged");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Output.table(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of(j));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(4, out.lines().count(), out);
        assertFalse(out.contains("\u001b"), out);
        assertTrue(out.contains("ok\\nforged\\x1b[2J"), out);
        assertTrue(out.contains("error: BG_E_HTTP_ERROR_404 0x80190194 in RemoteFile: HTTP 404 for http://h/a\\r\\njbits: forged"), out);
    }

    @Test
    void aJobWithoutAnErrorHasNoErrorLineAndNeverTheWordNull() {
        assertNull(Output.jobError(job("TransientError")));
        ObjectNode partial = job("TransientError").put("errorCondition", "BG_E_CONNECT_FAILURE");
        assertEquals("BG_E_CONNECT_FAILURE", Output.jobError(partial));
        String line = Waiter.progressLine(job("TransientError"), ZoneOffset.UTC, Instant.EPOCH);
        assertEquals("TransientError: 0 B / unknown", line);
        assertFalse(line.contains("null"));
    }

    @Test
    void aTransientErrorLineGivesTheReasonAndTheRetryTimeOfTheErrorPlusTheRetryInterval() {
        ObjectNode j = job("TransientError").put("errorCondition", "BG_E_CONNECTION_CLOSED").put("internalErrorCode", "0x8020002E")
                .put("errorContext", "GeneralTransport").put("errorDescription", "the connection was interrupted")
                .put("modificationTime", "2026-12-01T11:35:00Z").put("retryInterval", 600);
        Instant now = Instant.parse("2026-12-01T11:35:01Z");
        assertEquals("TransientError: 0 B / unknown (BG_E_CONNECTION_CLOSED 0x8020002E in GeneralTransport: the connection "
                + "was interrupted); next retry at 11:45:00, 600 s after the error", Waiter.progressLine(j, ZoneOffset.UTC, now));
        j.put("errorCondition", "BG_E_HTTP_ERROR_503").put("internalErrorCode", "0x801901F7").put("errorContext", "RemoteFile");
        assertTrue(Waiter.progressLine(j, ZoneOffset.UTC, now).endsWith(
                "next retry at 11:45:00, 600 s after the error, or later if the server's Retry-After asks for longer"));
        j.put("retryInterval", 86_400);
        assertTrue(Waiter.progressLine(j, ZoneOffset.UTC, now).contains("next retry at 2026-12-02 11:35:00"));
        j.put("errorCondition", "BG_E_HTTP_ERROR_404");
        assertFalse(Waiter.progressLine(j, ZoneOffset.UTC, now).contains("Retry-After"), "a 404 is not retried after a Retry-After");
    }

    @Test
    void aClippedNameNeverEndsInHalfASurrogatePair() {
        String s = "a".repeat(18) + "\ud83d\ude00" + "b";
        assertEquals("a".repeat(18) + "…", Output.clip(s, 20));
        assertEquals("short", Output.clip("short", 20));
    }
}
