package org.jbits;

import java.util.List;

/**
 * A job's proxy settings ({@code SetProxySettings}). The lists are only allowed with {@link ProxyUsage#OVERRIDE}.
 *
 * @param usage how the proxy is chosen
 * @param proxyList proxies, {@code [scheme=][scheme://]host[:port]}
 * @param bypassList hosts reached directly ({@code *.example.com}, {@code <local>})
 */
public record ProxySettings(ProxyUsage usage, List<String> proxyList, List<String> bypassList) {
    /** BITS' default: the system's settings, no lists. */
    public static final ProxySettings DEFAULT = new ProxySettings(ProxyUsage.SYSTEM_DEFAULT, List.of(), List.of());

    public ProxySettings {
        proxyList = List.copyOf(proxyList);
        bypassList = List.copyOf(bypassList);
    }
}
