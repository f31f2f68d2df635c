package org.jbits.windows;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.platform.win32.Guid.CLSID;
import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.ptr.PointerByReference;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbits.windows.BitsStructures.BG_FILE_INFO;
import org.jbits.windows.BitsStructures.BG_FILE_PROGRESS;
import org.jbits.windows.BitsStructures.BG_JOB_PROGRESS;
import org.jbits.windows.BitsStructures.BG_JOB_TIMES;
import org.jbits.windows.BitsStructures.BITS_JOB_PROPERTY_VALUE;

/**
 * The Java twin of {@code native/bits-oracle.c}: the same scenarios, in the same order, with the same arguments, run
 * through the JNA binding's interface classes (their vtable slots, structures and string handling) instead of the
 * Windows SDK headers, printing the same JSON lines (native/README.md). {@code native/compare-oracle.py} compares
 * the two outputs field by field; any difference points at the binding (or at the C client).
 *
 * <pre>java org.jbits.windows.JavaOracle BASE_URL WINDOWS_DIR [--refused-url URL] [--only a,b] [--timeout-seconds N]</pre>
 *
 * Every COM call runs on one {@link ComThread} (the binding's MTA thread with its CoInitializeSecurity). Each
 * {@code hr_} field is the HRESULT the wrapper's call returned ({@link ComObject#lastResult()}), or the one its
 * {@link org.jbits.BitsException} carries ({@link OracleCalls#call}); a value whose call failed is null.
 */
final class JavaOracle {
    static final int ORACLE_FORMAT = 1;

    final String base;
    final String dir;
    final String refused;
    private final Set<String> only;
    private final PrintStream out;
    private int lines;
    /** The manager; only on the COM thread. */
    IBackgroundCopyManager manager;

    /** Job ids kept for the enumeration scenario, and the job kept alive for it. */
    GUID aliveId;
    GUID completedId;
    GUID cancelledId;
    IBackgroundCopyJob alive;

    JavaOracle(String base, String dir, String refused, Set<String> only, PrintStream out) {
        this.base = base;
        this.dir = dir;
        this.refused = refused;
        this.only = only;
        this.out = out;
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        String only = null;
        String refused = "http://127.0.0.1:1/refused.bin";
        int timeoutSeconds = 240;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--only") && i + 1 < args.length) {
                only = args[++i];
            } else if (args[i].equals("--refused-url") && i + 1 < args.length) {
                refused = args[++i];
            } else if (args[i].equals("--timeout-seconds") && i + 1 < args.length) {
                timeoutSeconds = Integer.parseInt(args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.size() != 2) {
            System.err.println("usage: JavaOracle BASE_URL WINDOWS_DIR [--refused-url URL] [--only a,b] [--timeout-seconds N]");
            System.exit(2);
        }
        String base = positional.get(0).endsWith("/") || positional.get(0).isEmpty() ? positional.get(0) : positional.get(0) + "/";
        String dir = positional.get(1).endsWith("\\") ? positional.get(1).substring(0, positional.get(1).length() - 1) : positional.get(1);
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
        JavaOracle o = new JavaOracle(base, dir, refused, only == null ? null : Set.of(only.split(",")), stdout);
        o.startWatchdog(timeoutSeconds);

        ComThread com = new ComThread(Ole32.load(), "jbits-oracle-com");
        int code = com.call(() -> o.run(com, args.length + 1));
        o.emit(new OracleLine("end").num("lines", o.lines)
                .num("elapsedMs", (System.nanoTime() - started) / 1_000_000));
        com.close(() -> {
            if (o.manager != null) {
                o.manager.release();
            }
        });
        stdout.flush();
        System.exit(code);
    }

    private void startWatchdog(int seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            emit(new OracleLine("watchdog").num("timeoutSeconds", seconds));
            Runtime.getRuntime().halt(3);
        }, "jbits-oracle-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /** One step of the run: the scenarios it prints (any wanted runs it; none: always runs) and what it does. */
    private record Step(List<String> scenarios, Runnable run) {
    }

    /** The scenarios in bits-oracle.c's order; on the COM thread. Returns the exit code. */
    private int run(ComThread com, int argc) {
        PointerByReference p = new PointerByReference();
        int created = com.ole32().CoCreateInstance(BitsGuids.CLSID_BackgroundCopyManager, null, Ole32.CLSCTX_LOCAL_SERVER,
                BitsGuids.IID_IBackgroundCopyManager, p);
        if (created >= 0) {
            manager = new IBackgroundCopyManager(p.getValue());
        }
        if (wanted("environment")) {
            environment(argc);
        }
        if (wanted("activation") || created < 0) {
            activation(com, created);
        }
        if (created < 0) {
            return 1;
        }
        OracleJobScenarios jobs = new OracleJobScenarios(this);
        OracleInterfaceScenarios interfaces = new OracleInterfaceScenarios(this);
        OracleTransferScenarios transfers = new OracleTransferScenarios(this);
        List<Step> steps = List.of(
                new Step(List.of("new-job-defaults"), jobs::newJobDefaults),
                // As in C, the QueryInterface job is made whatever is wanted; each qi-* line checks for itself.
                new Step(List.of(), jobs::queryInterfaces),
                new Step(List.of("resume-empty"), jobs::resumeEmpty),
                new Step(List.of("suspend"), jobs::suspend),
                new Step(List.of("display-name-257"), jobs::displayName257),
                new Step(List.of("description-1025"), jobs::description1025),
                new Step(List.of("display-name-round-trip"), jobs::displayNameRoundTrip),
                new Step(List.of("description-round-trip"), jobs::descriptionRoundTrip),
                new Step(List.of("priority-round-trip"), jobs::priorityRoundTrip),
                new Step(List.of("notify-flags-round-trip"), jobs::notifyFlagsRoundTrip),
                new Step(List.of("retry-settings-round-trip"), jobs::retrySettings),
                new Step(List.of("proxy-settings-round-trip"), jobs::proxySettings),
                new Step(List.of("job2-methods"), interfaces::job2),
                new Step(List.of("job4-methods"), interfaces::job4),
                new Step(List.of("job5-properties"), interfaces::job5),
                new Step(List.of("http-options"), interfaces::httpOptions),
                new Step(List.of("add-file-validation"), interfaces::addFileValidation),
                new Step(List.of("upload-job"), interfaces::uploadJob),
                new Step(List.of("error-description"), interfaces::errorDescription),
                new Step(List.of("get-job"), transfers::getJob),
                new Step(List.of("download", "completed-job-is-final"), transfers::download),
                new Step(List.of("download-unicode-name"), transfers::downloadUnicodeName),
                new Step(List.of("http-404"),
                        () -> transfers.failing("http-404", "jbits-oracle http-404", url("missing.bin"), "missing.bin")),
                new Step(List.of("complete-partial"), transfers::completePartial),
                new Step(List.of("cancel"), transfers::cancel),
                new Step(List.of("callback"), () -> transfers.callback("callback", "jbits-oracle callback", false)),
                new Step(List.of("callback-error"),
                        () -> transfers.callback("callback-error", "jbits-oracle callback-error", true)),
                new Step(List.of("connection-refused"), () -> transfers.failing("connection-refused",
                        "jbits-oracle connection-refused", refused, "refused.bin")),
                new Step(List.of("enum-jobs"), transfers::enumJobs));
        for (Step s : steps) {
            if (s.scenarios().isEmpty() || s.scenarios().stream().anyMatch(this::wanted)) {
                s.run().run();
            }
        }
        if (alive != null) {
            OracleCalls.discard(alive);
            alive = null;
        }
        return 0;
    }

    /** {@code OSVERSIONINFOW}, for RtlGetVersion. */
    @FieldOrder({"dwOSVersionInfoSize", "dwMajorVersion", "dwMinorVersion", "dwBuildNumber", "dwPlatformId", "szCSDVersion"})
    public static class OsVersionInfo extends Structure {
        public int dwOSVersionInfoSize;
        public int dwMajorVersion;
        public int dwMinorVersion;
        public int dwBuildNumber;
        public int dwPlatformId;
        public char[] szCSDVersion = new char[128];
    }

    private void environment(int argc) {
        OracleLine l = new OracleLine("environment").num("oracleFormat", ORACLE_FORMAT);
        NativeLibrary ntdll = NativeLibrary.getInstance("ntdll");
        String wine;
        try {
            wine = ntdll.getFunction("wine_get_version").invokeString(new Object[0], false);
        } catch (UnsatisfiedLinkError notWine) {
            wine = null;
        }
        l.str("wine", wine);
        OsVersionInfo v = new OsVersionInfo();
        v.dwOSVersionInfoSize = v.size();
        String windows = null;
        try {
            if (ntdll.getFunction("RtlGetVersion").invokeInt(new Object[]{v}) == 0) {
                windows = Integer.toUnsignedString(v.dwMajorVersion) + "." + Integer.toUnsignedString(v.dwMinorVersion)
                        + "." + Integer.toUnsignedString(v.dwBuildNumber);
            }
        } catch (UnsatisfiedLinkError missing) {
            windows = null;
        }
        l.str("windows", windows).str("baseUrl", base).str("dir", dir).str("refusedUrl", refused)
                .num("pointerSize", Native.POINTER_SIZE)
                .num("sizeofWchar", Native.WCHAR_SIZE)
                .num("sizeofJobProgress", new BG_JOB_PROGRESS().size())
                .num("sizeofFileProgress", new BG_FILE_PROGRESS().size())
                .num("sizeofJobTimes", new BG_JOB_TIMES().size())
                .num("sizeofFileInfo", new BG_FILE_INFO().size())
                .num("sizeofJobPropertyValue", new BITS_JOB_PROPERTY_VALUE().size())
                .num("argc", argc);
        emit(l);
    }

    /** Activation of every versioned CLSID, oldest first: the newest that activates is the BITS version present. */
    private void activation(ComThread com, int created) {
        OracleLine l = new OracleLine("activation").hr("hr_CoInitializeEx", com.initializeResult())
                .hr("hr_CoInitializeSecurity", com.securityResult()).hr("hr_CoCreateInstance", created);
        Map<String, CLSID> classes = new LinkedHashMap<>();
        classes.put("1.0", BitsGuids.CLSID_BackgroundCopyManager);
        for (int i = BitsGuids.VERSIONED_MANAGERS.size() - 1; i >= 0; i--) {
            BitsGuids.VersionedClass c = BitsGuids.VERSIONED_MANAGERS.get(i);
            classes.put(c.version(), c.clsid());
        }
        Map<String, String> results = new LinkedHashMap<>();
        String newest = null;
        for (Map.Entry<String, CLSID> c : classes.entrySet()) {
            PointerByReference p = new PointerByReference();
            int hr = com.ole32().CoCreateInstance(c.getValue(), null, Ole32.CLSCTX_LOCAL_SERVER,
                    BitsGuids.IID_IBackgroundCopyManager, p);
            results.put(c.getKey(), OracleLine.hrValue(hr));
            if (hr >= 0) {
                newest = c.getKey();
                new IBackgroundCopyManager(p.getValue()).release();
            }
        }
        emit(l.object("clsids", results).str("newestVersion", newest));
    }

    boolean wanted(String scenario) {
        return only == null || only.contains(scenario);
    }

    synchronized void emit(OracleLine line) {
        out.print(line + "\n");
        out.flush();
        lines++;
    }

    String url(String name) {
        return base + name;
    }

    String local(String name) {
        return dir + "\\" + name;
    }

    /** CreateJob; the job is null when it failed. */
    OracleCalls.Outcome<IBackgroundCopyJob> create(String name, int type, GUID id) {
        return OracleCalls.call(manager, () -> manager.createJob(name, type, id == null ? new GUID() : id));
    }

    /** CreateJob for a scenario line: {@code hr_CreateJob}, and on failure the line ends there and this returns null. */
    IBackgroundCopyJob createFor(OracleLine l, String name, int type, GUID id) {
        OracleCalls.Outcome<IBackgroundCopyJob> job = create(name, type, id);
        l.hr("hr_CreateJob", job.hr());
        if (!job.ok()) {
            emit(l);
            return null;
        }
        return job.value();
    }
}
