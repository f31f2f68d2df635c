package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;

/** {@code IEnumBackgroundCopyJobs} (IID 1af4f612-3b71-466f-8f58-7b6f73ac57ad; slots 3-7). */
final class IEnumBackgroundCopyJobs extends ComObject {
    static final int NEXT = 3;
    static final int SKIP = 4;
    static final int RESET = 5;
    static final int CLONE = 6;
    static final int GET_COUNT = 7;

    IEnumBackgroundCopyJobs(Pointer p) {
        super(p, "IEnumBackgroundCopyJobs");
    }

    /** 3 Next(ULONG celt, IBackgroundCopyJob **rgelt, ULONG *pceltFetched), one at a time: null at the end (S_FALSE). */
    IBackgroundCopyJob next() {
        PointerByReference job = new PointerByReference();
        IntByReference fetched = new IntByReference();
        int hr = call(NEXT, "Next", 1, job, fetched);
        return hr == 0 && fetched.getValue() == 1 ? new IBackgroundCopyJob(job.getValue()) : null;
    }

    /** 4 Skip(ULONG celt): S_FALSE when fewer than {@code count} jobs were left. */
    int skip(int count) {
        return call(SKIP, "Skip", count);
    }

    /** 5 Reset(). */
    void reset() {
        call(RESET, "Reset");
    }

    /** 6 Clone(IEnumBackgroundCopyJobs **ppenum): a second enumerator at the same position, owned by the caller. */
    IEnumBackgroundCopyJobs cloneEnumerator() {
        PointerByReference e = new PointerByReference();
        call(CLONE, "Clone", e);
        return new IEnumBackgroundCopyJobs(e.getValue());
    }

    /** 7 GetCount(ULONG *puCount). */
    int getCount() {
        IntByReference n = new IntByReference();
        call(GET_COUNT, "GetCount", n);
        return n.getValue();
    }

    /** Every remaining job, each owned by the caller. */
    List<IBackgroundCopyJob> all() {
        List<IBackgroundCopyJob> out = new ArrayList<>();
        for (IBackgroundCopyJob j = next(); j != null; j = next()) {
            out.add(j);
        }
        return out;
    }
}
