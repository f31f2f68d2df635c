package org.jbits.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jbits.HResult;
import org.jbits.agent.JobJson;
import org.jbits.agent.Json;

/**
 * Formatting of jobs for people (a table like Get-BitsTransfer's) and for scripts (the contract's JSON). Every
 * text that came from a job (names, descriptions, URLs, file names, error texts) goes through {@link #safe} on its
 * way to a person, so it can neither forge a line nor drive the terminal; the JSON is left exact (Jackson escapes).
 */
final class Output {
    private Output() {
    }

    static void json(PrintStream out, JsonNode node) {
        out.println(Json.pretty(node));
    }

    /**
     * Prints the {@code jobs} array of a successful {@code get} reply line ({@code {"ok":true,"jobs":[...]}}) as
     * {@link #json} prints it, byte for byte, without reading it into a tree: its bytes re-laid out by
     * {@link JsonIndent} (one pass), or, where standard output is not UTF-8, its tokens copied into the pretty
     * printer. False, with nothing printed, for any other reply (a failure), which the caller then reads as a tree.
     */
    static boolean jobsJson(byte[] line, PrintStream out) throws IOException {
        int from = JOBS_REPLY.length;
        if (line.length < from + 2 || !java.util.Arrays.equals(line, 0, from, JOBS_REPLY, 0, from)
                || line[line.length - 1] != '}') {
            return false;
        }
        if (!printsUtf8()) {
            return copyTokens(line, out);
        }
        // Laid out into a buffer first: a reply that is not what it should be prints nothing.
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream(line.length * 2);
        int end = JsonIndent.pretty(line, from, text);
        if (end != line.length - 1) {
            return false;
        }
        text.writeTo(out);
        out.println();
        return true;
    }

    /** How a successful {@code get} reply line starts, as the agent writes it. */
    private static final byte[] JOBS_REPLY = "{\"ok\":true,\"jobs\":".getBytes(StandardCharsets.UTF_8);

    /** Whether standard output encodes text as UTF-8 (then the reply's own bytes are what printing its text gives). */
    private static boolean printsUtf8() {
        return Io.current().outCharset().equals(StandardCharsets.UTF_8);
    }

    /** The same, where standard output is not UTF-8: the tokens copied into the pretty printer, as text. */
    static boolean copyTokens(byte[] line, PrintStream out) throws IOException {
        try (JsonParser p = Json.parser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME
                    || !"ok".equals(p.currentName()) || p.nextToken() != JsonToken.VALUE_TRUE
                    || p.nextToken() != JsonToken.FIELD_NAME || !"jobs".equals(p.currentName())
                    || p.nextToken() != JsonToken.START_ARRAY) {
                return false;
            }
            java.io.StringWriter text = new java.io.StringWriter();
            try (JsonGenerator g = Json.prettyGenerator(text)) {
                g.copyCurrentStructure(p);
            }
            out.println(text);
            return true;
        }
    }

    static void table(PrintStream out, Iterable<JsonNode> jobs) {
        String fmt = "%-36s  %-20s  %-12s  %-14s  %-23s  %-7s  %s%n";
        out.printf(Locale.ROOT, fmt, "JobId", "DisplayName", "TransferType", "JobState", "Bytes", "Files", "OwnerAccount");
        out.printf(Locale.ROOT, fmt, "-----", "-----------", "------------", "--------", "-----", "-----", "------------");
        for (JsonNode j : jobs) {
            out.printf(Locale.ROOT, fmt, text(j, "jobId"), clip(text(j, "displayName"), 20),
                    text(j, "transferType"), text(j, "jobState"),
                    bytes(j.path("bytesTransferred").asLong()) + " / " + total(j.path("bytesTotal").asLong()),
                    j.path("filesTransferred").asInt() + "/" + j.path("filesTotal").asInt(),
                    text(j, "ownerAccount"));
            String err = jobError(j);
            if (err != null) {
                out.println("    error: " + err);
            }
            for (JsonNode f : j.path("fileList")) {
                String expected = JobJson.text(f, "expectedSha256");
                if (expected != null) {
                    out.println("    sha256 " + safe(expected) + (JobJson.text(f, "sha256") != null ? " matched: "
                            : " expected: ") + text(f, "localName"));
                }
            }
        }
    }

    /** A field for people: escaped, and empty for null or a missing field (never the word "null"). */
    static String text(JsonNode j, String field) {
        String v = JobJson.text(j, field);
        return v == null ? "" : safe(v);
    }

    /**
     * The one-line error of a job, "BG_E_HTTP_ERROR_404 0x80190194 in RemoteFile: HTTP 404 ...", or null when the
     * job reports none. Parts the job does not report are left out, never printed as "null".
     */
    static String jobError(JsonNode j) {
        String condition = JobJson.text(j, "errorCondition");
        if (condition == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(safe(condition));
        String code = JobJson.text(j, "internalErrorCode");
        if (code != null && !code.equals(condition)) {
            b.append(' ').append(safe(code));
        }
        String context = JobJson.text(j, "errorContext");
        if (context != null && !context.equals("None")) {
            b.append(" in ").append(safe(context));
        }
        String description = JobJson.text(j, "errorDescription");
        if (description != null && !description.isBlank()) {
            b.append(": ").append(safe(description));
        }
        return b.toString();
    }

    /**
     * When a job in TransientError tries again: the time of its error (its modificationTime, set when it entered
     * TransientError) plus its retry interval, as "next retry at 11:45:02, 600 s after the error". For a
     * transient HTTP status (408, 429, 5xx) the server may have asked for a longer wait with Retry-After, which the
     * engine honours but the job object does not carry, so the line says the retry may come later. Null when the job
     * lacks either field.
     */
    static String nextRetry(JsonNode j, ZoneId zone, Instant now) {
        String modified = JobJson.text(j, "modificationTime");
        JsonNode interval = j.get("retryInterval");
        if (modified == null || interval == null || !interval.canConvertToLong()) {
            return null;
        }
        Instant at;
        try {
            at = Instant.parse(modified).plusSeconds(interval.asLong());
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
        StringBuilder b = new StringBuilder("next retry at ").append(clock(at, zone, now))
                .append(", ").append(interval.asLong()).append(" s after the error");
        if (mayCarryRetryAfter(JobJson.text(j, "errorCondition"))) {
            b.append(", or later if the server's Retry-After asks for longer");
        }
        return b.toString();
    }

    /** 408, 429 and 5xx are the statuses a Retry-After can come with and that are retried. */
    private static boolean mayCarryRetryAfter(String condition) {
        if (condition == null || !condition.startsWith("BG_E_HTTP_ERROR_")) {
            return false;
        }
        try {
            int status = HResult.httpStatus(HResult.parse(condition));
            return status == 408 || status == 429 || status >= 500;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** "11:45:02" on the day of {@code now}, else "2026-12-02 11:45:02" (local time of {@code zone}). */
    static String clock(Instant t, ZoneId zone, Instant now) {
        LocalDateTime l = LocalDateTime.ofInstant(t, zone);
        String time = two(l.getHour()) + ":" + two(l.getMinute()) + ":" + two(l.getSecond());
        if (l.toLocalDate().equals(LocalDateTime.ofInstant(now, zone).toLocalDate())) {
            return time;
        }
        return l.getYear() + "-" + two(l.getMonthValue()) + "-" + two(l.getDayOfMonth()) + " " + time;
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }

    /**
     * {@code s} with what a terminal would act on spelled out: C0 controls and DEL ({@code \n}, {@code \r},
     * {@code \t}, else {@code \x1b}), C1 controls ({@code \x9b} is a CSI on some terminals), the Unicode line and
     * paragraph separators and the bidirectional controls that reorder what is shown ({@code \u202e}). Backslashes
     * are left alone: Windows account and path names are full of them.
     */
    static String safe(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = escape(c);
            if (esc != null) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(esc);
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    private static String escape(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                break;
        }
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return "\\x" + hex(c, 2);
        }
        if (c == 0x061c || c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
            return "\\u" + hex(c, 4);
        }
        return null;
    }

    private static String hex(char c, int digits) {
        String h = Integer.toHexString(c);
        return "0".repeat(Math.max(0, digits - h.length())) + h;
    }

    /** At most {@code n} characters, the last one an ellipsis when cut (never half of a surrogate pair). */
    static String clip(String s, int n) {
        if (s.length() <= n) {
            return s;
        }
        int end = n - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }

    static String total(long n) {
        return n < 0 ? "unknown" : bytes(n);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return oneDecimal(v) + " " + units[u];
    }

    /**
     * {@code v} (not negative) rounded to one decimal, as {@code %.1f} prints it. Not through {@link String#format}:
     * its first use loads the locale data, 10-15 ms of every CLI command's start.
     */
    static String oneDecimal(double v) {
        long tenths = Math.round(v * 10);
        return (tenths / 10) + "." + (tenths % 10);
    }
}
