package org.jbits.windows;

import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Guid.GUID;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jbits.HResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@code IBackgroundCopyCallback3} object implemented in Java: a block of native memory whose first word points
 * at a vtable of JNA callbacks (reference §2.2: 0 QueryInterface, 1 AddRef, 2 Release, 3 JobTransferred, 4 JobError,
 * 5 JobModification, 6 FileTransferred, 7 FileRangesTransferred); it answers QueryInterface for Callback, Callback2
 * and Callback3, so a BITS older than 10.1 uses the first seven slots only. Plain JNA callbacks: 64-bit Windows (x64, ARM64) has one calling
 * convention, which is also what the unit tests use on Linux; 32-bit Windows, whose COM is stdcall, is not supported
 * (see {@link NativeBackendProvider}). BITS calls it from RPC threads of the multithreaded apartment; the arguments are borrowed (not
 * AddRef'd for us), so the {@link Sink} reads what it needs before returning. The object keeps its callbacks
 * strongly reachable for as long as it lives, or the JNA thunks would be freed under BITS' feet.
 */
final class CopyCallback {
    private static final Logger log = LoggerFactory.getLogger(CopyCallback.class);

    static final int QUERY_INTERFACE = 0;
    static final int ADD_REF = 1;
    static final int RELEASE = 2;
    static final int JOB_TRANSFERRED = 3;
    static final int JOB_ERROR = 4;
    static final int JOB_MODIFICATION = 5;
    static final int FILE_TRANSFERRED = 6;
    static final int FILE_RANGES_TRANSFERRED = 7;
    /** Number of vtable entries: IUnknown's three, IBackgroundCopyCallback's three, Callback2's one, Callback3's one. */
    static final int SLOTS = 8;

    /** Where the events go. Each method runs on the calling RPC thread and must not block for long. */
    interface Sink {
        void jobTransferred(Pointer job);

        void jobError(Pointer job, Pointer error);

        void jobModification(Pointer job);

        void fileTransferred(Pointer job, Pointer file);

        /** {@code count} {@code BG_FILE_RANGE}s (two UINT64 each: offset, length) at {@code ranges}. */
        void fileRangesTransferred(Pointer job, Pointer file, int count, Pointer ranges);
    }

    public interface QueryInterfaceFn extends com.sun.jna.Callback {
        int invoke(Pointer self, Pointer riid, Pointer ppv);
    }

    public interface RefCountFn extends com.sun.jna.Callback {
        int invoke(Pointer self);
    }

    public interface JobFn extends com.sun.jna.Callback {
        int invoke(Pointer self, Pointer job);
    }

    public interface JobErrorFn extends com.sun.jna.Callback {
        int invoke(Pointer self, Pointer job, Pointer error);
    }

    public interface JobModificationFn extends com.sun.jna.Callback {
        int invoke(Pointer self, Pointer job, int reserved);
    }

    public interface FileFn extends com.sun.jna.Callback {
        int invoke(Pointer self, Pointer job, Pointer file);
    }

    public interface FileRangesFn extends com.sun.jna.Callback {
        int invoke(Pointer self, Pointer job, Pointer file, int count, Pointer ranges);
    }

    private final Memory vtable = new Memory((long) SLOTS * Native.POINTER_SIZE);
    private final Memory object = new Memory(Native.POINTER_SIZE);
    private final AtomicInteger references = new AtomicInteger(1);
    /** The interface ids BITS has asked QueryInterface for, as {@code {XXXXXXXX-...}} strings. */
    private final Set<String> asked = ConcurrentHashMap.newKeySet();
    private final Sink sink;
    /** Strong references to the callbacks, in slot order. */
    private final List<Object> functions;

    CopyCallback(Sink sink) {
        this.sink = sink;
        QueryInterfaceFn qi = this::queryInterface;
        RefCountFn addRef = self -> references.incrementAndGet();
        RefCountFn release = self -> Math.max(0, references.decrementAndGet());
        JobFn transferred = (self, job) -> deliver("JobTransferred", () -> sink.jobTransferred(job));
        JobErrorFn error = (self, job, err) -> deliver("JobError", () -> sink.jobError(job, err));
        JobModificationFn modification = (self, job, reserved) -> deliver("JobModification", () -> sink.jobModification(job));
        FileFn file = (self, job, f) -> deliver("FileTransferred", () -> sink.fileTransferred(job, f));
        FileRangesFn ranges = (self, job, f, count, r) -> deliver("FileRangesTransferred",
                () -> sink.fileRangesTransferred(job, f, count, r));
        functions = List.of(qi, addRef, release, transferred, error, modification, file, ranges);
        for (int slot = 0; slot < SLOTS; slot++) {
            vtable.setPointer((long) slot * Native.POINTER_SIZE,
                    CallbackReference.getFunctionPointer((com.sun.jna.Callback) functions.get(slot)));
        }
        object.setPointer(0, vtable);
    }

    /** The COM object pointer ({@code IBackgroundCopyCallback*}) to give SetNotifyInterface. */
    Pointer pointer() {
        return object;
    }

    /** The vtable, for tests of its layout. */
    Pointer vtable() {
        return vtable;
    }

    /** The reference count COM sees. */
    int references() {
        return references.get();
    }

    /** The interface ids (upper-case GUID strings with braces) BITS has asked this object for so far. */
    Set<String> askedInterfaces() {
        return Set.copyOf(asked);
    }

    private int queryInterface(Pointer self, Pointer riid, Pointer ppv) {
        if (ppv == null) {
            return HResult.E_POINTER;
        }
        if (riid != null) {
            String iid = new GUID(riid).toGuidString();
            asked.add(iid);
            if (iid.equals(BitsGuids.IID_IUnknown.toGuidString())
                    || iid.equals(BitsGuids.IID_IBackgroundCopyCallback.toGuidString())
                    || iid.equals(BitsGuids.IID_IBackgroundCopyCallback2.toGuidString())
                    || iid.equals(BitsGuids.IID_IBackgroundCopyCallback3.toGuidString())) {
                references.incrementAndGet();
                ppv.setPointer(0, object);
                return HResult.S_OK;
            }
        }
        ppv.setPointer(0, Pointer.NULL);
        return HResult.E_NOINTERFACE;
    }

    /** Runs one event; a failure is logged, never thrown back into native code. */
    private static int deliver(String event, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            log.warn("{} notification failed", event, e);
        }
        return HResult.S_OK;
    }
}
