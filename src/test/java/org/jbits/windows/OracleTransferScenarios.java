package org.jbits.windows;

import static org.jbits.windows.OracleCalls.call;
import static org.jbits.windows.OracleCalls.delete;
import static org.jbits.windows.OracleCalls.discard;
import static org.jbits.windows.OracleCalls.exists;
import static org.jbits.windows.OracleCalls.fileSize;
import static org.jbits.windows.OracleCalls.hr;
import static org.jbits.windows.OracleCalls.taskString;
import static org.jbits.windows.OracleCalls.u32;

import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.Guid.GUID;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jbits.BitsException;
import org.jbits.windows.BitsStructures.BG_FILE_INFO;
import org.jbits.windows.BitsStructures.BG_FILE_PROGRESS;
import org.jbits.windows.BitsStructures.BG_JOB_PROGRESS;
import org.jbits.windows.OracleCalls.FirstFile;
import org.jbits.windows.OracleCalls.Outcome;
import org.jbits.windows.OracleCalls.StateLog;

/**
 * The oracle scenarios that transfer or look jobs up, from {@code get-job} to {@code enum-jobs}: ports of their
 * {@code sc_*} functions in {@code native/bits-oracle.c}, field for field. On the COM thread, except the callback's
 * sink, which BITS calls on its own threads.
 */
final class OracleTransferScenarios {
    static final String UNICODE_FILE = "donn\u00e9es-\u4e16\u754c.txt";
    /** BG_NOTIFY_JOB_TRANSFERRED | JOB_ERROR | JOB_MODIFICATION | FILE_TRANSFERRED. */
    static final int NOTIFY_ALL_BUT_DISABLE = 0x1 | 0x2 | 0x8 | 0x10;

    private final JavaOracle o;

    OracleTransferScenarios(JavaOracle oracle) {
        this.o = oracle;
    }

    private static boolean sameId(GUID a, GUID b) {
        return a != null && b != null && a.toGuidString().equals(b.toGuidString());
    }

    void getJob() {
        OracleLine l = new OracleLine("get-job");
        GUID id = new GUID();
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle alive", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, id);
        if (job == null) {
            return;
        }
        o.alive = job;
        o.aliveId = id;
        IBackgroundCopyManager m = o.manager;
        Outcome<IBackgroundCopyJob> again = call(m, () -> m.getJob(id));
        l.hr("hr", again.hr());
        if (again.value() != null) {
            IBackgroundCopyJob j = again.value();
            Outcome<GUID> got = call(j, j::getId);
            l.bool("idMatches", got.ok() && sameId(got.value(), id));
            j.release();
        }
        GUID unknown = Guids.toGuid(UUID.randomUUID());
        Outcome<IBackgroundCopyJob> none = call(m, () -> m.getJob(unknown));
        l.hr("hr_unknown", none.hr());
        if (none.value() != null) {
            none.value().release();
        }
        o.emit(l);
    }

    /** The main path: download data.bin, watch the states, read the file back, Complete; then every mutator on it. */
    void download() {
        String u = o.url("data.bin");
        String local = o.local("download.bin");
        boolean wantFinal = o.wanted("completed-job-is-final");
        delete(local);
        OracleLine l = new OracleLine("download").str("url", u);
        GUID id = new GUID();
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle download", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, id);
        if (job == null) {
            return;
        }
        l.hr("hr_AddFile", hr(job, () -> job.addFile(u, local)));
        StateLog log = new StateLog();
        log.log(OracleCalls.state(job));
        l.hr("hr_Resume", hr(job, job::resume));
        Outcome<BG_JOB_PROGRESS> p = call(job, job::getProgress);
        l.num("bytesTotalAfterResume", p.ok() ? p.value().BytesTotal : null);
        l.num("state", OracleCalls.waitSettled(job, log));
        OracleCalls.states(l, "states", log);
        OracleCalls.progress(l, job);
        FirstFile first = OracleCalls.firstFile(job);
        l.hr("hr_EnumFiles", first.hrEnum()).num("fileCount", first.count());
        IBackgroundCopyFile file = first.file();
        if (file != null) {
            Outcome<String> s = call(file, file::getRemoteName);
            l.bool("remoteNameEqual", s.ok() && u.equals(s.value()));
            s = call(file, file::getLocalName);
            l.bool("localNameEqual", s.ok() && local.equals(s.value()));
            Outcome<BG_FILE_PROGRESS> fp = call(file, file::getProgress);
            l.hr("hr_File_GetProgress", fp.hr());
            if (fp.ok()) {
                l.num("fileBytesTotal", fp.value().BytesTotal).num("fileBytesTransferred", fp.value().BytesTransferred)
                        .bool("fileCompleted", fp.value().Completed != 0);
            }
            file.release();
        }
        l.bool("localExistsBeforeComplete", exists(local));
        l.hr("hr_Complete", hr(job, job::complete));
        OracleCalls.state(l, "stateAfterComplete", job);
        l.bool("localExists", exists(local)).num("localSize", fileSize(local)).str("localFnv1a64", OracleCalls.fnv1a64(local));
        o.emit(l);
        o.completedId = id;
        if (wantFinal) {
            String local2 = o.local("after-complete.bin");
            OracleLine f = new OracleLine("completed-job-is-final");
            OracleCalls.state(f, "state", job);
            f.hr("hr_Resume", hr(job, job::resume)).hr("hr_Suspend", hr(job, job::suspend))
                    .hr("hr_AddFile", hr(job, () -> job.addFile(u, local2)))
                    .hr("hr_SetDescription", hr(job, () -> job.setDescription("late")))
                    .hr("hr_Complete", hr(job, job::complete)).hr("hr_Cancel", hr(job, job::cancel));
            IBackgroundCopyManager m = o.manager;
            Outcome<IBackgroundCopyJob> again = call(m, () -> m.getJob(id));
            f.hr("hr_GetJob", again.hr());
            if (again.value() != null) {
                again.value().release();
            }
            o.emit(f);
        }
        job.release();
    }

    /** A small file to a local name with non-ASCII characters: UTF-16 paths through AddFile and GetLocalName. */
    void downloadUnicodeName() {
        String u = o.url("small.txt");
        String local = o.local(UNICODE_FILE);
        delete(local);
        OracleLine l = new OracleLine("download-unicode-name");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle unicode-name", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        l.str("localName", local).hr("hr_AddFile", hr(job, () -> job.addFile(u, local)));
        IBackgroundCopyFile file = OracleCalls.firstFile(job).file();
        if (file != null) {
            Outcome<String> s = call(file, file::getLocalName);
            l.bool("localNameEqual", s.ok() && local.equals(s.value())).str("gotLocalName", taskString(s));
            file.release();
        }
        StateLog log = new StateLog();
        log.log(OracleCalls.state(job));
        l.hr("hr_Resume", hr(job, job::resume));
        l.num("state", OracleCalls.waitSettled(job, log));
        OracleCalls.states(l, "states", log);
        l.hr("hr_Complete", hr(job, job::complete));
        l.bool("localExists", exists(local)).num("localSize", fileSize(local));
        o.emit(l);
        job.release();
    }

    /** A download that fails (404, refused connection): the error object, then Cancel. */
    void failing(String scenario, String name, String remote, String localName) {
        String local = o.local(localName);
        delete(local);
        OracleLine l = new OracleLine(scenario).str("url", remote);
        IBackgroundCopyJob job = o.createFor(l, name, OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        l.hr("hr_AddFile", hr(job, () -> job.addFile(remote, local)));
        StateLog log = new StateLog();
        log.log(OracleCalls.state(job));
        l.hr("hr_Resume", hr(job, job::resume));
        l.num("state", OracleCalls.waitSettled(job, log));
        OracleCalls.states(l, "states", log);
        OracleCalls.error(l, job);
        Outcome<Integer> n = call(job, job::getErrorCount);
        l.hr("hr_GetErrorCount", n.hr()).num("errorCount", n.ok() ? u32(n.value()) : null);
        OracleCalls.progress(l, job);
        l.hr("hr_Cancel", hr(job, job::cancel));
        OracleCalls.state(l, "stateAfterCancel", job);
        l.bool("localExistsAfterCancel", exists(local));
        o.emit(l);
        job.release();
    }

    private static BG_FILE_INFO fileInfo(String remote, String local) {
        BG_FILE_INFO f = new BG_FILE_INFO();
        f.RemoteName = new WString(remote);
        f.LocalName = new WString(local);
        return f;
    }

    /** The files' local names (last path segment) in EnumFiles order. */
    private static List<String> fileOrder(IBackgroundCopyJob job) {
        Outcome<IEnumBackgroundCopyFiles> e = call(job, job::enumFiles);
        if (!e.ok()) {
            return null;
        }
        IEnumBackgroundCopyFiles files = e.value();
        List<String> names = new ArrayList<>();
        try {
            for (Outcome<IBackgroundCopyFile> f = call(files, files::next); f.value() != null; f = call(files, files::next)) {
                IBackgroundCopyFile file = f.value();
                Outcome<String> s = call(file, file::getLocalName);
                String name = s.ok() ? s.value() : null;
                names.add(OracleLine.quote(name == null ? null : name.substring(name.lastIndexOf('\\') + 1)));
                file.release();
            }
        } finally {
            files.release();
        }
        return names;
    }

    /** Two files, the second a 404: Complete of the job in error keeps the transferred file only. */
    void completePartial() {
        String good = o.local("partial-good.txt");
        String missing = o.local("partial-missing.bin");
        delete(good);
        delete(missing);
        OracleLine l = new OracleLine("complete-partial");
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle complete-partial", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        BG_FILE_INFO[] set = {fileInfo(o.url("small.txt"), good), fileInfo(o.url("missing.bin"), missing)};
        l.hr("hr_AddFileSet", hr(job, () -> job.addFileSet(set)));
        List<String> order = fileOrder(job);
        if (order == null) {
            l.nul("enumOrder");
        } else {
            l.array("enumOrder", order);
        }
        StateLog log = new StateLog();
        log.log(OracleCalls.state(job));
        l.hr("hr_Resume", hr(job, job::resume));
        l.num("state", OracleCalls.waitSettled(job, log));
        OracleCalls.states(l, "states", log);
        OracleCalls.progress(l, job);
        l.hr("hr_Complete", hr(job, job::complete));
        OracleCalls.state(l, "stateAfterComplete", job);
        l.bool("goodExists", exists(good)).bool("missingExists", exists(missing));
        o.emit(l);
        job.release();
    }

    void cancel() {
        String u = o.url("data.bin");
        String local = o.local("cancel.bin");
        OracleLine l = new OracleLine("cancel");
        GUID id = new GUID();
        IBackgroundCopyJob job = o.createFor(l, "jbits-oracle cancel", OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, id);
        if (job == null) {
            return;
        }
        l.hr("hr_AddFile", hr(job, () -> job.addFile(u, local)));
        l.hr("hr", hr(job, job::cancel));
        OracleCalls.state(l, "state", job);
        l.hr("hr_Resume", hr(job, job::resume)).hr("hr_Cancel_again", hr(job, job::cancel));
        IBackgroundCopyManager m = o.manager;
        Outcome<IBackgroundCopyJob> again = call(m, () -> m.getJob(id));
        l.hr("hr_GetJob", again.hr());
        if (again.value() != null) {
            again.value().release();
        }
        l.bool("localExists", exists(local));
        o.emit(l);
        o.cancelledId = id;
        job.release();
    }

    /** What BITS calls on the Java callback, in order; set on JobTransferred or JobError. */
    static final class RecordingSink implements CopyCallback.Sink {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger modifications = new AtomicInteger();
        final AtomicInteger stateInCallback = new AtomicInteger(-1);
        final CountDownLatch settled = new CountDownLatch(1);

        private void settledCall(String name, Pointer job) {
            calls.add(name);
            int state;
            try {
                // The job pointer is borrowed for the call: wrapped, never released.
                state = new IBackgroundCopyJob(job).getState();
            } catch (BitsException e) {
                state = -1;
            }
            stateInCallback.set(state);
            settled.countDown();
        }

        @Override
        public void jobTransferred(Pointer job) {
            settledCall("JobTransferred", job);
        }

        @Override
        public void jobError(Pointer job, Pointer error) {
            settledCall("JobError", job);
        }

        @Override
        public void jobModification(Pointer job) {
            modifications.incrementAndGet();
        }

        @Override
        public void fileTransferred(Pointer job, Pointer file) {
            calls.add("FileTransferred");
        }

        @Override
        public void fileRangesTransferred(Pointer job, Pointer file, int count, Pointer ranges) {
            calls.add("FileRangesTransferred");
        }
    }

    /** Notifications: the binding's Java IBackgroundCopyCallback2, called back across processes by BITS. */
    void callback(String scenario, String name, boolean fail) {
        RecordingSink sink = new RecordingSink();
        CopyCallback callback = new CopyCallback(sink);
        String u = o.url(fail ? "missing.bin" : "small.txt");
        String local = o.local(fail ? "callback-missing.bin" : "callback.txt");
        delete(local);
        OracleLine l = new OracleLine(scenario);
        IBackgroundCopyJob job = o.createFor(l, name, OracleJobScenarios.BG_JOB_TYPE_DOWNLOAD, null);
        if (job == null) {
            return;
        }
        l.hr("hr_SetNotifyInterface", job.setNotifyInterface(callback.pointer()));
        l.hr("hr_SetNotifyFlags", hr(job, () -> job.setNotifyFlags(NOTIFY_ALL_BUT_DISABLE)));
        Outcome<ComObject> got = call(job, job::getNotifyInterface);
        l.hr("hr_GetNotifyInterface", got.hr()).bool("notifyInterfaceNull", got.value() == null);
        if (got.value() != null) {
            got.value().release();
        }
        l.hr("hr_AddFile", hr(job, () -> job.addFile(u, local)));
        StateLog log = new StateLog();
        log.log(OracleCalls.state(job));
        l.hr("hr_Resume", hr(job, job::resume));
        l.num("state", OracleCalls.waitSettled(job, log));
        OracleCalls.states(l, "states", log);
        boolean fired;
        try {
            fired = sink.settled.await(5000, TimeUnit.MILLISECONDS);
            Thread.sleep(200); // let a FileTransferred or a late second call land before reading
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fired = false;
        }
        List<String> calls;
        synchronized (sink.calls) {
            calls = sink.calls.stream().map(OracleLine::quote).toList();
        }
        int state = sink.stateInCallback.get();
        var asked = callback.askedInterfaces();
        l.bool("callbackFired", fired).array("calls", calls).num("modificationCalls", sink.modifications.get())
                .num("stateInCallback", state >= 0 ? Long.valueOf(state) : null)
                .bool("askedCallback", asked.contains(BitsGuids.IID_IBackgroundCopyCallback.toGuidString()))
                .bool("askedCallback2", asked.contains(BitsGuids.IID_IBackgroundCopyCallback2.toGuidString()))
                .bool("askedCallback3", asked.contains(BitsGuids.IID_IBackgroundCopyCallback3.toGuidString()));
        if (fail) {
            l.hr("hr_Cancel", hr(job, job::cancel));
        } else {
            l.hr("hr_Complete", hr(job, job::complete));
        }
        o.emit(l);
        job.setNotifyInterface(null);
        job.release();
        Reference.reachabilityFence(callback);
    }

    /** Enumeration: the job kept alive is listed; the acknowledged and the cancelled ones are not (on Windows). */
    void enumJobs() {
        OracleLine l = new OracleLine("enum-jobs");
        IBackgroundCopyManager m = o.manager;
        Outcome<IEnumBackgroundCopyJobs> e = call(m, () -> m.enumJobs(0));
        l.hr("hr", e.hr());
        if (!e.ok()) {
            o.emit(l);
            return;
        }
        IEnumBackgroundCopyJobs jobs = e.value();
        Outcome<Integer> n = call(jobs, jobs::getCount);
        l.hr("hr_GetCount", n.hr()).num("count", n.ok() ? u32(n.value()) : -1);
        List<String> names = new ArrayList<>();
        List<String> states = new ArrayList<>();
        boolean hasAlive = false;
        boolean hasCompleted = false;
        boolean hasCancelled = false;
        for (Outcome<IBackgroundCopyJob> j = call(jobs, jobs::next); j.value() != null; j = call(jobs, jobs::next)) {
            IBackgroundCopyJob job = j.value();
            Outcome<String> s = call(job, job::getDisplayName);
            String name = s.ok() ? s.value() : null;
            if (name != null && name.length() > 40) {
                name = name.substring(0, 37) + "...";
            }
            names.add(OracleLine.quote(name));
            states.add(Integer.toString(OracleCalls.state(job)));
            Outcome<GUID> id = call(job, job::getId);
            if (id.ok()) {
                hasAlive |= sameId(id.value(), o.aliveId);
                hasCompleted |= sameId(id.value(), o.completedId);
                hasCancelled |= sameId(id.value(), o.cancelledId);
            }
            job.release();
        }
        l.array("listedNames", names).array("listedStates", states).num("listed", names.size());
        l.boolOrNull("containsAlive", o.aliveId == null ? null : hasAlive)
                .boolOrNull("containsCompleted", o.completedId == null ? null : hasCompleted)
                .boolOrNull("containsCancelled", o.cancelledId == null ? null : hasCancelled);
        Outcome<IBackgroundCopyJob> atEnd = call(jobs, jobs::next);
        l.hr("hr_Next_atEnd", atEnd.hr());
        if (atEnd.value() != null) {
            atEnd.value().release();
        }
        l.hr("hr_Reset", hr(jobs, jobs::reset));
        l.hr("hr_Skip", call(jobs, () -> jobs.skip(1)).hr());
        Outcome<IEnumBackgroundCopyJobs> clone = call(jobs, jobs::cloneEnumerator);
        l.hr("hr_Clone", clone.hr());
        if (clone.value() != null) {
            clone.value().release();
        }
        jobs.release();
        Outcome<IEnumBackgroundCopyJobs> all = call(m, () -> m.enumJobs(IBackgroundCopyManager.BG_JOB_ENUM_ALL_USERS));
        l.hr("hr_allUsers", all.hr());
        if (all.value() != null) {
            all.value().release();
        }
        o.emit(l);
        if (o.alive != null) {
            discard(o.alive);
            o.alive = null;
        }
    }
}
