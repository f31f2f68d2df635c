package org.jbits;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A job's notify command line ({@code IBackgroundCopyJob2::SetNotifyCmdLine}): the program run when the job is
 * transferred or fails (as its notify flags say), and its parameters, which start with the program itself, as
 * BITS has them. Neither goes through a shell: {@link #argv} splits the parameters into words and replaces
 * {@link #JOB_ID} in each with the job's id.
 *
 * @param program the program's full path
 * @param parameters the whole command line, the program first; null runs the program without arguments
 */
public record NotifyCmdLine(String program, String parameters) {
    /** Replaced by the job's id (its GUID, without braces) in every word of the parameters. */
    public static final String JOB_ID = "%jobid%";

    /**
     * The program's argument vector for job {@code id}: the parameters split into words as a POSIX shell splits
     * them, without any expansion: blanks separate words; {@code '...'} is taken literally; in {@code "..."} a
     * backslash escapes {@code "} and {@code \}; outside quotes a backslash escapes the next character. Each
     * occurrence of {@link #JOB_ID} becomes the id. The first word names the program (it is run by
     * {@link #program()}, whatever the first word says).
     *
     * @throws BitsException E_INVALIDARG for an unclosed quote or a trailing backslash
     */
    public List<String> argv(UUID id) {
        if (parameters == null || parameters.isBlank()) {
            return List.of(program);
        }
        List<String> out = new ArrayList<>();
        for (String w : words(parameters)) {
            out.add(id == null ? w : w.replace(JOB_ID, id.toString()));
        }
        out.set(0, program);
        return out;
    }

    /** The words of {@code text} (see {@link #argv}); E_INVALIDARG for an unclosed quote or a trailing backslash. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                if (end < 0) {
                    throw unclosed("'", text);
                }
                cur.append(text, i + 1, end);
                i = end;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < text.length() && text.charAt(j) != '"'; j++) {
                    char d = text.charAt(j);
                    if (d == '\\' && j + 1 < text.length() && (text.charAt(j + 1) == '"' || text.charAt(j + 1) == '\\')) {
                        j++;
                        d = text.charAt(j);
                    }
                    cur.append(d);
                }
                if (j >= text.length()) {
                    throw unclosed("\"", text);
                }
                i = j;
            } else if (c == '\\') {
                if (i + 1 >= text.length()) {
                    throw new BitsException(HResult.E_INVALIDARG, "the notify command line ends in a backslash");
                }
                cur.append(text.charAt(++i));
            } else {
                cur.append(c);
            }
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return out;
    }

    private static BitsException unclosed(String quote, String text) {
        return new BitsException(HResult.E_INVALIDARG, "the notify command line has an unclosed " + quote
                + " (" + text.length() + " characters)");
    }
}
