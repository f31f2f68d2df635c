package org.jbits.windows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.windows.BitsStructures.BG_JOB_PROGRESS;

/**
 * What the oracle's scenarios share (bits-oracle.c's "Helpers" section): a binding call with its HRESULT, the state
 * poll, progress, the first file, the error object, and the local-file checks. Every method runs on the COM thread.
 */
final class OracleCalls {
    private OracleCalls() {
    }

    static final int BG_JOB_STATE_SUSPENDED = 3;
    static final int BG_JOB_STATE_ERROR = 4;
    static final int BG_JOB_STATE_TRANSIENT_ERROR = 5;
    static final int BG_JOB_STATE_TRANSFERRED = 6;
    static final int BG_JOB_STATE_ACKNOWLEDGED = 7;
    static final int BG_JOB_STATE_CANCELLED = 8;
    /** {@code MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)}. */
    static final int LANG_EN_US = 0x0409;
    /** How long a transfer may take to settle. */
    static final long WAIT_MILLIS = 30_000;

    static boolean exists(String path) {
        return Files.exists(Path.of(path));
    }

    static long fileSize(String path) {
        try {
            return Files.size(Path.of(path));
        } catch (IOException e) {
            return -1;
        }
    }

    static void delete(String path) {
        try {
            Files.deleteIfExists(Path.of(path));
        } catch (IOException e) {
            // as DeleteFileW: a file that cannot go shows up in the exists fields
        }
    }

    /** FNV-1a 64 of a file's bytes as 16 hex digits, null when it cannot be read. */
    static String fnv1a64(String path) {
        long h = 0xcbf29ce484222325L;
        byte[] buf = new byte[65536];
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                for (int i = 0; i < n; i++) {
                    h ^= buf[i] & 0xff;
                    h *= 0x100000001b3L;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return String.format(Locale.ROOT, "%016x", h);
    }

    static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    /** A C ULONG/DWORD printed as the C client prints it: unsigned. */
    static long u32(int v) {
        return v & 0xFFFFFFFFL;
    }

    /** A getter's number, null when it failed; a 4-byte value as unsigned when it is a C ULONG/DWORD. */
    static Long number(Outcome<? extends Number> v, boolean unsigned) {
        if (!v.ok()) {
            return null;
        }
        return unsigned && v.value() instanceof Integer i ? u32(i) : v.value().longValue();
    }

    /** What one binding call gave: its HRESULT and its value (null when it failed). */
    record Outcome<T>(int hr, T value) {
        boolean ok() {
            return hr >= 0;
        }
    }

    /** Runs a wrapper method of {@code target}; its HRESULT is the pointer's last result, or the exception's. */
    static <T> Outcome<T> call(ComObject target, Supplier<T> method) {
        try {
            T v = method.get();
            return new Outcome<>(target.lastResult(), v);
        } catch (BitsException e) {
            return new Outcome<>(e.hresult(), null);
        }
    }

    /** Runs a wrapper method without a value; returns its HRESULT. */
    static int hr(ComObject target, Runnable method) {
        return call(target, () -> {
            method.run();
            return null;
        }).hr();
    }

    /** Cancel and release, as bits-oracle.c's discard. */
    static void discard(IBackgroundCopyJob job) {
        if (job == null) {
            return;
        }
        hr(job, job::cancel);
        job.release();
    }

    static int state(IBackgroundCopyJob job) {
        Outcome<Integer> s = call(job, job::getState);
        return s.ok() ? s.value() : -1;
    }

    /** {@code "key": state} or null when GetState failed. */
    static void state(OracleLine l, String key, IBackgroundCopyJob job) {
        Outcome<Integer> s = call(job, job::getState);
        l.num(key, s.ok() ? Long.valueOf(s.value()) : null);
    }

    /** The distinct states seen while polling, starting with the one before Resume. */
    static final class StateLog {
        final List<Integer> states = new ArrayList<>();
        boolean timedOut;

        void log(int s) {
            if ((states.isEmpty() || states.get(states.size() - 1) != s) && states.size() < 64) {
                states.add(s);
            }
        }
    }

    private static boolean settled(int s) {
        return s == BG_JOB_STATE_TRANSFERRED || s == BG_JOB_STATE_ERROR || s == BG_JOB_STATE_TRANSIENT_ERROR
                || s == BG_JOB_STATE_ACKNOWLEDGED || s == BG_JOB_STATE_CANCELLED || s == BG_JOB_STATE_SUSPENDED || s < 0;
    }

    /** Polls every 5 ms until the job settles (transferred, error, final, or back to suspended), at most 30 s. */
    static int waitSettled(IBackgroundCopyJob job, StateLog log) {
        long start = System.nanoTime();
        for (;;) {
            int s = state(job);
            log.log(s);
            if (settled(s) && !(s == BG_JOB_STATE_SUSPENDED && log.states.size() == 1)) {
                return s;
            }
            if ((System.nanoTime() - start) / 1_000_000 > WAIT_MILLIS) {
                log.timedOut = true;
                return s;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.timedOut = true;
                return s;
            }
        }
    }

    static void states(OracleLine l, String key, StateLog log) {
        l.array(key, log.states.stream().map(String::valueOf).toList()).bool("timedOut", log.timedOut);
    }

    /** GetProgress: {@code hr_GetProgress}, bytes (signed 64-bit) and file counts, null when it failed. */
    static void progress(OracleLine l, IBackgroundCopyJob job) {
        Outcome<BG_JOB_PROGRESS> p = call(job, job::getProgress);
        l.hr("hr_GetProgress", p.hr());
        if (p.ok()) {
            l.num("bytesTotal", p.value().BytesTotal).num("bytesTransferred", p.value().BytesTransferred)
                    .num("filesTotal", u32(p.value().FilesTotal)).num("filesTransferred", u32(p.value().FilesTransferred));
        } else {
            l.nul("bytesTotal").nul("bytesTransferred").nul("filesTotal").nul("filesTransferred");
        }
    }

    /** The first file of a job: EnumFiles' HRESULT, GetCount (-1 when unknown), Next(1) (null unless S_OK). */
    record FirstFile(int hrEnum, long count, IBackgroundCopyFile file) {
    }

    static FirstFile firstFile(IBackgroundCopyJob job) {
        Outcome<IEnumBackgroundCopyFiles> e = call(job, job::enumFiles);
        if (!e.ok()) {
            return new FirstFile(e.hr(), -1, null);
        }
        IEnumBackgroundCopyFiles files = e.value();
        try {
            Outcome<Integer> n = call(files, files::getCount);
            Outcome<IBackgroundCopyFile> f = call(files, files::next);
            return new FirstFile(e.hr(), n.ok() ? u32(n.value()) : -1, f.hr() == HResult.S_OK ? f.value() : null);
        } finally {
            files.release();
        }
    }

    /** A string BITS returned, or null when the call failed. */
    static String taskString(Outcome<String> s) {
        return s.ok() ? s.value() : null;
    }

    /** The job's error object: context, code, file and descriptions. */
    static void error(OracleLine l, IBackgroundCopyJob job) {
        Outcome<IBackgroundCopyError> got = call(job, job::getError);
        l.hr("hr_GetError", got.hr());
        if (!got.ok() || got.value() == null) {
            l.nul("context").nul("code");
            return;
        }
        IBackgroundCopyError err = got.value();
        try {
            Outcome<IBackgroundCopyError.Code> code = call(err, err::getError);
            l.hr("hr_Error_GetError", code.hr());
            if (code.ok()) {
                l.num("context", code.value().context()).hr("code", code.value().hresult());
            } else {
                l.nul("context").nul("code");
            }
            Outcome<IBackgroundCopyFile> file = call(err, err::getFile);
            l.hr("hr_Error_GetFile", file.hr());
            if (file.ok() && file.value() != null) {
                IBackgroundCopyFile f = file.value();
                l.str("errorFileRemoteName", taskString(call(f, f::getRemoteName)));
                f.release();
            } else {
                l.nul("errorFileRemoteName");
            }
            Outcome<String> s = call(err, () -> err.getErrorDescription(LANG_EN_US));
            l.hr("hr_Error_GetErrorDescription", s.hr()).str("errorDescription", taskString(s));
            s = call(err, () -> err.getErrorContextDescription(LANG_EN_US));
            l.hr("hr_Error_GetErrorContextDescription", s.hr()).str("errorContextDescription", taskString(s));
            s = call(err, err::getProtocol);
            l.hr("hr_Error_GetProtocol", s.hr()).str("protocol", taskString(s));
        } finally {
            err.release();
        }
    }
}
