package org.jbits.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;

/** The few ole32 entry points the binding needs, returning raw HRESULTs (loaded only on Windows). */
interface Ole32 extends StdCallLibrary {
    /** Loads ole32.dll. */
    static Ole32 load() {
        return Native.load("ole32", Ole32.class);
    }

    int COINIT_MULTITHREADED = 0x0;
    int CLSCTX_LOCAL_SERVER = 0x4;
    int RPC_C_AUTHN_LEVEL_CONNECT = 2;
    int RPC_C_IMP_LEVEL_IMPERSONATE = 3;
    int EOAC_NONE = 0;

    int CoInitializeEx(Pointer reserved, int coInit);

    void CoUninitialize();

    int CoInitializeSecurity(Pointer securityDescriptor, int authServiceCount, Pointer authServices, Pointer reserved1,
            int authnLevel, int impLevel, Pointer authList, int capabilities, Pointer reserved3);

    int CoCreateInstance(GUID clsid, Pointer outer, int clsContext, GUID iid, PointerByReference object);

    int CoDisconnectObject(Pointer unknown, int reserved);

    /** Keeps the process' multithreaded apartment alive while no thread is in it (Windows 8 and later; Wine has it). */
    int CoIncrementMTAUsage(PointerByReference cookie);
}
