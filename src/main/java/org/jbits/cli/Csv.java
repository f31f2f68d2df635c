package org.jbits.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * A CSV file read as Import-Csv reads one: UTF-8 with or without a byte order mark (Excel's "CSV UTF-8" and
 * PowerShell 5.1's {@code -Encoding UTF8} write one), UTF-16 with one (PowerShell 5.1's {@code >}), CRLF or LF line
 * ends, RFC 4180 quoting (a quoted field may hold commas, {@code ""} and line breaks), PowerShell 5.1's
 * {@code #TYPE} first line skipped, blank lines skipped. Each record keeps the line it starts on, for messages.
 */
final class Csv {
    private Csv() {
    }

    /** One CSV record and the line it starts on. */
    record Record(int line, List<String> fields) {
    }

    /** The records of {@code file}, header first; {@code shown} names the file in messages. */
    /** Standard input, as {@code --from-csv -} names it. */
    static final Path STDIN = Path.of("-");
    /** The most {@code --from-csv -} reads from standard input. */
    static final int MAX_STDIN_BYTES = 64 << 20;

    static List<Record> read(Path file, String shown) {
        if (file.equals(STDIN)) {
            return parse(readStdin(), "standard input");
        }
        file = Io.current().local(file);
        if (Files.isDirectory(file)) {
            throw new BitsException(HResult.E_INVALIDARG, shown + " is a directory, not a CSV file");
        }
        byte[] bytes;
        try {
            Io.current().reading(Files.size(file));
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "the CSV file " + shown + " does not exist");
        } catch (AccessDeniedException e) {
            throw new BitsException(HResult.E_ACCESSDENIED, "cannot read the CSV file " + shown + ": permission denied");
        } catch (IOException e) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "cannot read the CSV file " + shown + ": "
                    + Output.safe(String.valueOf(e.getMessage())));
        }
        return parse(bytes, shown);
    }

    private static byte[] readStdin() {
        try {
            byte[] b = Io.current().in().readNBytes(MAX_STDIN_BYTES + 1);
            if (b.length > MAX_STDIN_BYTES) {
                throw new BitsException(HResult.E_INVALIDARG, "the CSV on standard input is over "
                        + (MAX_STDIN_BYTES >> 20) + " MiB");
            }
            return b;
        } catch (IOException e) {
            throw new BitsException(HResult.E_INVALIDARG, "cannot read the CSV from standard input: "
                    + Output.safe(String.valueOf(e.getMessage())));
        }
    }

    private static List<Record> parse(byte[] bytes, String shown) {
        List<Record> records = records(decode(bytes, shown));
        if (!records.isEmpty() && records.get(0).fields().size() == 1 && records.get(0).fields().get(0).startsWith("#TYPE")) {
            records.remove(0);
        }
        return records;
    }

    private static String decode(byte[] b, String shown) {
        Charset cs = StandardCharsets.UTF_8;
        int skip = 0;
        if (b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
            skip = 3;
        } else if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe) {
            cs = StandardCharsets.UTF_16LE;
            skip = 2;
        } else if (b.length >= 2 && (b[0] & 0xff) == 0xfe && (b[1] & 0xff) == 0xff) {
            cs = StandardCharsets.UTF_16BE;
            skip = 2;
        }
        try {
            return cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, skip, b.length - skip)).toString();
        } catch (CharacterCodingException e) {
            throw new BitsException(HResult.E_INVALIDARG, shown + " is not " + cs.name()
                    + " text; save it as CSV UTF-8");
        }
    }

    /** RFC 4180 records: comma-separated, double quotes around fields with commas, quotes or line breaks; blank lines skipped. */
    static List<Record> records(String text) {
        List<Record> out = new ArrayList<>();
        int line = 1;
        int i = 0;
        while (i < text.length()) {
            int start = line;
            List<String> fields = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        cur.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    fields.add(cur.toString().trim());
                    cur.setLength(0);
                } else if (c == '\r' || c == '\n') {
                    if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        i++;
                    }
                    i++;
                    line++;
                    break;
                } else {
                    cur.append(c);
                }
            }
            fields.add(cur.toString().trim());
            if (fields.size() > 1 || !fields.get(0).isEmpty()) {
                out.add(new Record(start, fields));
            }
        }
        return out;
    }

    static int indexOf(List<String> header, String name) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** One CSV line: comma-separated, double quotes around fields with commas, "" for a quote. */
    static List<String> split(String line) {
        List<Record> r = records(line);
        return r.isEmpty() ? List.of("") : r.get(0).fields;
    }
}
