package org.jbits.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * SMB remote names: {@code smb://host[:port]/share/path} URLs and the UNC forms {@code \\host\share\path} and
 * {@code //host/share/path}, which become {@code smb://} URLs. A UNC name is taken literally (no escape processing,
 * as BITS takes remote names); an {@code smb://} URL is a URL, so a space in it is {@code %20}. A UNC name names no
 * port (SMB is 445); {@code \\host@PORT\share\path}, the spelling of Windows' WebDAV redirector, gives one.
 */
public final class SmbNames {
    private SmbNames() {
    }

    /**
     * Where an SMB file is: the server, the port (-1 for 445), the share and the path inside it ({@code /}-separated,
     * decoded, without a leading slash; empty for the share's root).
     */
    public record Location(String host, int port, String share, String path) {
        /** The location of {@code uri}, an {@code smb://} URL (its user info, if any, is not part of it). */
        public static Location of(URI uri) {
            String p = uri.getPath() == null ? "" : uri.getPath();
            while (p.startsWith("/")) {
                p = p.substring(1);
            }
            int slash = p.indexOf('/');
            String share = slash < 0 ? p : p.substring(0, slash);
            String path = slash < 0 ? "" : p.substring(slash + 1);
            return new Location(uri.getHost(), uri.getPort(), share, path);
        }

        /** {@code smb://host[:port]/share/}, the URL of the share's root as jcifs-ng takes it. */
        String shareUrl() {
            return "smb://" + hostPort() + "/" + share + "/";
        }

        /** The path's last segment (the file name), or empty for the share's root. */
        public String name() {
            String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            return p.substring(p.lastIndexOf('/') + 1);
        }

        /** The directory part of the path, with its trailing slash (empty for a file at the share's root). */
        public String directory() {
            String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            return p.substring(0, p.lastIndexOf('/') + 1);
        }

        /** The same share with another path. */
        public Location withPath(String newPath) {
            return new Location(host, port, share, newPath);
        }

        /** {@code smb://host[:port]/share/path}, encoded: a URL with no user info. */
        public URI toUri() {
            try {
                return new URI("smb", null, host, port, "/" + share + (path.isEmpty() ? "/" : "/" + path), null, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a valid SMB location: " + this, e);
            }
        }

        /** {@code \\host\share\path}, for messages (with {@code @port} after the host when it is not 445). */
        public String unc() {
            return "\\\\" + hostPort().replace(":", "@") + "\\" + share + (path.isEmpty() ? "" : "\\" + path.replace('/', '\\'));
        }

        private String hostPort() {
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return port < 0 ? h : h + ":" + port;
        }
    }

    /** True for a UNC name: {@code \\host\...}, or {@code //host/...} (exactly two slashes, as POSIX leaves "//" open). */
    public static boolean isUnc(String name) {
        if (name.startsWith("\\\\")) {
            return name.length() > 2 && name.charAt(2) != '\\';
        }
        return name.startsWith("//") && name.length() > 2 && name.charAt(2) != '/';
    }

    /** True for an {@code smb://} URL (any case). */
    public static boolean isSmbUrl(String name) {
        return name.regionMatches(true, 0, "smb://", 0, 6);
    }

    /**
     * The {@code smb://} URL of a UNC name ({@code \\host\share\dir\file} or {@code //host/share/dir/file}), each
     * character of the path taken as itself. E_INVALIDARG when the name has no host or no share.
     */
    public static URI fromUnc(String unc) {
        String s = unc.replace('\\', '/').substring(2);
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        String rest = slash < 0 ? "" : s.substring(slash + 1);
        if (host.isEmpty() || rest.isEmpty() || rest.startsWith("/")) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + unc + "' names no share; a UNC name is \\\\server\\share\\path");
        }
        int port = -1;
        int at = host.lastIndexOf('@');
        if (at > 0 && host.substring(at + 1).matches("\\d{1,5}")) {
            port = Integer.parseInt(host.substring(at + 1));
            host = host.substring(0, at);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new URI("smb", null, host, port, "/" + rest, null, null);
        } catch (URISyntaxException e) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + unc + "' is not a valid UNC name: " + e.getReason());
        }
    }

    /**
     * Checks an {@code smb://} URL as AddFile takes it: a host, a port in range, a share and a file path (no
     * trailing slash), no query or fragment, no wildcard (BITS' remote names have none; the CLI expands them).
     */
    public static void check(URI uri, String shown) {
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL, "'" + shown + "' has no server name");
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL, "'" + shown + "' has port " + uri.getPort()
                    + "; a port is 1 to 65535");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + shown + "' has a query or fragment (? or #); an SMB "
                    + "file name with those characters is written %3F and %23");
        }
        Location loc = Location.of(uri);
        if (loc.share().isEmpty() || loc.path().isEmpty() || loc.path().endsWith("/")) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + shown + "' names no file; an SMB source is "
                    + "smb://server[:port]/share/path/file");
        }
        if (loc.path().contains("*") || loc.path().contains("?")) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + shown + "' has a wildcard; a remote name has none "
                    + "(the CLI expands a wildcard in the last segment into one file each)");
        }
    }

    /**
     * The credentials a URL carries ({@code smb://user:password@host/...}, a domain as {@code DOMAIN;user} or
     * {@code DOMAIN%5Cuser}), or null without user info.
     */
    public static Credentials credentialsIn(URI uri) {
        String info = uri.getRawUserInfo();
        if (info == null || info.isEmpty()) {
            return null;
        }
        int colon = info.indexOf(':');
        String user = decode(colon < 0 ? info : info.substring(0, colon));
        String password = colon < 0 ? "" : decode(info.substring(colon + 1));
        return new Credentials(Credentials.Scheme.NTLM, user.replace(';', '\\'), password);
    }

    /** {@code uri} without its user info (what the transport names in messages and hands to the library). */
    public static URI withoutUserInfo(URI uri) {
        return uri.getRawUserInfo() == null ? uri : Location.of(uri).toUri();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** {@code DOMAIN\\user} split into [domain or null, user]. */
    static String[] domainAndUser(String userName) {
        int bs = userName.indexOf('\\');
        if (bs > 0) {
            return new String[]{userName.substring(0, bs), userName.substring(bs + 1)};
        }
        return new String[]{null, userName};
    }
}
