package org.jbits.windows;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jbits.HResult;

/**
 * A COM object made of JNA callbacks, for testing the interface classes on any OS: slot {@code n} of its vtable is
 * the callback given for {@code n}; every other slot answers E_NOTIMPL, and AddRef/Release count references.
 * Not a mock of BITS: it only lets a test see which slot a wrapper called, with which arguments, and what the
 * wrapper makes of the out-parameters it writes.
 */
final class FakeComObject {
    /** A method with no arguments but {@code this}. */
    public interface M0 extends Callback {
        int invoke(Pointer self);
    }

    /** A method with one pointer argument. */
    public interface M1 extends Callback {
        int invoke(Pointer self, Pointer a);
    }

    /** A method with two pointer arguments. */
    public interface M2 extends Callback {
        int invoke(Pointer self, Pointer a, Pointer b);
    }

    /** A method with an int and a pointer. */
    public interface MIP extends Callback {
        int invoke(Pointer self, int a, Pointer b);
    }

    /** A method with an int, a pointer and a pointer ({@code Next(celt, rgelt, fetched)}). */
    public interface MIPP extends Callback {
        int invoke(Pointer self, int a, Pointer b, Pointer c);
    }

    /** CreateJob's shape: {@code (LPCWSTR, int, GUID*, IBackgroundCopyJob**)}. */
    public interface MPIPP extends Callback {
        int invoke(Pointer self, Pointer a, int b, Pointer c, Pointer d);
    }

    private final Memory object = new Memory(Native.POINTER_SIZE);
    private final Memory vtable;
    private final List<Callback> keep = new ArrayList<>();
    final AtomicInteger references = new AtomicInteger(1);
    /** Slots called, in order. */
    final List<Integer> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeComObject(int slots, Map<Integer, Callback> methods) {
        vtable = new Memory((long) slots * Native.POINTER_SIZE);
        for (int slot = 0; slot < slots; slot++) {
            final int s = slot;
            Callback cb = methods.get(slot);
            if (cb == null) {
                cb = slot == 1 ? (M0) self -> { calls.add(s); return references.incrementAndGet(); }
                        : slot == 2 ? (M0) self -> { calls.add(s); return references.decrementAndGet(); }
                        : (M0) self -> { calls.add(s); return HResult.E_NOTIMPL; };
            }
            keep.add(cb);
            vtable.setPointer((long) slot * Native.POINTER_SIZE, CallbackReference.getFunctionPointer(cb));
        }
        object.setPointer(0, vtable);
    }

    Pointer pointer() {
        return object;
    }

    /** A wide string allocated with malloc, as TaskMemory frees it off Windows (CoTaskMemAlloc's stand-in). */
    static Pointer taskString(String s) {
        long bytes = (long) (s.length() + 1) * Native.WCHAR_SIZE;
        Pointer p = new Pointer(Native.malloc(bytes));
        p.setWideString(0, s);
        return p;
    }
}
