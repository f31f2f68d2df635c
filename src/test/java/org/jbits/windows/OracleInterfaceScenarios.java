package org.jbits.windows;

import static org.jbits.windows.OracleCalls.call;
import static org.jbits.windows.OracleCalls.discard;
import static org.jbits.windows.OracleCalls.hr;
import static org.jbits.windows.OracleCalls.number;
import static org.jbits.windows.OracleCalls.taskString;
import static org.jbits.windows.OracleCalls.u32;

import com.sun.jna.WString;
import org.jbits.HResult;
import org.jbits.windows.BitsStructures.BG_AUTH_CREDENTIALS;
import org.jbits.windows.BitsStructures.BITS_JOB_PROPERTY_VALUE;
import org.jbits.windows.OracleCalls.Outcome;

/**
 * The oracle scenarios about the later job interfaces and the manager's other methods, from {@code job2-methods}
 * to {@code error-description}: each a port of its {@code sc_*} function in {@code native/bits-oracle.c}, field for
 * field. On the COM thread.
 */
final class OracleInterfaceScenarios {
    static final int BG_COPY_FILE_OWNER = 1;
    static final int BG_SSL_IGNORE_UNKNOWN_CA = 0x0008;

    private final JavaOracle o;

    OracleInterfaceScenarios(JavaOracle oracle) {
        this.o = oracle;
    }

    void job2() {
        OracleLine l = new OracleLine("job2-methods");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle job2", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        Outcome<IBackgroundCopyJob2> q = call(job, job::queryJob2);
        l.hr("hr_QueryInterface", q.hr());
        if (q.ok() && q.value() != null) {
            IBackgroundCopyJob2 j2 = q.value();
            l.hr("hr_SetNotifyCmdLine", hr(j2, () -> j2.setNotifyCmdLine("C:\\windows\\system32\\cmd.exe",
                    "C:\\windows\\system32\\cmd.exe /c exit 0")));
            Outcome<String[]> cmd = call(j2, j2::getNotifyCmdLine);
            l.hr("hr_GetNotifyCmdLine", cmd.hr()).str("notifyProgram", cmd.ok() ? cmd.value()[0] : null)
                    .str("notifyParameters", cmd.ok() ? cmd.value()[1] : null);
            l.hr("hr_GetReplyFileName", call(j2, j2::getReplyFileName).hr());
            BG_AUTH_CREDENTIALS c = new BG_AUTH_CREDENTIALS();
            c.Target = BitsStructures.BG_AUTH_TARGET_SERVER;
            c.Scheme = BitsStructures.BG_AUTH_SCHEME_BASIC;
            c.Basic.UserName = new WString("oracle");
            c.Basic.Password = new WString("secret");
            l.hr("hr_SetCredentials", hr(j2, () -> j2.setCredentials(c)));
            l.hr("hr_RemoveCredentials", hr(j2, () -> j2.removeCredentials(BitsStructures.BG_AUTH_TARGET_SERVER,
                    BitsStructures.BG_AUTH_SCHEME_BASIC)));
            l.hr("hr_RemoveCredentials_again", hr(j2, () -> j2.removeCredentials(BitsStructures.BG_AUTH_TARGET_SERVER,
                    BitsStructures.BG_AUTH_SCHEME_BASIC)));
            j2.release();
        }
        o.emit(l);
        discard(job);
    }

    void job4() {
        OracleLine l = new OracleLine("job4-methods");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle job4", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        Outcome<IBackgroundCopyJob4> q = call(job, job::queryJob4);
        l.hr("hr_QueryInterface", q.hr());
        if (q.ok() && q.value() != null) {
            IBackgroundCopyJob4 j4 = q.value();
            Outcome<Long> t = call(j4, j4::getMaximumDownloadTime);
            l.hr("hr_GetMaximumDownloadTime_default", t.hr()).num("maximumDownloadTime_default", t.ok() ? t.value() : null);
            l.hr("hr_SetMaximumDownloadTime", hr(j4, () -> j4.setMaximumDownloadTime(3600)));
            t = call(j4, j4::getMaximumDownloadTime);
            l.hr("hr_GetMaximumDownloadTime", t.hr()).num("maximumDownloadTime", t.ok() ? t.value() : null);
            l.hr("hr_GetPeerCachingFlags", call(j4, j4::getPeerCachingFlags).hr());
            l.hr("hr_GetOwnerIntegrityLevel", call(j4, j4::getOwnerIntegrityLevel).hr());
            l.hr("hr_GetOwnerElevationState", call(j4, j4::getOwnerElevationState).hr());
            l.hr("hr_SetFileACLFlags", hr(j4, () -> j4.setFileAclFlags(BG_COPY_FILE_OWNER)));
            Outcome<Integer> flags = call(j4, j4::getFileAclFlags);
            l.hr("hr_GetFileACLFlags", flags.hr()).num("fileACLFlags", number(flags, true));
            j4.release();
        }
        o.emit(l);
        discard(job);
    }

    void job5() {
        OracleLine l = new OracleLine("job5-properties");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle job5", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        Outcome<IBackgroundCopyJob5> q = call(job, job::queryJob5);
        l.hr("hr_QueryInterface", q.hr());
        if (q.ok() && q.value() != null) {
            IBackgroundCopyJob5 j5 = q.value();
            Object[][] properties = {
                {"costFlags", BitsStructures.BITS_JOB_PROPERTY_ID_COST_FLAGS, false},
                {"dynamicContent", BitsStructures.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, false},
                {"highPerformance", BitsStructures.BITS_JOB_PROPERTY_HIGH_PERFORMANCE, false},
                {"maxDownloadSize", BitsStructures.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, true},
                {"minimumNotificationIntervalMs", BitsStructures.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, false},
                {"onDemandMode", BitsStructures.BITS_JOB_PROPERTY_ON_DEMAND_MODE, false},
            };
            for (Object[] p : properties) {
                String name = (String) p[0];
                Outcome<Long> v = call(j5, () -> property(j5, (Integer) p[1], (Boolean) p[2]));
                l.hr("hr_GetProperty_" + name, v.hr()).num(name, v.ok() ? v.value() : null);
            }
            // The 16-byte union goes by value; the x64 ABI passes it as a pointer to a caller-owned copy.
            l.hr("hr_SetProperty_minimumNotificationIntervalMs", hr(j5, () -> j5.setProperty(
                    BitsStructures.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, BITS_JOB_PROPERTY_VALUE.ofDword(1000))));
            Outcome<Long> after = call(j5, () -> property(j5, BitsStructures.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, false));
            l.num("minimumNotificationIntervalMsAfterSet", after.ok() ? after.value() : null);
            j5.release();
        }
        o.emit(l);
        discard(job);
    }

    /** GetProperty's UINT64 member, or its DWORD member as unsigned. */
    private static long property(IBackgroundCopyJob5 j5, int id, boolean wide) {
        if (!wide) {
            return u32(j5.getDwordProperty(id));
        }
        BITS_JOB_PROPERTY_VALUE v = j5.getProperty(id);
        v.setType(long.class);
        return (Long) v.readField("Uint64");
    }

    void httpOptions() {
        OracleLine l = new OracleLine("http-options");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle http-options", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        Outcome<IBackgroundCopyJobHttpOptions> q = call(job, job::queryHttpOptions);
        l.hr("hr_QueryInterface", q.hr());
        if (q.ok() && q.value() != null) {
            IBackgroundCopyJobHttpOptions h = q.value();
            Outcome<String> s = call(h, h::getCustomHeaders);
            l.hr("hr_GetCustomHeaders_none", s.hr()).str("customHeaders_none", taskString(s));
            l.hr("hr_SetCustomHeaders", hr(h, () -> h.setCustomHeaders("X-Jbits-Oracle: 1\r\n")));
            s = call(h, h::getCustomHeaders);
            l.hr("hr_GetCustomHeaders", s.hr()).str("customHeaders", taskString(s));
            Outcome<Integer> f = call(h, h::getSecurityFlags);
            l.hr("hr_GetSecurityFlags_default", f.hr()).num("securityFlags_default", number(f, true));
            l.hr("hr_SetSecurityFlags", hr(h, () -> h.setSecurityFlags(BG_SSL_IGNORE_UNKNOWN_CA)));
            f = call(h, h::getSecurityFlags);
            l.hr("hr_GetSecurityFlags", f.hr()).num("securityFlags", number(f, true));
            h.release();
        }
        o.emit(l);
        discard(job);
    }

    void addFileValidation() {
        OracleLine l = new OracleLine("add-file-validation");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle add-file", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        String u = o.url("small.txt");
        String local = o.local("ftp.txt");
        l.hr("hr_AddFile_relativeLocal", hr(job, () -> job.addFile(u, "relative.txt")));
        l.hr("hr_AddFile_ftp", hr(job, () -> job.addFile("ftp://127.0.0.1/x.txt", local)));
        l.hr("hr_AddFile_wildcard", hr(job, () -> job.addFile("http://127.0.0.1/*.txt", local)));
        OracleCalls.progress(l, job);
        o.emit(l);
        discard(job);
    }

    void uploadJob() {
        OracleLine l = new OracleLine("upload-job");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle upload", OracleJobScenarios.BG_JOB_TYPE_UPLOAD, null);
        if (job == null) {
            return;
        }
        Outcome<Integer> t = call(job, job::getType);
        l.num("type", number(t, false));
        String u = o.url("upload.bin");
        l.hr("hr_AddFile_first", hr(job, () -> job.addFile(u, o.local("upload-1.txt"))));
        l.hr("hr", hr(job, () -> job.addFile(u, o.local("upload-2.txt"))));
        o.emit(l);
        discard(job);
    }

    void errorDescription() {
        IBackgroundCopyManager m = o.manager;
        Outcome<String> s = call(m, () -> m.getErrorDescription(HResult.BG_E_EMPTY, OracleCalls.LANG_EN_US));
        o.emit(new OracleLine("error-description").hr("hr", s.hr()).str("description", taskString(s)));
    }
}
