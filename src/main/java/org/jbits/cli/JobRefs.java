package org.jbits.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.jbits.HResult;

/**
 * The JOB arguments of a command, as PowerShell pipelines pass jobs on ({@code Get-BitsTransfer | Complete-BitsTransfer}):
 * each argument is a job id or display name, and {@code -} stands for the lines of standard input, one job a line,
 * blank lines skipped, a line in double quotes unquoted (what {@code jq '.[].jobId'} prints). A job named twice is
 * acted on once, in the order first named.
 */
final class JobRefs {
    /** At most this many ids are read from standard input (a runaway pipe must not fill memory). */
    static final int MAX_STDIN_REFS = 100_000;

    private JobRefs() {
    }

    static List<String> expand(List<String> args, InputStream stdin) {
        LinkedHashSet<String> refs = new LinkedHashSet<>();
        boolean readStdin = false;
        for (String a : args) {
            if (a.equals("-")) {
                if (readStdin) {
                    throw new CliException(CliException.USAGE, "'-' (job ids from standard input) is given twice");
                }
                readStdin = true;
                refs.addAll(read(stdin));
            } else {
                refs.add(a);
            }
        }
        return new ArrayList<>(refs);
    }

    private static List<String> read(InputStream in) {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                String s = line.strip();
                if (s.endsWith(",")) {
                    s = s.substring(0, s.length() - 1).strip();
                }
                if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
                    s = s.substring(1, s.length() - 1).strip();
                }
                if (s.isEmpty()) {
                    continue;
                }
                if (out.size() >= MAX_STDIN_REFS) {
                    throw new CliException(CliException.USAGE, "more than " + MAX_STDIN_REFS
                            + " job ids on standard input");
                }
                out.add(s);
            }
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, "cannot read job ids from standard input: " + e.getMessage()
                    + " [" + HResult.name(HResult.E_INVALIDARG) + " " + HResult.hex(HResult.E_INVALIDARG) + "]");
        }
        return out;
    }
}
