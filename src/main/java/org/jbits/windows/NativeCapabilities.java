package org.jbits.windows;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jbits.HResult;

/**
 * What the BITS on this machine offers, found by asking it rather than assumed: which versioned manager classes
 * instantiate (reference §2.1: the newest one that does names the BITS version), which interfaces QueryInterface
 * offers on a probe job and its file, and which methods a probe job answers with a failure such as E_NOTIMPL
 * (Wine's stubs, reference §6.2). The conformance suite skips a case only for what is missing here, and says why.
 *
 * @param bitsVersion the version of the newest versioned manager class that instantiated ({@code "10.3"}), or
 *                    {@code "1.0"} when only {@code CLSID_BackgroundCopyManager} did
 * @param managerClasses each versioned class name ({@code BackgroundCopyManager10_3} ...), newest first, with the
 *                       HRESULT of CoCreateInstance (S_OK, or e.g. REGDB_E_CLASSNOTREG)
 * @param interfaces the interfaces QueryInterface offered ({@code IBackgroundCopyJob2}, {@code IBackgroundCopyFile2},
 *                   {@code IBackgroundCopyJobHttpOptions}, ...)
 * @param failingMethods methods that failed on the probe job ({@code IBackgroundCopyJob::GetTimes}) with their HRESULT
 * @param securityResult what CoInitializeSecurity returned (S_OK, or RPC_E_TOO_LATE when the process had set it)
 */
public record NativeCapabilities(String bitsVersion, Map<String, Integer> managerClasses, Set<String> interfaces,
                                 Map<String, Integer> failingMethods, int securityResult) {
    public NativeCapabilities {
        managerClasses = Collections.unmodifiableMap(new LinkedHashMap<>(managerClasses));
        interfaces = Collections.unmodifiableSet(new LinkedHashSet<>(interfaces));
        failingMethods = Collections.unmodifiableMap(new LinkedHashMap<>(failingMethods));
    }

    /** True when QueryInterface offered {@code interfaceName} ({@code "IBackgroundCopyJob5"}). */
    public boolean offers(String interfaceName) {
        return interfaces.contains(interfaceName);
    }

    /** True when {@code method} ({@code "IBackgroundCopyJob::Suspend"}) did not fail on the probe job. */
    public boolean implementsMethod(String method) {
        return !failingMethods.containsKey(method);
    }

    /** Why {@code method} is missing ({@code "IBackgroundCopyJob::GetTimes returned E_NOTIMPL (0x80004001)"}), or null. */
    public String whyMissing(String method) {
        Integer hr = failingMethods.get(method);
        return hr == null ? null : method + " returned " + HResult.name(hr) + " (" + HResult.hex(hr) + ") on a probe job";
    }

    /** Why {@code interfaceName} is missing, or null when it is offered. */
    public String whyNotOffered(String interfaceName) {
        return offers(interfaceName) ? null
                : "QueryInterface for " + interfaceName + " gave E_NOINTERFACE (BITS " + bitsVersion + ")";
    }

    /** One line for logs and reports. */
    public String describe() {
        StringBuilder b = new StringBuilder("BITS ").append(bitsVersion).append("; classes");
        managerClasses.forEach((k, v) -> b.append(' ').append(k).append('=').append(HResult.name(v)));
        b.append("; interfaces ").append(String.join(", ", interfaces));
        if (!failingMethods.isEmpty()) {
            b.append("; failing");
            failingMethods.forEach((k, v) -> b.append(' ').append(k).append('=').append(HResult.name(v)));
        }
        return b.toString();
    }
}
