package org.jbits.windows;

import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.platform.win32.Guid.IID;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * Finds what a BITS offers by asking it: QueryInterface on a probe job and on a file added to it, and one harmless
 * call to each method a backend might stub (Wine returns E_NOTIMPL from several, reference §6.2). The probe job is
 * suspended throughout, points at a closed loopback port, and is cancelled at the end.
 */
final class CapabilityProbe {
    private CapabilityProbe() {
    }

    /** A job-side method probe. */
    private interface Probe {
        void run(IBackgroundCopyJob job);
    }

    static NativeCapabilities probe(IBackgroundCopyManager manager, String version, Map<String, Integer> classes, int security) {
        Set<String> interfaces = new LinkedHashSet<>();
        Map<String, Integer> failing = new LinkedHashMap<>();
        interfaces.add("IBackgroundCopyManager");
        interfaces.add("IBackgroundCopyJob");
        IBackgroundCopyJob job = manager.createJob("jbits capability probe", 0, new GUID());
        try {
            Map<String, IID> jobInterfaces = new LinkedHashMap<>();
            jobInterfaces.put("IBackgroundCopyJob2", BitsGuids.IID_IBackgroundCopyJob2);
            jobInterfaces.put("IBackgroundCopyJob3", BitsGuids.IID_IBackgroundCopyJob3);
            jobInterfaces.put("IBackgroundCopyJob4", BitsGuids.IID_IBackgroundCopyJob4);
            jobInterfaces.put("IBackgroundCopyJob5", BitsGuids.IID_IBackgroundCopyJob5);
            jobInterfaces.put("IBackgroundCopyJobHttpOptions", BitsGuids.IID_IBackgroundCopyJobHttpOptions);
            jobInterfaces.put("IBackgroundCopyJobHttpOptions2", BitsGuids.IID_IBackgroundCopyJobHttpOptions2);
            jobInterfaces.put("IBackgroundCopyJobHttpOptions3", BitsGuids.IID_IBackgroundCopyJobHttpOptions3);
            offered(job, jobInterfaces, interfaces);

            Map<String, Probe> probes = new LinkedHashMap<>();
            probes.put("IBackgroundCopyJob::Suspend", IBackgroundCopyJob::suspend);
            probes.put("IBackgroundCopyJob::GetTimes", IBackgroundCopyJob::getTimes);
            probes.put("IBackgroundCopyJob::GetOwner", IBackgroundCopyJob::getOwner);
            probes.put("IBackgroundCopyJob::SetDisplayName", j -> j.setDisplayName("jbits capability probe"));
            probes.put("IBackgroundCopyJob::GetPriority", IBackgroundCopyJob::getPriority);
            probes.put("IBackgroundCopyJob::SetPriority", j -> j.setPriority(2));
            probes.put("IBackgroundCopyJob::GetErrorCount", IBackgroundCopyJob::getErrorCount);
            probes.put("IBackgroundCopyJob::GetProxySettings", IBackgroundCopyJob::getProxySettings);
            probes.put("IBackgroundCopyJob::SetProxySettings", j -> j.setProxySettings(0, null, null));
            probes.put("IBackgroundCopyJob::GetMinimumRetryDelay", IBackgroundCopyJob::getMinimumRetryDelay);
            probes.put("IBackgroundCopyJob::GetNoProgressTimeout", IBackgroundCopyJob::getNoProgressTimeout);
            if (interfaces.contains("IBackgroundCopyJob4")) {
                probes.put("IBackgroundCopyJob4::GetMaximumDownloadTime", j -> withJob4(j));
            }
            if (interfaces.contains("IBackgroundCopyJob2")) {
                probes.put("IBackgroundCopyJob2::GetNotifyCmdLine", j -> {
                    IBackgroundCopyJob2 j2 = j.queryJob2();
                    try {
                        j2.getNotifyCmdLine();
                    } finally {
                        j2.release();
                    }
                });
            }
            if (interfaces.contains("IBackgroundCopyJob5")) {
                probes.put("IBackgroundCopyJob5::GetProperty", j -> {
                    IBackgroundCopyJob5 j5 = j.queryJob5();
                    try {
                        j5.getProperty(BitsStructures.BITS_JOB_PROPERTY_ID_COST_FLAGS);
                    } finally {
                        j5.release();
                    }
                });
            }
            if (interfaces.contains("IBackgroundCopyJobHttpOptions")) {
                // Removing the certificate a new job does not have changes nothing; Wine stubs it (E_NOTIMPL).
                probes.put("IBackgroundCopyJobHttpOptions::RemoveClientCertificate", j -> withHttpOptions(j));
            }
            for (Map.Entry<String, Probe> p : probes.entrySet()) {
                try {
                    p.getValue().run(job);
                } catch (BitsException e) {
                    failing.put(p.getKey(), e.hresult());
                }
            }
            try {
                manager.getErrorDescription(HResult.BG_E_NOT_FOUND, ComReads.LANG_USER_DEFAULT);
            } catch (BitsException e) {
                failing.put("IBackgroundCopyManager::GetErrorDescription", e.hresult());
            }
            probeFile(job, interfaces, failing);
        } finally {
            try {
                job.cancel();
            } catch (BitsException ignored) {
                // the probe job is gone either way once released
            }
            job.release();
        }
        return new NativeCapabilities(version, classes, interfaces, failing, security);
    }

    private static void withHttpOptions(IBackgroundCopyJob job) {
        IBackgroundCopyJobHttpOptions h = job.queryHttpOptions();
        try {
            h.removeClientCertificate();
        } finally {
            h.release();
        }
    }

    private static void withJob4(IBackgroundCopyJob job) {
        IBackgroundCopyJob4 j4 = job.queryJob4();
        try {
            j4.getMaximumDownloadTime();
        } finally {
            j4.release();
        }
    }

    /** Adds a file (a closed port on loopback, a name in the temp directory) and asks it for File2..File6. */
    private static void probeFile(IBackgroundCopyJob job, Set<String> interfaces, Map<String, Integer> failing) {
        String local = Path.of(System.getProperty("java.io.tmpdir"), "jbits-capability-probe-" + UUID.randomUUID() + ".tmp")
                .toAbsolutePath().toString();
        try {
            job.addFile("http://127.0.0.1:9/jbits-capability-probe", local);
        } catch (BitsException e) {
            failing.put("IBackgroundCopyJob::AddFile", e.hresult());
            return;
        }
        IEnumBackgroundCopyFiles files = job.enumFiles();
        try {
            IBackgroundCopyFile file = files.next();
            if (file == null) {
                return;
            }
            try {
                interfaces.add("IBackgroundCopyFile");
                Map<String, IID> fileInterfaces = new LinkedHashMap<>();
                fileInterfaces.put("IBackgroundCopyFile2", BitsGuids.IID_IBackgroundCopyFile2);
                fileInterfaces.put("IBackgroundCopyFile3", BitsGuids.IID_IBackgroundCopyFile3);
                fileInterfaces.put("IBackgroundCopyFile4", BitsGuids.IID_IBackgroundCopyFile4);
                fileInterfaces.put("IBackgroundCopyFile5", BitsGuids.IID_IBackgroundCopyFile5);
                fileInterfaces.put("IBackgroundCopyFile6", BitsGuids.IID_IBackgroundCopyFile6);
                offered(file, fileInterfaces, interfaces);
            } finally {
                file.release();
            }
        } finally {
            files.release();
        }
    }

    /** Adds to {@code out} the name of each interface QueryInterface gives, releasing what it got. */
    private static void offered(ComObject o, Map<String, IID> candidates, Set<String> out) {
        for (Map.Entry<String, IID> c : candidates.entrySet()) {
            ComObject got = o.query(c.getValue(), p -> new ComObject.Raw(p, c.getKey()));
            if (got != null) {
                out.add(c.getKey());
                got.release();
            }
        }
    }
}
