package org.jbits.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where under the upload directory a URL path puts its file: the directories to walk and the file's name, every
 * one a plain name that cannot leave the directory. The raw (still percent-encoded) path is read, so that the
 * rules apply to what the client actually sent, once:
 *
 * <ul>
 *   <li>encoded separators ({@code %2f}, {@code %5c}) are refused, as are malformed escapes and bytes that are
 *       not UTF-8;</li>
 *   <li>after decoding, a segment may not be empty (no {@code //}, no trailing {@code /}: that names a directory),
 *       {@code .} or {@code ..}, contain a NUL, a backslash, a slash or another control character, or start with
 *       a dot (hidden names are the server's own: its session state and received files);</li>
 *   <li>a segment is at most 255 bytes and a path at most 32 segments.</li>
 * </ul>
 *
 * Links are not this class's business: the walk through {@link org.jbits.file.SafeDirectory} refuses them.
 */
record UploadPath(List<String> directories, String name) {
    static final int MAX_SEGMENTS = 32;
    private static final int MAX_NAME_BYTES = 255;

    /** The path as a relative path, for messages and the journal. */
    String display() {
        return directories.isEmpty() ? name : String.join("/", directories) + "/" + name;
    }

    /** The upload path for a raw request path ({@code /dir/name}). */
    static UploadPath parse(String rawPath) throws BitsError {
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw BitsError.invalid("the URL path '" + rawPath + "' is not absolute");
        }
        if (rawPath.equals("/") || rawPath.endsWith("/")) {
            throw BitsError.invalid("the URL '" + rawPath + "' names a directory, not a file");
        }
        String[] raw = rawPath.substring(1).split("/", -1);
        if (raw.length > MAX_SEGMENTS) {
            throw BitsError.invalid("the URL path has " + raw.length + " segments; at most " + MAX_SEGMENTS);
        }
        List<String> segments = new ArrayList<>(raw.length);
        for (String r : raw) {
            segments.add(segment(r, rawPath));
        }
        return new UploadPath(List.copyOf(segments.subList(0, segments.size() - 1)), segments.get(segments.size() - 1));
    }

    /** The UploadPath of an already checked relative path, as {@link #display()} wrote it (read back from a journal). */
    static UploadPath ofDisplay(String display) throws BitsError {
        StringBuilder raw = new StringBuilder();
        for (String s : display.split("/", -1)) {
            raw.append('/').append(encode(s));
        }
        return parse(raw.toString());
    }

    private static String segment(String raw, String path) throws BitsError {
        if (raw.isEmpty()) {
            throw BitsError.invalid("the URL path '" + path + "' has an empty segment");
        }
        String lower = raw.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c")) {
            throw BitsError.invalid("the URL path '" + path + "' has an encoded separator");
        }
        String s = decode(raw, path);
        if (s.equals(".") || s.equals("..")) {
            throw BitsError.invalid("the URL path '" + path + "' has a '" + s + "' segment");
        }
        if (s.startsWith(".")) {
            throw BitsError.invalid("the URL path '" + path + "' names a hidden file or directory ('" + s
                    + "'); names starting with '.' are the server's own");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw BitsError.invalid("the URL path '" + path + "' has a NUL byte");
            }
            if (c == '\\' || c == '/') {
                throw BitsError.invalid("the URL path '" + path + "' has a separator inside a name");
            }
            if (c < 0x20 || c == 0x7f) {
                throw BitsError.invalid("the URL path '" + path + "' has a control character");
            }
        }
        if (s.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw BitsError.invalid("a name in the URL path '" + path + "' is longer than " + MAX_NAME_BYTES + " bytes");
        }
        return s;
    }

    /** Percent-decoding, strictly: a '%' must start two hex digits, and the bytes must be UTF-8. */
    private static String decode(String raw, String path) throws BitsError {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw BitsError.invalid("the URL path '" + path + "' has a malformed escape");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw BitsError.invalid("the URL path '" + path + "' has a malformed escape");
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw BitsError.invalid("the URL path '" + path + "' is not UTF-8");
        }
    }

    /** Percent-encodes everything but unreserved characters, so that {@link #parse} reads the name back unchanged. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        return b.toString();
    }
}
