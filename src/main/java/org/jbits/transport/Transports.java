package org.jbits.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.HResult;

/** The transports the engine knows, and the parsing of remote names into URIs that one of them handles. */
public final class Transports {
    private final List<Transport> transports;

    public Transports(List<Transport> transports) {
        this.transports = List.copyOf(transports);
    }

    /** HTTP(S), SMB and local files: what the engine moves by default. Timeouts in milliseconds. */
    public static Transports standard(long connectTimeoutMillis, long readTimeoutMillis) {
        return new Transports(List.of(new HttpTransport(connectTimeoutMillis, readTimeoutMillis),
                new SmbTransport(connectTimeoutMillis, readTimeoutMillis), new FileTransport()));
    }

    /** The transport for {@code uri}; {@link HResult#BG_E_PROTOCOL_NOT_AVAILABLE} when none handles it. */
    public Transport forUri(URI uri) {
        for (Transport t : transports) {
            if (t.handles(uri)) {
                return t;
            }
        }
        throw new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE,
                "no transport for '" + uri.getScheme() + "' URLs: " + Redacted.uri(uri));
    }

    /**
     * Parses a remote name as BITS accepts it: an {@code http(s)://} URL, an {@code smb://} URL, a UNC name
     * ({@code \\host\share\path} or {@code //host/share/path}, which becomes an {@code smb://} URL), a
     * {@code file://} URL, or an absolute local path. Fails with one clear message and code for anything else.
     */
    public URI parse(String remoteName) {
        if (remoteName == null || remoteName.isBlank()) {
            throw new BitsException(HResult.E_INVALIDARG, "the remote name is empty");
        }
        BitsLimits.checkLength("remote name", remoteName, BitsLimits.MAX_REMOTE_NAME);
        URI uri;
        if (SmbNames.isUnc(remoteName)) {
            uri = SmbNames.fromUnc(remoteName);
            SmbNames.check(uri, remoteName);
        } else if (remoteName.startsWith("/")) {
            try {
                uri = Path.of(remoteName).toUri();
            } catch (java.nio.file.InvalidPathException e) {
                throw new BitsException(HResult.E_INVALIDARG, "'" + remoteName + "' is not a valid path: " + e.getReason());
            }
        } else {
            int colon = remoteName.indexOf(':');
            if (colon <= 0 || !remoteName.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
                throw new BitsException(HResult.E_INVALIDARG, "'" + Redacted.text(remoteName)
                        + "' is neither a URL nor an absolute path");
            }
            try {
                uri = new URI(remoteName);
            } catch (URISyntaxException e) {
                throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL,
                        "'" + Redacted.text(remoteName) + "' is not a valid URL: " + e.getReason());
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && (uri.getHost() == null || uri.getHost().isEmpty())) {
                throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL, "'" + Redacted.text(remoteName)
                        + "' has no host name");
            }
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getPort() != -1
                    && (uri.getPort() < 1 || uri.getPort() > 65535)) {
                throw new BitsException(HResult.ERROR_WINHTTP_INVALID_URL, "'" + Redacted.text(remoteName)
                        + "' has port " + uri.getPort() + "; a port is 1 to 65535");
            }
            if (scheme.equals("smb")) {
                SmbNames.check(uri, Redacted.text(remoteName));
            }
            if (scheme.equals("file") && (uri.getPath() == null || !uri.getPath().startsWith("/"))) {
                throw new BitsException(HResult.E_INVALIDARG, "'" + remoteName + "' is not an absolute file URL");
            }
        }
        forUri(uri);
        return uri;
    }
}
