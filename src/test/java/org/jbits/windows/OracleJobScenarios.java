package org.jbits.windows;

import static org.jbits.windows.OracleCalls.call;
import static org.jbits.windows.OracleCalls.discard;
import static org.jbits.windows.OracleCalls.hr;
import static org.jbits.windows.OracleCalls.number;
import static org.jbits.windows.OracleCalls.taskString;
import static org.jbits.windows.OracleCalls.u32;

import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.platform.win32.Guid.IID;
import java.util.ArrayList;
import java.util.List;
import org.jbits.HResult;
import org.jbits.windows.BitsStructures.BG_JOB_TIMES;
import org.jbits.windows.OracleCalls.Outcome;

/**
 * The oracle scenarios about a new job's properties, from {@code new-job-defaults} to
 * {@code proxy-settings-round-trip}: each a port of its {@code sc_*} function in {@code native/bits-oracle.c}, field
 * for field. On the COM thread.
 */
final class OracleJobScenarios {
    /** Non-ASCII text for the UTF-16 round trips: Latin-1, BMP symbols, CJK and one surrogate pair each. */
    static final String UNICODE_NAME = "jbits Gr\u00fc\u00dfe \u2713 \u4e16\u754c \ud83d\ude00";
    static final String UNICODE_NAME2 = "renamed \u00e9t\u00e9 \u65e5\u672c \ud83d\ude80";
    static final String UNICODE_DESCRIPTION = "description \u00c5ngstr\u00f6m \u0416 \u4e2d\u6587 \ud83d\udce6 end";

    static final int BG_JOB_TYPE_DOWNLOAD = 0;
    static final int BG_JOB_TYPE_UPLOAD = 1;
    static final int BG_JOB_PROXY_USAGE_PRECONFIG = 0;
    static final int BG_JOB_PROXY_USAGE_NO_PROXY = 1;
    static final int BG_JOB_PROXY_USAGE_OVERRIDE = 2;

    private final JavaOracle o;

    OracleJobScenarios(JavaOracle oracle) {
        this.o = oracle;
    }

    void newJobDefaults() {
        OracleLine l = new OracleLine("new-job-defaults");
        GUID id = new GUID();
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle defaults", BG_JOB_TYPE_DOWNLOAD, id);
        if (job == null) {
            return;
        }
        Outcome<GUID> got = call(job, job::getId);
        l.hr("hr_GetId", got.hr()).bool("idMatches", got.ok() && got.value().toGuidString().equals(id.toGuidString()));
        Outcome<Integer> v = call(job, job::getState);
        l.hr("hr_GetState", v.hr()).num("state", number(v, false));
        v = call(job, job::getType);
        l.hr("hr_GetType", v.hr()).num("type", number(v, false));
        v = call(job, job::getPriority);
        l.hr("hr_GetPriority", v.hr()).num("priority", number(v, false));
        v = call(job, job::getNotifyFlags);
        l.hr("hr_GetNotifyFlags", v.hr()).num("notifyFlags", number(v, true));
        Outcome<Long> w = call(job, job::getMinimumRetryDelay);
        l.hr("hr_GetMinimumRetryDelay", w.hr()).num("minRetryDelay", number(w, true));
        w = call(job, job::getNoProgressTimeout);
        l.hr("hr_GetNoProgressTimeout", w.hr()).num("noProgressTimeout", number(w, true));
        v = call(job, job::getErrorCount);
        l.hr("hr_GetErrorCount", v.hr()).num("errorCount", number(v, true));
        Outcome<IBackgroundCopyJob.Proxy> proxy = call(job, job::getProxySettings);
        l.hr("hr_GetProxySettings", proxy.hr());
        if (proxy.ok()) {
            l.num("proxyUsage", proxy.value().usage()).str("proxyList", proxy.value().proxyList())
                    .str("proxyBypassList", proxy.value().bypassList());
        } else {
            l.nul("proxyUsage").nul("proxyList").nul("proxyBypassList");
        }
        OracleCalls.progress(l, job);
        Outcome<BG_JOB_TIMES> times = call(job, job::getTimes);
        l.hr("hr_GetTimes", times.hr());
        if (times.ok()) {
            BG_JOB_TIMES t = times.value();
            l.bool("creationTimeSet", t.CreationTime.dwLowDateTime != 0 || t.CreationTime.dwHighDateTime != 0)
                    .bool("transferCompletionTimeZero", t.TransferCompletionTime.dwLowDateTime == 0
                            && t.TransferCompletionTime.dwHighDateTime == 0);
        } else {
            l.nul("creationTimeSet").nul("transferCompletionTimeZero");
        }
        Outcome<String> s = call(job, job::getOwner);
        l.hr("hr_GetOwner", s.hr()).str("owner", taskString(s));
        s = call(job, job::getDisplayName);
        l.hr("hr_GetDisplayName", s.hr()).str("displayName", taskString(s));
        s = call(job, job::getDescription);
        l.hr("hr_GetDescription", s.hr()).str("description", taskString(s));
        Outcome<IBackgroundCopyError> err = call(job, job::getError);
        l.hr("hr_GetError", err.hr());
        if (err.value() != null) {
            err.value().release();
        }
        Outcome<ComObject> cb = call(job, job::getNotifyInterface);
        l.hr("hr_GetNotifyInterface", cb.hr()).bool("notifyInterfaceNull", cb.value() == null);
        if (cb.value() != null) {
            cb.value().release();
        }
        o.emit(l);
        discard(job);
    }

    private void qiLine(String scenario, ComObject obj, IID iid) {
        int hr;
        if (obj == null) {
            hr = HResult.E_POINTER;
        } else {
            Outcome<ComObject> got = call(obj, () -> obj.query(iid, p -> new ComObject.Raw(p, scenario)));
            hr = got.hr();
            if (got.value() != null) {
                got.value().release();
            }
        }
        o.emit(new OracleLine(scenario).str("iid", iid.toGuidString()).hr("hr", hr));
    }

    /** QueryInterface on a job and on one of its files: which interface versions this BITS offers. */
    void queryInterfaces() {
        Outcome<IBackgroundCopyJob> created = o.create("jbits-oracle qi", BG_JOB_TYPE_DOWNLOAD, null);
        if (!created.ok()) {
            return;
        }
        IBackgroundCopyJob job = created.value();
        String[] jobLines = {
            "qi-job2", "qi-job3", "qi-job4", "qi-job5", "qi-http-options", "qi-http-options2", "qi-http-options3",
            "qi-token-options",
        };
        IID[] jobInterfaces = {
            BitsGuids.IID_IBackgroundCopyJob2, BitsGuids.IID_IBackgroundCopyJob3, BitsGuids.IID_IBackgroundCopyJob4,
            BitsGuids.IID_IBackgroundCopyJob5, BitsGuids.IID_IBackgroundCopyJobHttpOptions,
            BitsGuids.IID_IBackgroundCopyJobHttpOptions2, BitsGuids.IID_IBackgroundCopyJobHttpOptions3,
            BitsGuids.IID_IBitsTokenOptions,
        };
        for (int i = 0; i < jobInterfaces.length; i++) {
            if (o.wanted(jobLines[i])) {
                qiLine(jobLines[i], job, jobInterfaces[i]);
            }
        }
        hr(job, () -> job.addFile(o.url("small.txt"), o.local("qi.txt")));
        IBackgroundCopyFile file = OracleCalls.firstFile(job).file();
        String[] fileLines = {"qi-file2", "qi-file3", "qi-file4", "qi-file5", "qi-file6"};
        IID[] fileInterfaces = {
            BitsGuids.IID_IBackgroundCopyFile2, BitsGuids.IID_IBackgroundCopyFile3, BitsGuids.IID_IBackgroundCopyFile4,
            BitsGuids.IID_IBackgroundCopyFile5, BitsGuids.IID_IBackgroundCopyFile6,
        };
        for (int i = 0; i < fileInterfaces.length; i++) {
            if (o.wanted(fileLines[i])) {
                qiLine(fileLines[i], file, fileInterfaces[i]);
            }
        }
        if (file != null) {
            file.release();
        }
        discard(job);
    }

    void resumeEmpty() {
        stateChange("resume-empty", "jbits-oracle resume-empty", true);
    }

    void suspend() {
        stateChange("suspend", "jbits-oracle suspend", false);
    }

    private void stateChange(String scenario, String name, boolean resume) {
        OracleLine l = new OracleLine(scenario);
        Outcome<IBackgroundCopyJob> created = o.create(name, BG_JOB_TYPE_DOWNLOAD, null);
        l.hr("hr_CreateJob", created.hr());
        IBackgroundCopyJob job = created.value();
        if (created.ok()) {
            l.hr("hr", resume ? hr(job, job::resume) : hr(job, job::suspend));
            OracleCalls.state(l, "stateAfter", job);
        }
        o.emit(l);
        discard(job);
    }

    void displayName257() {
        String n256 = OracleCalls.repeat('n', 256);
        String n257 = OracleCalls.repeat('n', 257);
        OracleLine l = new OracleLine("display-name-257");
        Outcome<IBackgroundCopyJob> job256 = o.create(n256, BG_JOB_TYPE_DOWNLOAD, null);
        l.hr("hr_CreateJob_256", job256.hr());
        Outcome<IBackgroundCopyJob> job257 = o.create(n257, BG_JOB_TYPE_DOWNLOAD, null);
        l.hr("hr", job257.hr());
        if (job257.value() != null) {
            IBackgroundCopyJob j = job257.value();
            Outcome<String> s = call(j, j::getDisplayName);
            l.num("createdNameLength", s.ok() && s.value() != null ? s.value().length() : -1);
        } else {
            l.nul("createdNameLength");
        }
        if (job256.value() != null) {
            IBackgroundCopyJob j = job256.value();
            l.hr("hr_SetDisplayName_257", hr(j, () -> j.setDisplayName(n257)));
        } else {
            l.nul("hr_SetDisplayName_257");
        }
        o.emit(l);
        discard(job256.value());
        discard(job257.value());
    }

    void description1025() {
        OracleLine l = new OracleLine("description-1025");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle description-1025", BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        l.hr("hr_SetDescription_1024", hr(job, () -> job.setDescription(OracleCalls.repeat('d', 1024))));
        l.hr("hr", hr(job, () -> job.setDescription(OracleCalls.repeat('d', 1025))));
        o.emit(l);
        discard(job);
    }

    /** UTF-16 through CreateJob/GetDisplayName and SetDisplayName, with a surrogate pair. */
    void displayNameRoundTrip() {
        OracleLine l = new OracleLine("display-name-round-trip");
        IBackgroundCopyJob job = o.createFor(l, UNICODE_NAME, BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        l.str("sent", UNICODE_NAME).num("sentUnits", UNICODE_NAME.length());
        Outcome<String> s = call(job, job::getDisplayName);
        l.hr("hr_GetDisplayName", s.hr()).bool("equal", s.ok() && UNICODE_NAME.equals(s.value()))
                .num("gotUnits", s.ok() && s.value() != null ? s.value().length() : -1).str("got", taskString(s));
        l.str("sentRename", UNICODE_NAME2).hr("hr_SetDisplayName", hr(job, () -> job.setDisplayName(UNICODE_NAME2)));
        s = call(job, job::getDisplayName);
        l.bool("renameEqual", s.ok() && UNICODE_NAME2.equals(s.value())).str("gotAfterRename", taskString(s));
        o.emit(l);
        discard(job);
    }

    void descriptionRoundTrip() {
        OracleLine l = new OracleLine("description-round-trip");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle description", BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        l.str("sent", UNICODE_DESCRIPTION)
                .hr("hr_SetDescription", hr(job, () -> job.setDescription(UNICODE_DESCRIPTION)));
        Outcome<String> s = call(job, job::getDescription);
        l.hr("hr_GetDescription", s.hr()).bool("equal", s.ok() && UNICODE_DESCRIPTION.equals(s.value()))
                .str("got", taskString(s));
        l.hr("hr_SetDescription_empty", hr(job, () -> job.setDescription("")));
        s = call(job, job::getDescription);
        l.str("gotAfterEmpty", taskString(s));
        o.emit(l);
        discard(job);
    }

    void priorityRoundTrip() {
        OracleLine l = new OracleLine("priority-round-trip");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle priority", BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        int[] priorities = {0, 1, 2, 3};
        List<String> set = new ArrayList<>();
        List<String> setHr = new ArrayList<>();
        List<String> got = new ArrayList<>();
        List<String> getHr = new ArrayList<>();
        for (int p : priorities) {
            set.add(Integer.toString(p));
            setHr.add(OracleLine.hrValue(hr(job, () -> job.setPriority(p))));
            Outcome<Integer> v = call(job, job::getPriority);
            got.add(v.ok() ? Integer.toString(v.value()) : "null");
            getHr.add(OracleLine.hrValue(v.hr()));
        }
        l.array("set", set).array("hr_SetPriority", setHr).array("priority", got).array("hr_GetPriority", getHr)
                .hr("hr_SetPriority_invalid", hr(job, () -> job.setPriority(4)));
        o.emit(l);
        discard(job);
    }

    void notifyFlagsRoundTrip() {
        OracleLine l = new OracleLine("notify-flags-round-trip");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle notify-flags", BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        int[] flags = {0x1, 0x3, 0xB, 0x1F, 0x20, 0x3F, 0x0};
        List<String> set = new ArrayList<>();
        List<String> setHr = new ArrayList<>();
        List<String> got = new ArrayList<>();
        List<String> getHr = new ArrayList<>();
        for (int f : flags) {
            set.add(Long.toString(u32(f)));
            setHr.add(OracleLine.hrValue(hr(job, () -> job.setNotifyFlags(f))));
            Outcome<Integer> v = call(job, job::getNotifyFlags);
            got.add(v.ok() ? Long.toString(u32(v.value())) : "null");
            getHr.add(OracleLine.hrValue(v.hr()));
        }
        l.array("set", set).array("hr_SetNotifyFlags", setHr).array("notifyFlags", got).array("hr_GetNotifyFlags", getHr);
        o.emit(l);
        discard(job);
    }

    void retrySettings() {
        OracleLine l = new OracleLine("retry-settings-round-trip");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle retry", BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        setGet(l, "60", "SetMinimumRetryDelay", "GetMinimumRetryDelay", hr(job, () -> job.setMinimumRetryDelay(60)),
                call(job, job::getMinimumRetryDelay));
        setGet(l, "1", "SetMinimumRetryDelay", "GetMinimumRetryDelay", hr(job, () -> job.setMinimumRetryDelay(1)),
                call(job, job::getMinimumRetryDelay));
        setGet(l, "3600", "SetNoProgressTimeout", "GetNoProgressTimeout", hr(job, () -> job.setNoProgressTimeout(3600)),
                call(job, job::getNoProgressTimeout));
        setGet(l, "0", "SetNoProgressTimeout", "GetNoProgressTimeout", hr(job, () -> job.setNoProgressTimeout(0)),
                call(job, job::getNoProgressTimeout));
        o.emit(l);
        discard(job);
    }

    private static void setGet(OracleLine l, String label, String setter, String getter, int setHr, Outcome<Long> got) {
        l.hr("hr_" + setter + "_" + label, setHr).hr("hr_" + getter + "_" + label, got.hr())
                .num(getter + "_" + label, got.ok() ? got.value() : null);
    }

    void proxySettings() {
        OracleLine l = new OracleLine("proxy-settings-round-trip");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle proxy", BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        l.hr("hr_SetProxySettings_override",
                hr(job, () -> job.setProxySettings(BG_JOB_PROXY_USAGE_OVERRIDE, "127.0.0.1:3128", "<local>")));
        proxy(l, "override", call(job, job::getProxySettings));
        l.hr("hr_SetProxySettings_preconfigWithList",
                hr(job, () -> job.setProxySettings(BG_JOB_PROXY_USAGE_PRECONFIG, "127.0.0.1:3128", null)));
        l.hr("hr_SetProxySettings_noProxy", hr(job, () -> job.setProxySettings(BG_JOB_PROXY_USAGE_NO_PROXY, null, null)));
        proxy(l, "noProxy", call(job, job::getProxySettings));
        o.emit(l);
        discard(job);
    }

    private static void proxy(OracleLine l, String label, Outcome<IBackgroundCopyJob.Proxy> p) {
        l.hr("hr_GetProxySettings_" + label, p.hr());
        if (p.ok()) {
            l.num("usage_" + label, p.value().usage()).str("list_" + label, p.value().proxyList())
                    .str("bypass_" + label, p.value().bypassList());
        } else {
            l.nul("usage_" + label).nul("list_" + label).nul("bypass_" + label);
        }
    }

}
