package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;

/** {@code IEnumBackgroundCopyFiles} (IID ca51e165-c365-424c-8d41-24aaa4ff3c40; slots 3-7). */
final class IEnumBackgroundCopyFiles extends ComObject {
    static final int NEXT = 3;
    static final int SKIP = 4;
    static final int RESET = 5;
    static final int CLONE = 6;
    static final int GET_COUNT = 7;

    IEnumBackgroundCopyFiles(Pointer p) {
        super(p, "IEnumBackgroundCopyFiles");
    }

    /** 3 Next(ULONG celt, IBackgroundCopyFile **rgelt, ULONG *pceltFetched), one at a time: null at the end (S_FALSE). */
    IBackgroundCopyFile next() {
        PointerByReference file = new PointerByReference();
        IntByReference fetched = new IntByReference();
        int hr = call(NEXT, "Next", 1, file, fetched);
        return hr == 0 && fetched.getValue() == 1 ? new IBackgroundCopyFile(file.getValue()) : null;
    }

    /** 7 GetCount(ULONG *puCount). */
    int getCount() {
        IntByReference n = new IntByReference();
        call(GET_COUNT, "GetCount", n);
        return n.getValue();
    }

    /** Every remaining file, in job order, each owned by the caller. */
    List<IBackgroundCopyFile> all() {
        List<IBackgroundCopyFile> out = new ArrayList<>();
        for (IBackgroundCopyFile f = next(); f != null; f = next()) {
            out.add(f);
        }
        return out;
    }
}
