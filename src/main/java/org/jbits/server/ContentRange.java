package org.jbits.server;

/**
 * A fragment's {@code Content-Range: bytes first-last/total}: the zero-based offsets of its first and last byte and
 * the whole file's size. Parsed liberally (any case of "bytes", a space or '=' after it, spaces around the
 * numbers); {@code bytes *}{@code /0} is the one fragment of an empty file.
 */
record ContentRange(long first, long last, long total) {
    /** The number of bytes the range covers (0 for an empty file's fragment). */
    long length() {
        return last - first + 1;
    }

    /** Whether this is the file's last fragment. */
    boolean isFinal() {
        return last == total - 1;
    }

    static ContentRange parse(String value) throws BitsError {
        if (value == null || value.isBlank()) {
            throw BitsError.invalid("the fragment has no Content-Range");
        }
        String v = value.trim();
        if (v.length() < 6 || !v.regionMatches(true, 0, "bytes", 0, 5)) {
            throw malformed(value);
        }
        v = v.substring(5).trim();
        if (v.startsWith("=")) {
            v = v.substring(1).trim();
        }
        int slash = v.indexOf('/');
        if (slash < 0) {
            throw malformed(value);
        }
        String range = v.substring(0, slash).trim();
        long total = number(v.substring(slash + 1).trim(), value);
        if (range.equals("*")) {
            if (total != 0) {
                throw BitsError.invalid("Content-Range '" + value + "' names no bytes of a file that has some");
            }
            return new ContentRange(0, -1, 0);
        }
        int dash = range.indexOf('-');
        if (dash <= 0) {
            throw malformed(value);
        }
        long first = number(range.substring(0, dash).trim(), value);
        long last = number(range.substring(dash + 1).trim(), value);
        if (last < first || last >= total) {
            throw BitsError.invalid("Content-Range '" + value + "' is not a range of a " + total + "-byte file");
        }
        return new ContentRange(first, last, total);
    }

    private static long number(String s, String header) throws BitsError {
        if (s.isEmpty() || s.length() > 18) {
            throw malformed(header);
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw malformed(header);
            }
        }
        return Long.parseLong(s);
    }

    private static BitsError malformed(String value) {
        return BitsError.invalid("Content-Range '" + value + "' is not 'bytes first-last/total'");
    }
}
