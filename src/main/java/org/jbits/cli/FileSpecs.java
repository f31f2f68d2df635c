package org.jbits.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.transport.Redacted;
import org.jbits.transport.SmbNames;
import org.jbits.transport.SmbTransport;

/**
 * Turns the CLI's SOURCE... DESTINATION into (remote, local) pairs, as Start-BitsTransfer pairs them, and refuses
 * what BITS' AddFile would refuse before anything is created: local sources are made absolute and may use a
 * {@code *}/{@code ?} wildcard in their last segment; a destination that is an existing directory takes each
 * source's file name; a destination ending in {@code /} must be an existing directory.
 *
 * <p>Local paths are resolved as the kernel resolves them ({@link LocalPaths}): every directory on the way must
 * exist, and {@code ..} goes to the parent of the directory before it as the file system has it (after a symbolic
 * link, the parent of the link's target), never by cutting text. A path with {@code ..} is therefore sent with its
 * directory's canonical path; a path without keeps the spelling the user gave (symbolic links and all).
 */
final class FileSpecs {
    /** One file of a job. */
    record Spec(String remote, String local) {
    }

    private static final Pattern URL = Pattern.compile("(?i)^[a-z][a-z0-9+.-]*://");
    private static final Pattern SCHEME = Pattern.compile("(?i)^[a-z][a-z0-9+.-]*:");

    private FileSpecs() {
    }

    /** True for {@code scheme://...}: a URL, not a local path. */
    static boolean isUrl(String s) {
        return URL.matcher(s).find();
    }

    /** A download: every source to the destination (a file for one source, else an existing directory). */
    static List<Spec> pair(List<String> sources, String destination) {
        if (isUrl(destination)) {
            throw new BitsException(HResult.E_INVALIDARG, "the destination '" + Output.safe(destination)
                    + "' is a URL; the last argument of a download is the local file or directory to write "
                    + "(jbits start SOURCE... DESTINATION)");
        }
        List<String> expanded = new ArrayList<>();
        for (String s : sources) {
            expanded.addAll(expandSource(s));
        }
        Path dest = destination(destination);
        boolean isDir = Files.isDirectory(dest);
        if (expanded.size() > 1 && !isDir) {
            throw new BitsException(HResult.E_INVALIDARG, "with " + expanded.size()
                    + " sources the destination must be an existing directory: " + Output.safe(destination)
                    + (Files.exists(dest) ? " is a file" : " does not exist"));
        }
        LocalPaths.requireWritable(isDir ? dest : dest.getParent());
        List<Spec> out = new ArrayList<>();
        for (String s : expanded) {
            Path local = isDir ? dest.resolve(fileNameOf(s)) : dest;
            LocalPaths.requireNameFits(local);
            refuseSameFile(s, local);
            out.add(new Spec(s, local.toString()));
        }
        requireDistinct(out);
        return out;
    }

    /** An upload: one local file to the URL it goes to (the remote name is the URL, the local name the file). */
    static List<Spec> pairUpload(List<String> sources, String destination) {
        if (!destination.regionMatches(true, 0, "http://", 0, 7) && !destination.regionMatches(true, 0, "https://", 0, 8)
                && !isSmbSource(destination)) {
            throw new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, "an upload goes to an http:// or https:// URL "
                    + "or an SMB share (smb://server/share/path, \\\\server\\share\\path), not '"
                    + Output.safe(destination) + "'");
        }
        checkUrl(destination);
        List<String> files = new ArrayList<>();
        for (String s : sources) {
            if (isUrl(s)) {
                throw new BitsException(HResult.E_INVALIDARG, "an upload sends a local file, not '" + Output.safe(s) + "'");
            }
            files.addAll(expandSource(s));
        }
        if (files.size() != 1) {
            throw new BitsException(HResult.BG_E_TOO_MANY_FILES, "an upload job holds exactly one file; "
                    + files.size() + " were given");
        }
        return List.of(new Spec(destination, files.get(0)));
    }

    /**
     * A destination must be absolute and its directory must exist (BITS' AddFile rules); one ending in {@code /}
     * (or {@code /.}, {@code /..}) names a directory, which must exist. Returns the path to write to, or the
     * existing directory.
     */
    static Path destination(String destination) {
        if (destination.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "the destination is empty; give a file or an existing directory");
        }
        refuseWindowsPath(destination, "destination");
        if (destination.startsWith("~")) {
            throw new BitsException(HResult.E_INVALIDARG, "the destination '" + Output.safe(destination)
                    + "' starts with ~: a shell expands ~ only when it is not quoted; give $HOME/... or a path");
        }
        // Start-BitsTransfer: "supports relative directories, root paths, or implicit directories (that is, the
        // current directory)". Relative to this command's working directory, not the agent's.
        Path dest = Io.current().absolute(LocalPaths.parse(destination));
        if (LocalPaths.namesDirectory(destination, dest)) {
            LocalPaths.requireDirectory(dest, "destination");
            return LocalPaths.physical(dest, true);
        }
        switch (LocalPaths.kind(dest)) {
            case DIRECTORY:
                return LocalPaths.physical(dest, true);
            case DENIED:
                throw new BitsException(HResult.E_ACCESSDENIED, "cannot reach " + Output.safe(dest.toString())
                        + ": permission denied");
            case OTHER:
                throw new BitsException(HResult.E_INVALIDARG, "the destination " + Output.safe(dest.toString())
                        + " is not a regular file (a device, pipe or socket); jbits writes a new file next to it "
                        + "and renames it into place, which would replace it");
            default:
                break;
        }
        LocalPaths.requireDirectory(dest.getParent(), "destination");
        return LocalPaths.physical(dest, false);
    }

    /** {@code C:\\x} or {@code C:/x}: a Windows drive path, which names nothing here (off Windows). */
    private static final Pattern DRIVE_PATH = Pattern.compile("^[A-Za-z]:([\\\\/]|$)");

    /**
     * A Windows drive path ({@code C:\\x.txt}) on a machine without drives is refused with what it is, rather than
     * taken for a URL scheme "C:" or for a relative file name.
     */
    static void refuseWindowsPath(String path, String role) {
        if (DRIVE_PATH.matcher(path).find() && !System.getProperty("os.name", "").startsWith("Windows")) {
            throw new BitsException(HResult.E_INVALIDARG, "the " + role + " '" + Output.safe(path) + "' is a Windows"
                    + " drive path; this machine has no drive letters: give a path such as /home/me/x.txt, or a"
                    + " \\\\host\\share\\... or smb:// name for a file on a Windows share");
        }
    }

    /** URLs pass through (the agent checks them); local paths become absolute, wildcards expand. */
    static List<String> expandSource(String source) {
        if (source.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, "a SOURCE is empty");
        }
        if (isSmbSource(source)) {
            return expandSmbSource(source);
        }
        if (isUrl(source)) {
            checkUrl(source);
            refuseUrlWildcard(source);
            return List.of(source);
        }
        refuseWindowsPath(source, "source");
        if (SCHEME.matcher(source).find() && !source.startsWith("/")) {
            throw new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, "'" + Output.safe(source)
                    + "' is not a supported source (http://, https://, smb://, file:// or a local path)");
        }
        Path p = Io.current().absolute(LocalPaths.parse(source));
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        Path dir = p.getParent();
        if (dir != null && (dir.toString().contains("*") || dir.toString().contains("?"))) {
            throw new BitsException(HResult.E_INVALIDARG, "a wildcard is allowed only in the last segment: "
                    + Output.safe(source));
        }
        if (name.contains("*") || name.contains("?")) {
            if (source.endsWith("/")) {
                throw new BitsException(HResult.E_INVALIDARG, "a wildcard names files, not directories: "
                        + Output.safe(source));
            }
            LocalPaths.requireDirectory(dir, "source");
            return expandWildcard(LocalPaths.physical(dir, true), name, source);
        }
        if (LocalPaths.namesDirectory(source, p)) {
            LocalPaths.requireDirectory(p, "source");
            throw isDirectory(p);
        }
        if (dir != null) {
            LocalPaths.requireDirectory(dir, "source");
        }
        switch (LocalPaths.kind(p)) {
            case MISSING:
                throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "the source file " + Output.safe(p.toString())
                        + " does not exist");
            case DIRECTORY:
                throw isDirectory(p);
            case DENIED:
                throw new BitsException(HResult.E_ACCESSDENIED, "cannot reach " + Output.safe(p.toString())
                        + ": permission denied");
            case OTHER:
                throw new BitsException(HResult.E_INVALIDARG, "the source " + Output.safe(p.toString())
                        + " is not a regular file (a device, pipe or socket)");
            default:
                break;
        }
        if (!Files.isReadable(p)) {
            throw new BitsException(HResult.E_ACCESSDENIED, "cannot read the source file " + Output.safe(p.toString())
                    + ": permission denied");
        }
        return List.of(LocalPaths.physical(p, false).toString());
    }

    private static BitsException isDirectory(Path p) {
        String shown = Output.safe(p.toString());
        return new BitsException(HResult.E_INVALIDARG, "the source " + shown + " is a directory; give files ("
                + shown + (shown.endsWith("/") ? "" : "/") + "* takes the files in it)");
    }

    /** The regular files of {@code dir} that match {@code pattern}, in name order; dot files only for a pattern with a leading dot, as a shell does. */
    private static List<String> expandWildcard(Path dir, String pattern, String source) {
        Pattern glob = glob(pattern);
        List<String> matches = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path m : ds) {
                String n = m.getFileName().toString();
                if (glob.matcher(n).matches() && (!n.startsWith(".") || pattern.startsWith(".")) && Files.isRegularFile(m)) {
                    matches.add(m.toString());
                }
            }
        } catch (AccessDeniedException e) {
            throw new BitsException(HResult.E_ACCESSDENIED, "cannot list " + Output.safe(dir.toString()) + ": permission denied");
        } catch (IOException e) {
            throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "cannot list " + Output.safe(dir.toString()) + ": "
                    + Output.safe(String.valueOf(e.getMessage())));
        }
        if (matches.isEmpty()) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "no file matches " + Output.safe(source));
        }
        matches.sort(null);
        return matches;
    }

    /** {@code *} any run of characters, {@code ?} one character, everything else itself (no [...] or {...}). */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /**
     * A URL with a control character (a CR or LF pasted along with it, a tab) is refused as an invalid URL:
     * ERROR_WINHTTP_INVALID_URL, the code WinHTTP, BITS' HTTP stack, gives for a URL it cannot parse and the code
     * jbits gives any other malformed URL. Taken as a local path it would only produce a misleading "file not found".
     */
    static void checkUrl(String url) {
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL, "the URL '" + Output.safe(url)
                        + "' contains " + (c == '\n' || c == '\r' ? "a line break" : "a control character")
                        + "; a URL has none (percent-encode it: %0A)");
            }
        }
    }

    /**
     * A {@code *} in the path of an http, https or file URL: BITS expands wildcards in local and SMB paths only
     * (a server cannot be listed over HTTP), so it is refused rather than requested literally; a literal star is
     * {@code %2A}. A {@code ?} starts the query and is not a wildcard there.
     */
    static void refuseUrlWildcard(String url) {
        int start = url.indexOf("://") + 3;
        int end = url.length();
        for (char c : new char[]{'?', '#'}) {
            int i = url.indexOf(c, start);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        if (url.substring(start, end).indexOf('*') >= 0) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + Output.safe(Redacted.text(url)) + "' has a wildcard;"
                    + " wildcards work in local paths and SMB sources only, not in a URL (a literal * is %2A)");
        }
    }

    /** The file name a source gives a destination directory. */
    static String fileNameOf(String source) {
        if (SmbNames.isUnc(source)) {
            return smbFileName(source);
        }
        String path = source;
        if (isUrl(source)) {
            try {
                path = URI.create(source).getRawPath();
            } catch (IllegalArgumentException e) {
                throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL, "'" + Output.safe(source) + "' is not a valid URL");
            }
            path = path == null ? "" : URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        int slash = path.lastIndexOf('/');
        String name = slash >= 0 ? path.substring(slash + 1) : path;
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new BitsException(HResult.E_INVALIDARG, "cannot take a file name from '" + Output.safe(source)
                    + "'; give a file as the destination");
        }
        if (!Output.safe(name).equals(name) || name.indexOf('\0') >= 0) {
            throw new BitsException(HResult.E_INVALIDARG, "the file name '" + Output.safe(name) + "' taken from '"
                    + Output.safe(source) + "' has control characters; give a file as the destination");
        }
        return name;
    }

    /** Reads {@code Source, Destination} rows (header first) for a download, as Import-Csv would. */
    static List<Spec> fromCsv(Path csv) {
        return fromCsv(csv, false);
    }

    /**
     * Reads {@code Source, Destination} rows (header first, in any case), as Import-Csv would ({@link Csv}: a byte
     * order mark, CRLF, quotes and PowerShell's {@code #TYPE} line are fine); other columns are ignored. A download's
     * rows make one job; an upload's rows (a local Source, a URL Destination) are one job each, as
     * {@code Import-Csv | Start-BitsTransfer -TransferType Upload} makes them. Every row must be valid, or none is
     * taken, and an error names the row's line.
     */
    static List<Spec> fromCsv(Path csv, boolean upload) {
        String shown = csv.equals(Csv.STDIN) ? "standard input" : Output.safe(csv.toString());
        return fromRecords(Csv.read(csv, shown), shown, upload);
    }

    /**
     * The rows of a CSV file already read ({@link #fromCsv}); {@code shown} names it in messages. With
     * {@code --host} the file is read on this machine and its rows are checked here on the remote one.
     */
    static List<Spec> fromRecords(List<Csv.Record> records, String shown, boolean upload) {
        if (records.isEmpty()) {
            throw new BitsException(HResult.E_INVALIDARG, shown + " is empty; expected a 'Source, Destination' header");
        }
        List<String> header = records.get(0).fields();
        int src = Csv.indexOf(header, "source");
        int dst = Csv.indexOf(header, "destination");
        if (src < 0 || dst < 0) {
            boolean semicolons = header.size() == 1 && header.get(0).contains(";");
            throw new BitsException(HResult.E_INVALIDARG, shown + ": the header must name Source and Destination columns"
                    + (semicolons ? " separated by a comma (this file separates them with ';')" : ", not '"
                    + Output.safe(String.join(",", header)) + "'"));
        }
        List<Spec> out = new ArrayList<>();
        for (Csv.Record r : records.subList(1, records.size())) {
            String where = shown + " line " + r.line() + ": ";
            if (r.fields().size() <= Math.max(src, dst)) {
                throw new BitsException(HResult.E_INVALIDARG, where + "expected Source and Destination");
            }
            String source = r.fields().get(src);
            String destination = r.fields().get(dst);
            if (source.isEmpty() || destination.isEmpty()) {
                throw new BitsException(HResult.E_INVALIDARG, where + "the " + (source.isEmpty() ? "Source" : "Destination")
                        + " is empty");
            }
            try {
                out.addAll(upload ? pairUpload(List.of(source), destination) : pair(List.of(source), destination));
            } catch (BitsException e) {
                throw new BitsException(e.hresult(), where + e.detail());
            }
        }
        if (out.isEmpty()) {
            throw new BitsException(HResult.BG_E_EMPTY, shown + " has no rows");
        }
        if (!upload) {
            requireDistinct(out);
        }
        return out;
    }

    /** One CSV line: comma-separated, double quotes around fields with commas, "" for a quote. */
    static List<String> splitCsv(String line) {
        return Csv.split(line);
    }

    /** Copying a local file onto itself: cp refuses it, and the job would only replace the file with itself. */
    private static void refuseSameFile(String source, Path local) {
        if (isUrl(source) || !Files.exists(local)) {
            return;
        }
        try {
            if (Files.isSameFile(Io.current().absolute(Path.of(source)), local)) {
                throw new BitsException(HResult.E_INVALIDARG, "the source and the destination are the same file: "
                        + Output.safe(local.toString()));
            }
        } catch (IOException e) {
            // not comparable: not the same file as far as we can tell
        }
    }

    /**
     * Two files of one job may not land on one local name: the second would overwrite the first at Complete
     * (BITS refuses such a job). Names are compared through their directories' canonical paths, so a symbolic link
     * or {@code ..} does not hide a clash.
     */
    static void requireDistinct(List<Spec> specs) {
        Map<Path, String> seen = new HashMap<>();
        for (Spec s : specs) {
            Path local = Path.of(s.local());
            Path key = local;
            try {
                key = local.getParent().toRealPath().resolve(local.getFileName());
            } catch (IOException | RuntimeException e) {
                // keep the path as given
            }
            String before = seen.putIfAbsent(key, s.remote());
            if (before != null) {
                throw new BitsException(HResult.E_INVALIDARG, "two files of the job would be written to "
                        + Output.safe(s.local()) + ": " + Output.safe(before) + " and " + Output.safe(s.remote())
                        + "; give each its own destination");
            }
        }
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
