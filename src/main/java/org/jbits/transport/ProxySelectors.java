package org.jbits.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** How a job's proxy usage becomes the proxy of each request: the environment's (system default) or BITS' lists. */
final class ProxySelectors {
    private ProxySelectors() {
    }

    /** {@code http_proxy}, {@code https_proxy}, {@code no_proxy}: the Linux convention for "the system's proxy". */
    static final class Environment extends ProxySelector {
        private final java.util.Map<String, String> env;

        Environment(java.util.Map<String, String> env) {
            this.env = env;
        }

        private String get(String name) {
            String v = env.get(name);
            return v != null ? v : env.get(name.toUpperCase(Locale.ROOT));
        }

        @Override
        public List<Proxy> select(URI uri) {
            String spec = get(uri.getScheme().toLowerCase(Locale.ROOT) + "_proxy");
            if (spec == null || spec.isBlank() || bypassed(uri.getHost(), get("no_proxy"))) {
                return List.of(Proxy.NO_PROXY);
            }
            return List.of(toProxy(spec));
        }

        private static boolean bypassed(String host, String noProxy) {
            if (noProxy == null || host == null) {
                return false;
            }
            for (String entry : noProxy.split("[,\\s]+")) {
                String e = entry.trim();
                if (e.isEmpty()) {
                    continue;
                }
                if (e.equals("*") || host.equalsIgnoreCase(e) || host.endsWith(e.startsWith(".") ? e : "." + e)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        }
    }

    /** BITS' OVERRIDE proxy list ({@code [scheme=][scheme://]host[:port]}) and bypass list ({@code *.x}, {@code <local>}). */
    static final class Listed extends ProxySelector {
        private final List<String> proxies;
        private final List<String> bypass;

        Listed(List<String> proxies, List<String> bypass) {
            this.proxies = proxies;
            this.bypass = bypass;
        }

        @Override
        public List<Proxy> select(URI uri) {
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            for (String b : bypass) {
                String p = b.trim().toLowerCase(Locale.ROOT);
                if (p.equals("<local>") ? !host.contains(".") : globMatches(p, host)) {
                    return List.of(Proxy.NO_PROXY);
                }
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            for (String entry : proxies) {
                String e = entry.trim();
                int eq = e.indexOf('=');
                if (eq > 0) {
                    if (!e.substring(0, eq).equalsIgnoreCase(scheme)) {
                        continue;
                    }
                    e = e.substring(eq + 1);
                }
                return List.of(toProxy(e));
            }
            return List.of(Proxy.NO_PROXY);
        }

        private static boolean globMatches(String glob, String host) {
            String regex = Pattern.quote(glob).replace("*", "\\E.*\\Q");
            return host.matches(regex);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        }
    }

    static Proxy toProxy(String spec) {
        String s = spec.trim();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        }
        int slash = s.indexOf('/');
        if (slash >= 0) {
            s = s.substring(0, slash);
        }
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            s = s.substring(at + 1);
        }
        int colon = s.lastIndexOf(':');
        String host = colon > 0 ? s.substring(0, colon) : s;
        int port = colon > 0 ? Integer.parseInt(s.substring(colon + 1)) : 80;
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(host, port));
    }
}
