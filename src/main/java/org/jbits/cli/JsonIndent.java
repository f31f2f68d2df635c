package org.jbits.cli;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Compact JSON text re-laid out as Jackson's default pretty printer lays it out, byte for byte, without parsing it
 * into values: objects open onto a new line indented two spaces per enclosing object, {@code "name" : value},
 * arrays inline as {@code [ a, b ]}, empty ones as {@code { }} and {@code [ ]}. Strings, numbers and literals are
 * copied as they are (the compact text is Jackson's, escaped as the pretty printer escapes). For {@code get --json}
 * of thousands of jobs, where reading the reply into a tree and printing it again was most of the CLI's time.
 */
final class JsonIndent {
    private static final int CHUNK = 64 * 1024;

    private final byte[] in;
    private final OutputStream out;
    private final byte[] buf = new byte[CHUNK];
    private int n;

    private JsonIndent(byte[] in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /**
     * Writes the JSON value at {@code in[from]} (compact, as Jackson writes it) laid out; returns the index after it.
     * Throws IOException for text that is not such a value.
     */
    static int pretty(byte[] in, int from, OutputStream out) throws IOException {
        JsonIndent j = new JsonIndent(in, out);
        int end = j.value(from, 0);
        j.flush();
        return end;
    }

    private int value(int i, int depth) throws IOException {
        if (i >= in.length) {
            throw malformed(i);
        }
        byte b = in[i];
        if (b == '{') {
            return object(i + 1, depth);
        }
        if (b == '[') {
            return array(i + 1, depth);
        }
        if (b == '"') {
            return string(i);
        }
        int start = i;
        while (i < in.length && in[i] != ',' && in[i] != '}' && in[i] != ']') {
            if (in[i] == ' ' || in[i] == '\n' || in[i] == '"' || in[i] == '{' || in[i] == '[' || in[i] == ':') {
                throw malformed(i);
            }
            i++;
        }
        if (i == start) {
            throw malformed(i);
        }
        write(start, i);
        return i;
    }

    private int object(int i, int depth) throws IOException {
        put('{');
        if (i < in.length && in[i] == '}') {
            put(' ');
            put('}');
            return i + 1;
        }
        while (true) {
            newline(depth + 1);
            if (i >= in.length || in[i] != '"') {
                throw malformed(i);
            }
            i = string(i);
            if (i >= in.length || in[i] != ':') {
                throw malformed(i);
            }
            put(' ');
            put(':');
            put(' ');
            i = value(i + 1, depth + 1);
            if (i >= in.length) {
                throw malformed(i);
            }
            if (in[i] == ',') {
                put(',');
                i++;
            } else if (in[i] == '}') {
                newline(depth);
                put('}');
                return i + 1;
            } else {
                throw malformed(i);
            }
        }
    }

    private int array(int i, int depth) throws IOException {
        put('[');
        if (i < in.length && in[i] == ']') {
            put(' ');
            put(']');
            return i + 1;
        }
        put(' ');
        while (true) {
            i = value(i, depth);
            if (i >= in.length) {
                throw malformed(i);
            }
            if (in[i] == ',') {
                put(',');
                put(' ');
                i++;
            } else if (in[i] == ']') {
                put(' ');
                put(']');
                return i + 1;
            } else {
                throw malformed(i);
            }
        }
    }

    /**
     * Copies the string starting at {@code in[i]} (its quotes included); returns the index after it. A character
     * outside the BMP is the one thing the two generators write differently: the compact (UTF-8) one escapes its
     * surrogates ({@code \\uD83D\\uDE00}), the pretty one writes the character, which standard output encodes as
     * UTF-8; a lone surrogate, which UTF-8 cannot hold, comes out as the encoder's {@code ?}.
     */
    private int string(int i) throws IOException {
        int start = i++;
        while (i < in.length) {
            byte b = in[i];
            if (b == '\\') {
                int high = surrogate(i);
                if (high >= 0xD800 && high <= 0xDFFF) {
                    write(start, i);
                    int low = high <= 0xDBFF ? surrogate(i + 6) : -1;
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        int cp = Character.toCodePoint((char) high, (char) low);
                        put(0xF0 | (cp >> 18));
                        put(0x80 | ((cp >> 12) & 0x3F));
                        put(0x80 | ((cp >> 6) & 0x3F));
                        put(0x80 | (cp & 0x3F));
                        i += 12;
                    } else {
                        put('?');
                        i += 6;
                    }
                    start = i;
                    continue;
                }
                i += 2;
            } else if (b == '"') {
                write(start, i + 1);
                return i + 1;
            } else {
                i++;
            }
        }
        throw malformed(start);
    }

    /** The character of a {@code \\uXXXX} escape at {@code in[i]}, or -1 when there is none. */
    private int surrogate(int i) {
        if (i + 5 >= in.length || in[i] != '\\' || in[i + 1] != 'u') {
            return -1;
        }
        int c = 0;
        for (int k = i + 2; k < i + 6; k++) {
            int d = Character.digit(in[k], 16);
            if (d < 0) {
                return -1;
            }
            c = c * 16 + d;
        }
        return c;
    }

    private void newline(int depth) throws IOException {
        put('\n');
        for (int k = 0; k < depth; k++) {
            put(' ');
            put(' ');
        }
    }

    private void put(int b) throws IOException {
        if (n == buf.length) {
            flush();
        }
        buf[n++] = (byte) b;
    }

    private void write(int from, int to) throws IOException {
        int len = to - from;
        if (len > buf.length - n) {
            flush();
            if (len > buf.length) {
                out.write(in, from, len);
                return;
            }
        }
        System.arraycopy(in, from, buf, n, len);
        n += len;
    }

    private void flush() throws IOException {
        out.write(buf, 0, n);
        n = 0;
    }

    private static IOException malformed(int at) {
        return new IOException("the agent's reply is not the JSON expected (at byte " + at + ")");
    }
}
