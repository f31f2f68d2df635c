package org.jbits.conformance;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.jbits.BitsManager;
import org.jbits.BitsOptions;

/**
 * The native backend (Windows' BITS through COM), run in a Windows JVM: on Windows itself, or under Wine, whose
 * qmgr.dll stubs several methods (reference §6.2). Only those stubs count as missing capabilities; Wine's other
 * differences are reported through {@link WineDeviation}.
 */
final class NativeConformanceBackend implements ConformanceBackend {
    static final String WINE = "native-wine";
    static final String WINDOWS = "native-windows";

    private final String name;
    private final Map<Capability, String> missing;

    private NativeConformanceBackend(String name, Map<Capability, String> missing) {
        this.name = name;
        this.missing = Map.copyOf(missing);
    }

    static NativeConformanceBackend windows() {
        return new NativeConformanceBackend(WINDOWS, Map.of());
    }

    static NativeConformanceBackend wine() {
        Map<Capability, String> m = new EnumMap<>(Capability.class);
        String src = " (Wine dlls/qmgr job.c, reference §6.2)";
        m.put(Capability.SUSPEND, "Wine's IBackgroundCopyJob::Suspend returns E_NOTIMPL" + src);
        m.put(Capability.SET_DISPLAY_NAME, "Wine's SetDisplayName returns E_NOTIMPL" + src);
        m.put(Capability.PRIORITY, "Wine's GetPriority returns E_NOTIMPL and SetPriority is ignored" + src);
        m.put(Capability.PROXY_SETTINGS, "Wine's Get/SetProxySettings return E_NOTIMPL" + src);
        m.put(Capability.JOB_TIMES, "Wine's GetTimes returns E_NOTIMPL" + src);
        m.put(Capability.OWNER, "Wine's GetOwner returns E_NOTIMPL" + src);
        m.put(Capability.ERROR_COUNT, "Wine's GetErrorCount returns E_NOTIMPL" + src);
        m.put(Capability.MAXIMUM_DOWNLOAD_TIME, "Wine's GetMaximumDownloadTime returns E_NOTIMPL and the setter is ignored" + src);
        m.put(Capability.TRANSFER_POLICY, "Wine has no IBackgroundCopyJob5 (QueryInterface gives E_NOINTERFACE, reference §8)");
        return new NativeConformanceBackend(WINE, m);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<Capability, String> missing() {
        return missing;
    }

    @Override
    public BitsManager open(Path scratch) {
        return BitsManager.open(new BitsOptions("native", scratch.resolve("state"), Map.of()));
    }
}
