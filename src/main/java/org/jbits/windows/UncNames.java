package org.jbits.windows;

import java.net.URI;
import java.net.URISyntaxException;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * Remote names as Windows' BITS takes them. BITS reads and writes SMB files by UNC name ({@code \\host\share\path});
 * jbits' API and CLI name them as {@code smb://host/share/path} URLs (the CLI turns a UNC name it is given into one),
 * so an {@code smb://} URL becomes the UNC name of the same file here, percent-escapes decoded. Every other name goes
 * to BITS as it is, for BITS to judge.
 *
 * <p>What a UNC name cannot say is refused with E_INVALIDARG before BITS is called: a port other than 445 (UNC names
 * name none), user info (the native backend's credentials go through SetCredentials, {@code --credential}; the
 * message never repeats them), a query or fragment, no share.
 */
final class UncNames {
    private UncNames() {
    }

    /** {@code remoteName} as BITS takes it. */
    static String forBits(String remoteName) {
        if (remoteName == null || !remoteName.regionMatches(true, 0, "smb://", 0, 6)) {
            return remoteName;
        }
        URI u;
        try {
            u = new URI(remoteName);
        } catch (URISyntaxException e) {
            throw invalid("is not a valid smb:// URL (" + e.getReason() + ")");
        }
        String host = u.getHost();
        if (host == null || host.isEmpty()) {
            throw invalid("names no server");
        }
        String where = "smb://" + host + "/...";
        if (u.getRawUserInfo() != null) {
            throw invalid(where + " carries credentials in the URL: the native backend takes them through "
                    + "SetCredentials (--credential), never in a remote name");
        }
        if (u.getPort() != -1 && u.getPort() != 445) {
            throw invalid(where + " names port " + u.getPort() + ": Windows' BITS reaches SMB files by UNC name, "
                    + "which names no port (SMB is 445)");
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw invalid(where + " has a query or fragment, which a UNC name cannot carry (a '?' or '#' in a file "
                    + "name is %3F or %23)");
        }
        String path = u.getPath() == null ? "" : u.getPath();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw invalid(where + " names no file on a share (smb://server/share/path)");
        }
        if (path.endsWith("/")) {
            throw invalid(where + " names a directory, not a file");
        }
        if (path.contains("\\")) {
            throw invalid(where + " has a backslash in its path, which a UNC name would read as a separator");
        }
        return "\\\\" + uncHost(host) + "\\" + path.replace('/', '\\');
    }

    /** A host as a UNC name spells it: an IPv6 literal in Windows' {@code ipv6-literal.net} form. */
    private static String uncHost(String host) {
        if (host.startsWith("[") && host.endsWith("]")) {
            return host.substring(1, host.length() - 1).replace("%25", "%").replace(':', '-').replace('%', 's')
                    + ".ipv6-literal.net";
        }
        return host;
    }

    private static BitsException invalid(String what) {
        return new BitsException(HResult.E_INVALIDARG, "the SMB name " + what);
    }
}
