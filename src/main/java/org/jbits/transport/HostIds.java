package org.jbits.transport;

import java.net.URI;
import java.util.regex.Pattern;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * {@code BITS-Host-Id}: the server part of the URL that every packet after Create-Session goes to ([MC-BUP] §1.3.4.2,
 * a server farm's way of keeping a session on one machine). The value is a server name or IP address, with a port
 * or without one (then the URL's port stays): {@code host}, {@code host:port}, {@code 10.0.0.7}, {@code [fe80::1]:8080},
 * {@code fe80::1}.
 */
final class HostIds {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9.])?");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}(%[A-Za-z0-9._~-]+)?");

    private HostIds() {
    }

    /** Fails with BG_E_INVALID_SERVER_RESPONSE unless {@code hostId} names a host (and port) a URL can carry. */
    static String check(String hostId) throws TransferException {
        authority(hostId);
        return hostId;
    }

    /** {@code url} with its server part replaced by {@code hostId} (null: {@code url} as it is). */
    static URI apply(URI url, String hostId) throws TransferException {
        if (hostId == null) {
            return url;
        }
        String[] hp = authority(hostId);
        String port = hp[1] != null ? hp[1] : url.getPort() != -1 ? Integer.toString(url.getPort()) : null;
        String authority = hp[0] + (port != null ? ":" + port : "");
        String s = url.getScheme() + "://" + authority + (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/"
                : url.getRawPath()) + (url.getRawQuery() != null ? "?" + url.getRawQuery() : "");
        try {
            return new URI(s);
        } catch (java.net.URISyntaxException e) {
            throw invalid(hostId);
        }
    }

    /** {host as a URL writes it, port or null}. */
    private static String[] authority(String hostId) throws TransferException {
        String v = hostId.trim();
        String host;
        String port = null;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw invalid(hostId);
            }
            host = v.substring(1, close);
            String rest = v.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw invalid(hostId);
                }
                port = rest.substring(1);
            }
            if (!V6.matcher(host).matches()) {
                throw invalid(hostId);
            }
            host = "[" + host + "]";
        } else if (v.indexOf(':') != v.lastIndexOf(':')) {
            if (!V6.matcher(v).matches()) {
                throw invalid(hostId);
            }
            host = "[" + v + "]";
        } else {
            int colon = v.indexOf(':');
            host = colon < 0 ? v : v.substring(0, colon);
            port = colon < 0 ? null : v.substring(colon + 1);
            if (!NAME.matcher(host).matches()) {
                throw invalid(hostId);
            }
        }
        if (port != null) {
            try {
                int p = Integer.parseInt(port);
                if (p < 1 || p > 65535) {
                    throw invalid(hostId);
                }
            } catch (NumberFormatException e) {
                throw invalid(hostId);
            }
        }
        return new String[]{host, port};
    }

    private static TransferException invalid(String hostId) {
        return TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                "the server's BITS-Host-Id '" + hostId.replaceAll("[\\p{Cntrl}]", "?")
                        + "' names no host a URL can carry", null);
    }
}
