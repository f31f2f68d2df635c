package org.jbits.conformance;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.jbits.BitsException;
import org.jbits.BitsManager;
import org.jbits.HResult;
import org.jbits.BitsOptions;
import org.jbits.windows.NativeBitsManager;
import org.jbits.windows.NativeCapabilities;

/**
 * The native backend (Windows' BITS through COM), run in a Windows JVM: on Windows itself, or under Wine, whose
 * qmgr.dll stubs several methods (reference §6.2). What is missing is not assumed but asked of the BITS at hand
 * ({@link NativeBitsManager#capabilities()}: QueryInterface and a probe call per method), so a case is skipped only
 * for a method that really fails there; Wine's other differences are reported through {@link WineDeviation}. This
 * class is the one place of the suite that knows the native backend's type; the cases see the public API only.
 */
final class NativeConformanceBackend implements ConformanceBackend {
    static final String WINE = "native-wine";
    static final String WINDOWS = "native-windows";

    private final String name;
    private volatile Map<Capability, String> missing;

    private NativeConformanceBackend(String name) {
        this.name = name;
    }

    static NativeConformanceBackend windows() {
        return new NativeConformanceBackend(WINDOWS);
    }

    static NativeConformanceBackend wine() {
        return new NativeConformanceBackend(WINE);
    }

    @Override
    public String name() {
        return name;
    }

    /** The capabilities this BITS lacks, probed once per backend object (opening a manager if none was opened yet). */
    @Override
    public Map<Capability, String> missing() {
        Map<Capability, String> m = missing;
        if (m == null) {
            try (BitsManager bits = BitsManager.open(options(null))) {
                m = learn(bits);
            }
        }
        return m;
    }

    @Override
    public BitsManager open(Path scratch) {
        BitsManager bits = BitsManager.open(options(scratch));
        if (missing == null) {
            learn(bits);
        }
        return bits;
    }

    private static BitsOptions options(Path scratch) {
        return new BitsOptions("native", scratch == null ? null : scratch.resolve("state"), Map.of());
    }

    private Map<Capability, String> learn(BitsManager bits) {
        if (!(bits instanceof NativeBitsManager n)) {
            throw new IllegalStateException("backend 'native' opened a " + bits.getClass().getName());
        }
        Map<Capability, String> m = missingFrom(n.capabilities(), WINE.equals(name), costProbe(bits));
        missing = m;
        return m;
    }

    /**
     * Asks the manager for the network's cost: null when it answers; otherwise its failure, which is the reason the
     * cost cannot be simulated (Windows' BITS reads the cost itself and has no call to set or tell it).
     */
    static String costProbe(BitsManager bits) {
        try {
            bits.networkStatus();
            return null;
        } catch (BitsException e) {
            return "BitsManager.networkStatus() failed with " + HResult.name(e.hresult()) + " (" + HResult.hex(e.hresult())
                    + "): " + e.detail();
        }
    }

    /**
     * Which capabilities {@code c} lacks, each with the failure that shows it (and, under Wine, where Wine says so);
     * {@code costProbe} is {@link #costProbe}'s answer.
     */
    static Map<Capability, String> missingFrom(NativeCapabilities c, boolean wine, String costProbe) {
        String stub = wine ? " (Wine's dlls/qmgr stub, reference §6.2)" : "";
        Map<Capability, String> m = new EnumMap<>(Capability.class);
        method(m, c, Capability.SUSPEND, stub, "IBackgroundCopyJob::Suspend");
        method(m, c, Capability.SET_DISPLAY_NAME, stub, "IBackgroundCopyJob::SetDisplayName");
        method(m, c, Capability.PRIORITY, stub, "IBackgroundCopyJob::GetPriority", "IBackgroundCopyJob::SetPriority");
        method(m, c, Capability.PROXY_SETTINGS, stub, "IBackgroundCopyJob::GetProxySettings",
                "IBackgroundCopyJob::SetProxySettings");
        method(m, c, Capability.JOB_TIMES, stub, "IBackgroundCopyJob::GetTimes");
        method(m, c, Capability.OWNER, stub, "IBackgroundCopyJob::GetOwner");
        method(m, c, Capability.ERROR_COUNT, stub, "IBackgroundCopyJob::GetErrorCount");
        if (!c.offers("IBackgroundCopyJob4")) {
            m.put(Capability.MAXIMUM_DOWNLOAD_TIME, c.whyNotOffered("IBackgroundCopyJob4"));
        } else {
            method(m, c, Capability.MAXIMUM_DOWNLOAD_TIME, stub, "IBackgroundCopyJob4::GetMaximumDownloadTime");
        }
        if (!c.offers("IBackgroundCopyJob5")) {
            m.put(Capability.TRANSFER_POLICY, c.whyNotOffered("IBackgroundCopyJob5") + ", which holds the cost flags");
        }
        if (!c.offers("IBackgroundCopyJobHttpOptions3")) {
            m.put(Capability.WRITE_ONLY_HEADERS, c.whyNotOffered("IBackgroundCopyJobHttpOptions3")
                    + ", which holds MakeCustomHeadersWriteOnly");
        }
        if (!c.offers("IBackgroundCopyJobHttpOptions")) {
            m.put(Capability.CLIENT_CERTIFICATE, c.whyNotOffered("IBackgroundCopyJobHttpOptions"));
        } else {
            method(m, c, Capability.CLIENT_CERTIFICATE, stub, "IBackgroundCopyJobHttpOptions::RemoveClientCertificate");
        }
        if (costProbe != null) {
            m.put(Capability.SIMULATED_COST, costProbe);
        }
        offered(m, c, Capability.NOTIFY_CMDLINE, stub, "IBackgroundCopyJob2", "IBackgroundCopyJob2::GetNotifyCmdLine");
        // Wine's AddFileWithRanges and ReplaceRemotePrefix answer S_OK and do nothing: no probe can tell, so those
        // cases are Wine deviations rather than skips.
        if (!c.offers("IBackgroundCopyJob3")) {
            m.put(Capability.JOB3_FILES, c.whyNotOffered("IBackgroundCopyJob3"));
        }
        offered(m, c, Capability.JOB_PROPERTIES, stub, "IBackgroundCopyJob5", "IBackgroundCopyJob5::GetProperty");
        // On-demand mode needs Job5's property and File6 (BITS 10.1, Windows 10 1703); Wine has neither File6 nor
        // the property, so the case is a skip there with the probe's reason.
        if (!c.offers("IBackgroundCopyFile6")) {
            m.put(Capability.ON_DEMAND, c.whyNotOffered("IBackgroundCopyFile6"));
        } else if (m.containsKey(Capability.JOB_PROPERTIES)) {
            m.put(Capability.ON_DEMAND, m.get(Capability.JOB_PROPERTIES));
        }
        return m;
    }

    private static void offered(Map<Capability, String> m, NativeCapabilities c, Capability cap, String stub,
            String iface, String method) {
        if (!c.offers(iface)) {
            m.put(cap, c.whyNotOffered(iface));
        } else {
            method(m, c, cap, stub, method);
        }
    }

    private static void method(Map<Capability, String> m, NativeCapabilities c, Capability cap, String stub, String... methods) {
        for (String method : methods) {
            if (!c.implementsMethod(method)) {
                m.put(cap, c.whyMissing(method) + stub);
                return;
            }
        }
    }
}
