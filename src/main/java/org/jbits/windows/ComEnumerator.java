package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The shape BITS' two enumerators share ({@code IEnumBackgroundCopyJobs}, {@code IEnumBackgroundCopyFiles}; reference
 * §2.2): slots 3-7 Next, Skip, Reset, Clone, GetCount, differing only in what Next hands out and what Clone returns.
 *
 * @param <T> the element interface ({@link IBackgroundCopyJob}, {@link IBackgroundCopyFile})
 * @param <E> the enumerator itself, which Clone returns
 */
abstract class ComEnumerator<T extends ComObject, E extends ComEnumerator<T, E>> extends ComObject {
    static final int NEXT = 3;
    static final int SKIP = 4;
    static final int RESET = 5;
    static final int CLONE = 6;
    static final int GET_COUNT = 7;

    private final Function<Pointer, T> element;
    private final Function<Pointer, E> enumerator;

    ComEnumerator(Pointer p, String interfaceName, Function<Pointer, T> element, Function<Pointer, E> enumerator) {
        super(p, interfaceName);
        this.element = element;
        this.enumerator = enumerator;
    }

    /** 3 Next(ULONG celt, T **rgelt, ULONG *pceltFetched), one at a time: null at the end (S_FALSE). */
    final T next() {
        PointerByReference out = new PointerByReference();
        IntByReference fetched = new IntByReference();
        int hr = call(NEXT, "Next", 1, out, fetched);
        return hr == 0 && fetched.getValue() == 1 ? element.apply(out.getValue()) : null;
    }

    /** 4 Skip(ULONG celt): S_FALSE when fewer than {@code count} elements were left. */
    final int skip(int count) {
        return call(SKIP, "Skip", count);
    }

    /** 5 Reset(). */
    final void reset() {
        call(RESET, "Reset");
    }

    /** 6 Clone(E **ppenum): a second enumerator at the same position, owned by the caller. */
    final E cloneEnumerator() {
        PointerByReference out = new PointerByReference();
        call(CLONE, "Clone", out);
        return enumerator.apply(out.getValue());
    }

    /** 7 GetCount(ULONG *puCount). */
    final int getCount() {
        IntByReference n = new IntByReference();
        call(GET_COUNT, "GetCount", n);
        return n.getValue();
    }

    /** Every remaining element, in BITS' order, each owned by the caller. */
    final List<T> all() {
        List<T> out = new ArrayList<>();
        for (T t = next(); t != null; t = next()) {
            out.add(t);
        }
        return out;
    }
}
