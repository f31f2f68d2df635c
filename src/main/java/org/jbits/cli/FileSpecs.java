package org.jbits.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.transport.Redacted;
import org.jbits.transport.SmbNames;
import org.jbits.transport.SmbTransport;

/**
 * Turns the CLI's SOURCE... DESTINATION into (remote, local) pairs, as Start-BitsTransfer pairs them: local
 * sources are made absolute and may use a wildcard in their last segment; a destination that is an existing
 * directory takes each source's file name.
 */
final class FileSpecs {
    /** One file of a job. */
    record Spec(String remote, String local) {
    }

    private FileSpecs() {
    }

    static List<Spec> pair(List<String> sources, String destination) {
        List<String> expanded = new ArrayList<>();
        for (String s : sources) {
            expanded.addAll(expandSource(s));
        }
        Path dest = destination(destination);
        boolean isDir = Files.isDirectory(dest);
        if (expanded.size() > 1 && !isDir) {
            throw new BitsException(HResult.E_INVALIDARG, "with " + expanded.size()
                    + " sources the destination must be an existing directory: " + destination);
        }
        List<Spec> out = new ArrayList<>();
        for (String s : expanded) {
            out.add(new Spec(s, (isDir ? dest.resolve(fileNameOf(s)) : dest).toString()));
        }
        return out;
    }

    /** A destination must be absolute and its directory must exist (BITS' AddFile rules). */
    static Path destination(String destination) {
        Path dest;
        try {
            dest = Path.of(destination);
        } catch (InvalidPathException e) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + destination + "' is not a valid path");
        }
        if (!dest.isAbsolute()) {
            throw new BitsException(HResult.E_INVALIDARG, "the destination '" + destination
                    + "' is a relative path; give an absolute path");
        }
        dest = dest.normalize();
        if (!Files.isDirectory(dest) && (dest.getParent() == null || !Files.isDirectory(dest.getParent()))) {
            throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the destination directory "
                    + (dest.getParent() == null ? dest : dest.getParent()) + " does not exist");
        }
        return dest;
    }

    /** URLs pass through (the agent checks them); local paths become absolute, wildcards expand. */
    static List<String> expandSource(String source) {
        if (isSmbSource(source)) {
            return expandSmbSource(source);
        }
        if (source.matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
            return List.of(source);
        }
        if (source.matches("(?i)[a-z][a-z0-9+.-]*:.*") && !source.startsWith("/")) {
            throw new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, "'" + source
                    + "' is not a supported source (http://, https://, smb://, file:// or a local path)");
        }
        Path p;
        try {
            p = Path.of(source).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + source + "' is not a valid path");
        }
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        Path dir = p.getParent();
        if (dir != null && (dir.toString().contains("*") || dir.toString().contains("?"))) {
            throw new BitsException(HResult.E_INVALIDARG, "a wildcard is allowed only in the last segment: " + source);
        }
        if (name.contains("*") || name.contains("?")) {
            List<String> matches = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, name)) {
                for (Path m : ds) {
                    if (Files.isRegularFile(m)) {
                        matches.add(m.toString());
                    }
                }
            } catch (IOException e) {
                throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "cannot list " + dir + ": " + e.getMessage());
            }
            if (matches.isEmpty()) {
                throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "no file matches " + source);
            }
            matches.sort(null);
            return matches;
        }
        if (!Files.isRegularFile(p)) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "the source file " + p + " does not exist");
        }
        return List.of(p.toString());
    }

    /** The file name a source gives a destination directory. */
    static String fileNameOf(String source) {
        if (SmbNames.isUnc(source)) {
            return smbFileName(source);
        }
        String path = source;
        if (source.matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
            try {
                path = URI.create(source).getRawPath();
            } catch (IllegalArgumentException e) {
                throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL, "'" + source + "' is not a valid URL");
            }
            path = path == null ? "" : URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        int slash = path.lastIndexOf('/');
        String name = slash >= 0 ? path.substring(slash + 1) : path;
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new BitsException(HResult.E_INVALIDARG, "cannot take a file name from '" + source
                    + "'; give a file as the destination");
        }
        return name;
    }

    /** Reads {@code Source, Destination} rows (header first), as Import-Csv would. */
    static List<Spec> fromCsv(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "cannot read " + csv + ": " + e.getMessage());
        }
        lines.removeIf(String::isBlank);
        if (lines.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, csv + " is empty; expected a 'Source, Destination' header");
        }
        List<String> header = splitCsv(lines.get(0));
        int src = indexOf(header, "source");
        int dst = indexOf(header, "destination");
        if (src < 0 || dst < 0) {
            throw new BitsException(HResult.E_INVALIDARG, csv + ": the header must name Source and Destination columns");
        }
        List<Spec> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            List<String> row = splitCsv(lines.get(i));
            if (row.size() <= Math.max(src, dst)) {
                throw new BitsException(HResult.E_INVALIDARG, csv + " line " + (i + 1) + ": expected Source and Destination");
            }
            out.addAll(pair(List.of(row.get(src)), row.get(dst)));
        }
        if (out.isEmpty()) {
            throw new BitsException(HResult.BG_E_EMPTY, csv + " has no rows");
        }
        return out;
    }

    private static int indexOf(List<String> header, String name) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** One CSV line: comma-separated, double quotes around fields with commas, "" for a quote. */
    static List<String> splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().trim());
        return out;
    }

    // ---------------------------------------------------------------- SMB sources

    /** An {@code smb://} URL or a UNC name ({@code \\host\share\path}, {@code //host/share/path}). */
    static boolean isSmbSource(String source) {
        return SmbNames.isSmbUrl(source) || SmbNames.isUnc(source);
    }

    /**
     * An SMB source without a wildcard passes through (the agent checks it). A {@code *}/{@code ?} in its last
     * segment lists that directory on the server (with the URL's credentials, if any) and gives one source per
     * matching file, sorted by upper-cased name as an NTFS directory lists them, each spelt as the source was
     * (a UNC name, or a URL with the same user info). No match is ERROR_FILE_NOT_FOUND, never an empty job.
     */
    static List<String> expandSmbSource(String source) {
        boolean unc = SmbNames.isUnc(source);
        URI uri;
        if (unc) {
            uri = SmbNames.fromUnc(source);
        } else {
            try {
                uri = new URI(source);
            } catch (java.net.URISyntaxException e) {
                throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL, "'" + Redacted.text(source)
                        + "' is not a valid URL: " + e.getReason() + " (a space in an smb:// URL is %20; a UNC name "
                        + "\\\\host\\share\\path takes names as they are)");
            }
        }
        SmbNames.Location where = SmbNames.Location.of(uri);
        if (where.directory().contains("*") || where.directory().contains("?") || where.share().contains("*")
                || where.share().contains("?")) {
            throw new BitsException(HResult.E_INVALIDARG, "a wildcard is allowed only in the last segment: "
                    + Redacted.text(source));
        }
        String pattern = where.name();
        if (!pattern.contains("*") && !pattern.contains("?")) {
            return List.of(source);
        }
        URI directory = where.withPath(where.directory()).toUri();
        List<URI> matches = new SmbTransport(30_000, 60_000).list(directory, pattern, SmbNames.credentialsIn(uri));
        List<String> out = new ArrayList<>();
        for (URI m : matches) {
            if (unc) {
                out.add(SmbNames.Location.of(m).unc());
            } else {
                String s = m.toString();
                out.add(uri.getRawUserInfo() == null ? s
                        : "smb://" + uri.getRawUserInfo() + "@" + s.substring("smb://".length()));
            }
        }
        return out;
    }

    /** The last segment of a UNC name. */
    private static String smbFileName(String unc) {
        String name = SmbNames.Location.of(SmbNames.fromUnc(unc)).name();
        if (name.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "cannot take a file name from '" + unc
                    + "'; give a file as the destination");
        }
        return name;
    }
}
