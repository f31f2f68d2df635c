package org.jbits.windows;

import com.sun.jna.Platform;
import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.BitsManager;
import org.jbits.BitsOptions;
import org.jbits.HResult;
import org.jbits.JobListener;
import org.jbits.JobType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native backend: Windows' own BITS through its COM interfaces. One {@link ComThread} owns the apartment and
 * runs every call; {@code CLSID_BackgroundCopyManager} is created on it with {@code CLSCTX_LOCAL_SERVER}. Jobs live
 * in BITS, not here: closing the manager releases this process' pointers and leaves the jobs running.
 *
 * <p>{@link #capabilities()} reports what this BITS offers (version, interfaces, stubbed methods), so callers and
 * the conformance suite can tell a missing feature from a wrong binding. That method is why this class is public:
 * open it as any backend, with {@link BitsManager#open(BitsOptions)}, and cast the manager to reach it.
 */
public final class NativeBitsManager implements BitsManager {
    private static final Logger log = LoggerFactory.getLogger(NativeBitsManager.class);

    private final ComThread com;
    private final IBackgroundCopyManager manager;
    private final Map<String, Integer> managerClasses;
    private final String bitsVersion;
    private final NativeNotifier notifier;
    private final Cleaner cleaner = Cleaner.create(r -> {
        Thread t = new Thread(r, "jbits-native-cleaner");
        t.setDaemon(true);
        return t;
    });
    private final Set<NativeJob.JobRefs> live = ConcurrentHashMap.newKeySet();
    private volatile NativeCapabilities capabilities;
    private volatile boolean closed;

    private NativeBitsManager(ComThread com) {
        this.com = com;
        Object[] made = com.call(() -> {
            Map<String, Integer> classes = new LinkedHashMap<>();
            String version = "1.0";
            for (BitsGuids.VersionedClass c : BitsGuids.VERSIONED_MANAGERS) {
                PointerByReference p = new PointerByReference();
                int hr = com.ole32().CoCreateInstance(c.clsid(), null, Ole32.CLSCTX_LOCAL_SERVER,
                        BitsGuids.IID_IBackgroundCopyManager, p);
                classes.put(c.name(), hr);
                if (hr >= 0 && p.getValue() != null) {
                    new IBackgroundCopyManager(p.getValue()).release();
                    if (version.equals("1.0")) {
                        version = c.version();
                    }
                }
            }
            PointerByReference p = new PointerByReference();
            HResults.check(com.ole32().CoCreateInstance(BitsGuids.CLSID_BackgroundCopyManager, null,
                    Ole32.CLSCTX_LOCAL_SERVER, BitsGuids.IID_IBackgroundCopyManager, p),
                    "CoCreateInstance(CLSID_BackgroundCopyManager, CLSCTX_LOCAL_SERVER)");
            return new Object[]{new IBackgroundCopyManager(p.getValue()), classes, version};
        });
        this.manager = (IBackgroundCopyManager) made[0];
        @SuppressWarnings("unchecked")
        Map<String, Integer> classes = (Map<String, Integer>) made[1];
        this.managerClasses = Map.copyOf(classes);
        this.bitsVersion = (String) made[2];
        this.notifier = new NativeNotifier(this);
        log.info("native BITS {} opened (CoInitializeSecurity: {})", bitsVersion, HResult.name(com.securityResult()));
    }

    /**
     * Opens BITS on this machine; fails with E_NOTIMPL off Windows. {@code options} has nothing native BITS needs.
     * Callers use {@link BitsManager#open(BitsOptions)}, which comes here through {@link NativeBackendProvider}.
     */
    static NativeBitsManager open(BitsOptions options) {
        if (!Platform.isWindows()) {
            throw new BitsException(HResult.E_NOTIMPL, "the native backend drives Windows' BITS and needs Windows "
                    + "(os.name is " + System.getProperty("os.name") + "); use the portable backend");
        }
        if (!Platform.is64Bit()) {
            throw new BitsException(HResult.E_NOTIMPL, "the native backend needs a 64-bit JVM (32-bit COM is stdcall, "
                    + "which this binding does not use); use the portable backend");
        }
        ComThread com = new ComThread(Ole32.load(), "jbits-com");
        try {
            return new NativeBitsManager(com);
        } catch (RuntimeException e) {
            com.close();
            throw e;
        }
    }

    ComThread com() {
        return com;
    }

    /** The manager interface; on the COM thread only. */
    IBackgroundCopyManager comManager() {
        return manager;
    }

    NativeNotifier notifier() {
        return notifier;
    }

    /**
     * What this BITS offers: versioned classes, interfaces and stubbed methods. The first call probes them with a
     * short-lived job ("jbits capability probe", cancelled at once); later calls return the same answer.
     */
    public NativeCapabilities capabilities() {
        NativeCapabilities c = capabilities;
        if (c == null) {
            synchronized (this) {
                c = capabilities;
                if (c == null) {
                    c = com.call(() -> CapabilityProbe.probe(manager, bitsVersion, orderedClasses(), com.securityResult()));
                    capabilities = c;
                    log.info("native capabilities: {}", c.describe());
                }
            }
        }
        return c;
    }

    private Map<String, Integer> orderedClasses() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (BitsGuids.VersionedClass c : BitsGuids.VERSIONED_MANAGERS) {
            m.put(c.name(), managerClasses.get(c.name()));
        }
        return m;
    }

    /** Wraps a job pointer this thread owns (one reference) as an API job; on the COM thread or an MTA callback thread. */
    NativeJob adopt(IBackgroundCopyJob job) {
        UUID id;
        try {
            id = Guids.toUuid(job.getId());
        } catch (RuntimeException e) {
            job.release();
            throw e;
        }
        NativeJob.JobRefs refs = new NativeJob.JobRefs(com, job);
        NativeJob j = new NativeJob(this, refs, id);
        live.add(refs);
        cleaner.register(j, () -> {
            live.remove(refs);
            refs.run();
        });
        return j;
    }

    @Override
    public BitsJob createJob(String displayName, JobType type) {
        if (displayName == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the display name must not be null");
        }
        return com.call(() -> {
            NativeJob j = adopt(manager.createJob(displayName, type.value(), new GUID()));
            notifier.register(j);
            return j;
        });
    }

    @Override
    public BitsJob getJob(UUID id) {
        return com.call(() -> {
            NativeJob j = adopt(manager.getJob(Guids.toGuid(id)));
            notifier.register(j);
            return j;
        });
    }

    /** EnumJobs(BG_JOB_ENUM_ALL_USERS): BITS answers E_ACCESSDENIED unless the caller is an administrator. */
    @Override
    public List<BitsJob> allUsersJobs() {
        return com.call(() -> {
            IEnumBackgroundCopyJobs e = manager.enumJobs(IBackgroundCopyManager.BG_JOB_ENUM_ALL_USERS);
            List<BitsJob> out = new ArrayList<>();
            try {
                for (IBackgroundCopyJob j : e.all()) {
                    NativeJob nj = adopt(j);
                    if (!org.jbits.JobState.of(nj.refs().job.getState()).isFinal()) {
                        out.add(nj);
                    }
                }
            } finally {
                e.release();
            }
            return out;
        });
    }

    /** EnumJobs(0): this user's jobs, in BITS' order, without final ones (a BITS may still list them briefly). */
    @Override
    public List<BitsJob> jobs() {
        return com.call(() -> {
            List<BitsJob> out = new ArrayList<>();
            for (NativeJob j : enumerate()) {
                if (!org.jbits.JobState.of(j.refs().job.getState()).isFinal()) {
                    notifier.register(j);
                    out.add(j);
                }
            }
            return out;
        });
    }

    /** Every job EnumJobs(0) lists; on the COM thread. */
    List<NativeJob> enumerate() {
        IEnumBackgroundCopyJobs e = manager.enumJobs(0);
        List<NativeJob> out = new ArrayList<>();
        try {
            for (IBackgroundCopyJob j : e.all()) {
                out.add(adopt(j));
            }
        } finally {
            e.release();
        }
        return out;
    }

    /** Adds a listener and sets this process' notify interface on every job again (BITS keeps no callback across processes). */
    @Override
    public void addListener(JobListener listener) {
        notifier.addListener(listener);
        com.run(() -> {
            for (NativeJob j : enumerate()) {
                notifier.register(j);
            }
        });
    }

    @Override
    public void removeListener(JobListener listener) {
        notifier.removeListener(listener);
    }

    @Override
    public String backendName() {
        return "native";
    }

    /** {@code "BITS 10.3"}: the newest versioned manager class that instantiated. */
    @Override
    public String backendVersion() {
        return "BITS " + bitsVersion;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        notifier.close();
        com.close(() -> {
            notifier.disconnect();
            for (NativeJob.JobRefs r : live) {
                r.releaseNow();
            }
            live.clear();
            manager.release();
        });
    }
}
