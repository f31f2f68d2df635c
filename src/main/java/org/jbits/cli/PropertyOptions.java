package org.jbits.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.jbits.agent.JobJson;
import org.jbits.agent.Json;
import picocli.CommandLine.Option;

/** The job property options shared by {@code start} and {@code set} (Start-/Set-BitsTransfer parameters). */
final class PropertyOptions {
    @Option(names = "--display-name", paramLabel = "NAME", description = "Display name (at most 256 characters).")
    String displayName;

    @Option(names = "--description", paramLabel = "TEXT", description = "Description (at most 1,024 characters).")
    String description;

    @Option(names = "--priority", paramLabel = "PRIORITY", description = "foreground, high, normal or low.")
    String priority;

    @Option(names = "--retry-interval", paramLabel = "SECONDS",
            description = "Minimum retry delay after a transient error (BITS default 600; at least 5).")
    Long retryInterval;

    @Option(names = "--retry-timeout", paramLabel = "SECONDS",
            description = "No-progress timeout after which a transient error becomes an error (BITS default 1209600).")
    Long retryTimeout;

    @Option(names = "--max-download-time", paramLabel = "SECONDS",
            description = "Active transfer time after which the job fails (BITS default 7776000).")
    Long maxDownloadTime;

    @Option(names = "--transfer-policy", paramLabel = "POLICY",
            description = "always, not-roaming, no-surcharge, standard or unrestricted.")
    String transferPolicy;

    @Option(names = "--proxy-usage", paramLabel = "USAGE", description = "system-default, no-proxy, auto-detect or override.")
    String proxyUsage;

    @Option(names = "--proxy-list", paramLabel = "LIST", split = ",", description = "Proxies for override ([scheme=][scheme://]host[:port]).")
    List<String> proxyList;

    @Option(names = "--proxy-bypass", paramLabel = "LIST", split = ",", description = "Hosts reached without the proxy (*.example.com, <local>).")
    List<String> proxyBypass;

    @Option(names = "--notify-flags", paramLabel = "FLAGS", split = ",",
            description = "transferred, error, modification, file-transferred (or none).")
    List<String> notifyFlags;

    /** The options given, under the names of the contract's job object. */
    ObjectNode toJson() {
        ObjectNode o = Json.object();
        if (displayName != null) {
            o.put("displayName", displayName);
        }
        if (description != null) {
            o.put("description", description);
        }
        if (priority != null) {
            o.put("priority", priority);
        }
        if (retryInterval != null) {
            o.put("retryInterval", retryInterval);
        }
        if (retryTimeout != null) {
            o.put("retryTimeout", retryTimeout);
        }
        if (maxDownloadTime != null) {
            o.put("maxDownloadTime", maxDownloadTime);
        }
        if (transferPolicy != null) {
            o.put("transferPolicy", transferPolicy);
        }
        if (proxyUsage != null) {
            o.put("proxyUsage", proxyUsage);
        }
        putList(o, "proxyList", proxyList);
        putList(o, "proxyBypass", proxyBypass);
        putList(o, "notifyFlags", notifyFlags);
        return o;
    }

    private static void putList(ObjectNode o, String name, List<String> values) {
        if (values != null) {
            ArrayNode a = o.putArray(name);
            values.forEach(a::add);
        }
    }
}
