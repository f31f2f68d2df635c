package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Guid.GUID;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jbits.HResult;
import org.junit.jupiter.api.Test;

/**
 * The Java IBackgroundCopyCallback3 object, called through its own vtable exactly as COM would call it: slot by
 * slot, with {@code this} first.
 */
class CopyCallbackTest {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final CopyCallback callback = new CopyCallback(new CopyCallback.Sink() {
        @Override
        public void jobTransferred(Pointer job) {
            events.add("transferred " + Pointer.nativeValue(job));
        }

        @Override
        public void jobError(Pointer job, Pointer error) {
            events.add("error " + Pointer.nativeValue(job) + " " + Pointer.nativeValue(error));
        }

        @Override
        public void jobModification(Pointer job) {
            events.add("modification " + Pointer.nativeValue(job));
            throw new IllegalStateException("a failing listener must not reach native code");
        }

        @Override
        public void fileTransferred(Pointer job, Pointer file) {
            events.add("file " + Pointer.nativeValue(job) + " " + Pointer.nativeValue(file));
        }

        @Override
        public void fileRangesTransferred(Pointer job, Pointer file, int count, Pointer ranges) {
            StringBuilder b = new StringBuilder("ranges " + Pointer.nativeValue(job) + " " + Pointer.nativeValue(file));
            for (int i = 0; i < count; i++) {
                b.append(' ').append(ranges.getLong(16L * i)).append('+').append(ranges.getLong(16L * i + 8));
            }
            events.add(b.toString());
        }
    });

    private Function slot(int n) {
        Pointer vtable = callback.pointer().getPointer(0);
        return Function.getFunction(vtable.getPointer((long) n * Native.POINTER_SIZE));
    }

    private int queryInterface(GUID iid, Memory out) {
        iid.write();
        return slot(CopyCallback.QUERY_INTERFACE).invokeInt(new Object[]{callback.pointer(), iid.getPointer(), out});
    }

    @Test
    void theObjectsFirstWordIsTheVtableOfEightSlots() {
        assertEquals(Pointer.nativeValue(callback.vtable()), Pointer.nativeValue(callback.pointer().getPointer(0)));
        assertEquals(8, CopyCallback.SLOTS);
        for (int i = 0; i < CopyCallback.SLOTS; i++) {
            assertEquals(true, callback.vtable().getPointer((long) i * Native.POINTER_SIZE) != null, "slot " + i + " is set");
        }
    }

    @Test
    void queryInterfaceGivesItselfForIUnknownAndCallbackOneToThree() {
        for (GUID iid : List.of(new GUID(BitsGuids.IID_IUnknown), new GUID(BitsGuids.IID_IBackgroundCopyCallback),
                new GUID(BitsGuids.IID_IBackgroundCopyCallback2), new GUID(BitsGuids.IID_IBackgroundCopyCallback3))) {
            Memory out = new Memory(Native.POINTER_SIZE);
            int before = callback.references();
            assertEquals(HResult.S_OK, queryInterface(iid, out), iid.toGuidString());
            assertEquals(Pointer.nativeValue(callback.pointer()), Pointer.nativeValue(out.getPointer(0)));
            assertEquals(before + 1, callback.references(), "QueryInterface AddRefs");
        }
    }

    @Test
    void queryInterfaceRefusesOtherInterfacesWithNull() {
        Memory out = new Memory(Native.POINTER_SIZE);
        out.setLong(0, 0x1234);
        assertEquals(HResult.E_NOINTERFACE, queryInterface(new GUID("{00000003-0000-0000-C000-000000000046}"), out),
                "IMarshal: standard marshaling is wanted");
        assertNull(out.getPointer(0));
    }

    @Test
    void queryInterfaceRemembersWhatWasAskedAcceptedOrNot() {
        assertEquals(java.util.Set.of(), callback.askedInterfaces());
        queryInterface(new GUID(BitsGuids.IID_IBackgroundCopyCallback2), new Memory(Native.POINTER_SIZE));
        queryInterface(new GUID(BitsGuids.IID_IBackgroundCopyCallback3), new Memory(Native.POINTER_SIZE));
        assertEquals(java.util.Set.of("{659CDEAC-489E-11D9-A9CD-000D56965251}", "{98C97BD2-E32B-4AD8-A528-95FD8B16BD42}"),
                callback.askedInterfaces());
    }

    @Test
    void addRefAndReleaseCount() {
        assertEquals(2, slot(CopyCallback.ADD_REF).invokeInt(new Object[]{callback.pointer()}));
        assertEquals(1, slot(CopyCallback.RELEASE).invokeInt(new Object[]{callback.pointer()}));
    }

    @Test
    void eventSlotsReachTheSinkWithTheirArguments() {
        Pointer job = new Pointer(0x1000);
        Pointer other = new Pointer(0x2000);
        assertEquals(HResult.S_OK, slot(CopyCallback.JOB_TRANSFERRED).invokeInt(new Object[]{callback.pointer(), job}));
        assertEquals(HResult.S_OK, slot(CopyCallback.JOB_ERROR).invokeInt(new Object[]{callback.pointer(), job, other}));
        assertEquals(HResult.S_OK, slot(CopyCallback.JOB_MODIFICATION).invokeInt(new Object[]{callback.pointer(), job, 0}),
                "a listener's exception is logged, and BITS still gets S_OK");
        assertEquals(HResult.S_OK, slot(CopyCallback.FILE_TRANSFERRED).invokeInt(new Object[]{callback.pointer(), job, other}));
        Memory ranges = new Memory(32);
        ranges.setLong(0, 0);
        ranges.setLong(8, 4096);
        ranges.setLong(16, 1 << 20);
        ranges.setLong(24, -1);
        assertEquals(HResult.S_OK, slot(CopyCallback.FILE_RANGES_TRANSFERRED)
                .invokeInt(new Object[]{callback.pointer(), job, other, 2, ranges}));
        assertEquals(List.of("transferred 4096", "error 4096 8192", "modification 4096", "file 4096 8192",
                "ranges 4096 8192 0+4096 1048576+-1"), events);
    }
}
