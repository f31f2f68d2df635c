package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.COM.Unknown;
import com.sun.jna.platform.win32.Guid.IID;
import com.sun.jna.platform.win32.Guid.REFIID;
import com.sun.jna.ptr.PointerByReference;
import java.util.function.Function;
import org.jbits.BitsException;

/**
 * A COM interface pointer whose methods are called by absolute vtable slot (slot 0 QueryInterface, 1 AddRef,
 * 2 Release), as jna-platform's {@link Unknown} does. Subclasses are thin: one method per COM method, its slot
 * in a constant next to it, HRESULTs checked by {@link HResults#check}. Callers own threading: every call must
 * happen on the manager's COM thread (or, in a notification callback, on the MTA thread that delivers it).
 */
abstract class ComObject extends Unknown {
    /** The interface's name, for error messages ({@code IBackgroundCopyJob}). */
    private final String interfaceName;
    /** The HRESULT of the last method called through this pointer; read on the thread that called it. */
    private int lastResult;

    ComObject(Pointer p, String interfaceName) {
        super(p);
        this.interfaceName = interfaceName;
    }

    /** Calls the method at {@code slot} with {@code this} as the first argument; returns its HRESULT. */
    final int invoke(int slot, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = getPointer();
        System.arraycopy(args, 0, all, 1, args.length);
        lastResult = _invokeNativeInt(slot, all);
        return lastResult;
    }

    /**
     * The HRESULT of the last method called through this pointer (0 before any), success codes included: the
     * methods return values, so this is where a caller tells S_OK from S_FALSE or a BG_S_* code, or sees the
     * failure a method maps to null (GetError's BG_E_ERROR_INFORMATION_UNAVAILABLE). The BITS oracle's Java twin
     * reports it for every call.
     */
    final int lastResult() {
        return lastResult;
    }

    /** Calls the method at {@code slot} and throws {@link BitsException} unless it succeeded; returns the HRESULT. */
    final int call(int slot, String method, Object... args) {
        return HResults.check(invoke(slot, args), interfaceName + "::" + method);
    }

    /** QueryInterface for {@code iid}: the new interface (owned by the caller), or null on E_NOINTERFACE. */
    final <T extends ComObject> T query(IID iid, Function<Pointer, T> wrap) {
        PointerByReference out = new PointerByReference();
        int hr = QueryInterface(new REFIID(iid), out).intValue();
        lastResult = hr;
        if (hr == org.jbits.HResult.E_NOINTERFACE || (hr >= 0 && out.getValue() == null)) {
            return null;
        }
        HResults.check(hr, interfaceName + "::QueryInterface(" + iid.toGuidString() + ")");
        return wrap.apply(out.getValue());
    }

    /** Calls a getter that returns an LPWSTR, frees it with CoTaskMemFree and returns it (null for NULL). */
    final String callString(int slot, String method, Object... leading) {
        PointerByReference out = new PointerByReference();
        Object[] args = new Object[leading.length + 1];
        System.arraycopy(leading, 0, args, 0, leading.length);
        args[leading.length] = out;
        call(slot, method, args);
        return TaskMemory.takeString(out.getValue());
    }

    /** A Java string as LPCWSTR (null stays NULL). */
    static WString wide(String s) {
        return s == null ? null : new WString(s);
    }

    /** Releases this pointer once; further calls on this object are invalid. */
    final void release() {
        if (getPointer() != null) {
            Release();
            setPointer(null);
        }
    }

    /** The interface name. */
    final String interfaceName() {
        return interfaceName;
    }

    /** An interface pointer used only for IUnknown's methods (a QueryInterface result that is only counted). */
    static final class Raw extends ComObject {
        Raw(Pointer p, String interfaceName) {
            super(p, interfaceName);
        }
    }
}
