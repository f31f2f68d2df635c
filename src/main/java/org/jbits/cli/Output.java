package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Locale;
import org.jbits.agent.JobJson;
import org.jbits.agent.Json;

/** Formatting of jobs for people (a table like Get-BitsTransfer's) and for scripts (the contract's JSON). */
final class Output {
    private Output() {
    }

    static void json(PrintStream out, JsonNode node) {
        out.println(Json.pretty(node));
    }

    static void table(PrintStream out, Iterable<JsonNode> jobs) {
        String fmt = "%-36s  %-20s  %-12s  %-14s  %-23s  %-7s  %s%n";
        out.printf(Locale.ROOT, fmt, "JobId", "DisplayName", "TransferType", "JobState", "Bytes", "Files", "OwnerAccount");
        out.printf(Locale.ROOT, fmt, "-----", "-----------", "------------", "--------", "-----", "-----", "------------");
        for (JsonNode j : jobs) {
            out.printf(Locale.ROOT, fmt, j.path("jobId").asText(), clip(j.path("displayName").asText(), 20),
                    j.path("transferType").asText(), j.path("jobState").asText(),
                    bytes(j.path("bytesTransferred").asLong()) + " / " + total(j.path("bytesTotal").asLong()),
                    j.path("filesTransferred").asInt() + "/" + j.path("filesTotal").asInt(),
                    j.path("ownerAccount").asText());
            String err = JobJson.text(j, "errorCondition");
            if (err != null) {
                out.printf(Locale.ROOT, "    error: %s %s in %s: %s%n", err, JobJson.text(j, "internalErrorCode"),
                        j.path("errorContext").asText(), JobJson.text(j, "errorDescription"));
            }
        }
    }

    /** The one-line error of a job: "BG_E_HTTP_ERROR_404 0x80190194 in RemoteFile: HTTP 404 ...". */
    static String jobError(JsonNode j) {
        return JobJson.text(j, "errorCondition") + " " + JobJson.text(j, "internalErrorCode") + " in "
                + j.path("errorContext").asText() + ": " + JobJson.text(j, "errorDescription");
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
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
