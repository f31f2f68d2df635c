package org.jbits.windows;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Frees memory that a COM server allocated for the caller: BITS returns strings (and arrays) from
 * {@code CoTaskMemAlloc}, which must go back through {@code CoTaskMemFree} (reference §2.2). Off Windows there is
 * no COM; the unit tests' fake objects allocate with the C library's {@code malloc}, so {@code free} stands in.
 */
final class TaskMemory {
    private TaskMemory() {
    }

    private interface Freer extends Library {
        void CoTaskMemFree(Pointer p);
    }

    private interface LibC extends Library {
        void free(Pointer p);
    }

    /** Loaded on first use: ole32 on Windows, libc elsewhere. */
    private static final class Holder {
        static final java.util.function.Consumer<Pointer> FREE = Platform.isWindows()
                ? Native.load("ole32", Freer.class)::CoTaskMemFree
                : Native.load(Platform.C_LIBRARY_NAME, LibC.class)::free;
    }

    /** Frees {@code p} (NULL is fine). */
    static void free(Pointer p) {
        if (p != null) {
            Holder.FREE.accept(p);
        }
    }

    /** Reads the wide string at {@code p}, frees it, returns it; null for NULL. */
    static String takeString(Pointer p) {
        if (p == null) {
            return null;
        }
        try {
            return p.getWideString(0);
        } finally {
            free(p);
        }
    }
}
