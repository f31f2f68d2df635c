package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.jna.Callback;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.Guid.GUID;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.windows.BitsStructures.BITS_JOB_PROPERTY_VALUE;
import org.jbits.windows.FakeComObject.M0;
import org.jbits.windows.FakeComObject.M1;
import org.jbits.windows.FakeComObject.M2;
import org.jbits.windows.FakeComObject.MIPP;
import org.jbits.windows.FakeComObject.MPIPP;
import org.junit.jupiter.api.Test;

/**
 * The interface classes against {@link FakeComObject}s: each method calls its slot, passes {@code this} first,
 * reads what the callee writes into its out-parameters, frees returned strings, and turns failure HRESULTs into
 * BitsExceptions with BITS' names. (The Windows x64 calling convention itself is exercised under Wine.)
 */
class InterfaceCallsTest {

    /** SetProperty's shape with the union by value. */
    public interface SetPropertyFn extends Callback {
        int invoke(Pointer self, int id, BITS_JOB_PROPERTY_VALUE.ByValue value);
    }

    @Test
    void createJobPassesTheNameAndTypeAndReadsIdAndJob() {
        Pointer fakeJob = new Pointer(0xABC0);
        AtomicReference<String> name = new AtomicReference<>();
        AtomicReference<Integer> type = new AtomicReference<>();
        FakeComObject m = new FakeComObject(7, Map.of(IBackgroundCopyManager.CREATE_JOB, (MPIPP) (self, n, t, id, job) -> {
            name.set(n.getWideString(0));
            type.set(t);
            GUID g = new GUID("{11111111-2222-3333-4444-555555555555}");
            id.write(0, g.getPointer().getByteArray(0, 16), 0, 16);
            job.setPointer(0, fakeJob);
            return HResult.S_OK;
        }));
        GUID id = new GUID();
        IBackgroundCopyJob job = new IBackgroundCopyManager(m.pointer()).createJob("nächtlich", 1, id);
        assertEquals("nächtlich", name.get());
        assertEquals(1, type.get());
        assertEquals("{11111111-2222-3333-4444-555555555555}", id.toGuidString());
        assertEquals(Pointer.nativeValue(fakeJob), Pointer.nativeValue(job.getPointer()));
    }

    @Test
    void failuresBecomeBitsExceptionsWithTheirNames() {
        FakeComObject j = new FakeComObject(35, Map.of(IBackgroundCopyJob.RESUME, (M0) self -> HResult.BG_E_EMPTY));
        BitsException e = assertThrows(BitsException.class, () -> new IBackgroundCopyJob(j.pointer()).resume());
        assertEquals(HResult.BG_E_EMPTY, e.hresult());
        assertEquals("BG_E_EMPTY (0x80200003): IBackgroundCopyJob::Resume failed", e.getMessage());
    }

    @Test
    void aStubbedMethodSurfacesAsE_NOTIMPL() {
        FakeComObject j = new FakeComObject(35, Map.of());
        BitsException e = assertThrows(BitsException.class, () -> new IBackgroundCopyJob(j.pointer()).getTimes());
        assertEquals(HResult.E_NOTIMPL, e.hresult());
        assertEquals(List.of(IBackgroundCopyJob.GET_TIMES), j.calls);
    }

    @Test
    void successCodesComeBack() {
        FakeComObject j = new FakeComObject(35, Map.of(IBackgroundCopyJob.COMPLETE, (M0) self -> HResult.BG_S_PARTIAL_COMPLETE));
        assertEquals(HResult.BG_S_PARTIAL_COMPLETE, new IBackgroundCopyJob(j.pointer()).complete());
    }

    @Test
    void progressIsReadFromTheStructureTheCalleeFills() {
        FakeComObject j = new FakeComObject(35, Map.of(IBackgroundCopyJob.GET_PROGRESS, (M1) (self, p) -> {
            p.setLong(0, -1L);
            p.setLong(8, 1234L);
            p.setInt(16, 2);
            p.setInt(20, 1);
            return HResult.S_OK;
        }));
        var p = new IBackgroundCopyJob(j.pointer()).getProgress();
        assertEquals(-1L, p.BytesTotal, "BG_SIZE_UNKNOWN");
        assertEquals(1234L, p.BytesTransferred);
        assertEquals(2, p.FilesTotal);
        assertEquals(1, p.FilesTransferred);
    }

    @Test
    void returnedStringsAreReadAndFreed() {
        FakeComObject j = new FakeComObject(35, Map.of(IBackgroundCopyJob.GET_DISPLAY_NAME, (M1) (self, out) -> {
            out.setPointer(0, FakeComObject.taskString("Abgleich ✓"));
            return HResult.S_OK;
        }));
        assertEquals("Abgleich ✓", new IBackgroundCopyJob(j.pointer()).getDisplayName());
    }

    @Test
    void proxySettingsReadTheUsageAndBothLists() {
        FakeComObject k = new FakeComObject(35, Map.of(IBackgroundCopyJob.GET_PROXY_SETTINGS,
                (ProxyFn) (self, usage, list, bypass) -> {
                    usage.setInt(0, 2);
                    list.setPointer(0, FakeComObject.taskString("http://p:8080 https=q:8443"));
                    bypass.setPointer(0, Pointer.NULL);
                    return HResult.S_OK;
                }));
        var p = new IBackgroundCopyJob(k.pointer()).getProxySettings();
        assertEquals(2, p.usage());
        assertEquals(List.of("http://p:8080", "https=q:8443"), NativeJob.split(p.proxyList()));
        assertNull(p.bypassList());
        assertEquals(List.of(), NativeJob.split(p.bypassList()));
    }

    /** GetProxySettings' shape. */
    public interface ProxyFn extends Callback {
        int invoke(Pointer self, Pointer usage, Pointer list, Pointer bypass);
    }

    @Test
    void noErrorInformationMeansNoError() {
        FakeComObject j = new FakeComObject(35, Map.of(IBackgroundCopyJob.GET_ERROR,
                (M1) (self, out) -> HResult.BG_E_ERROR_INFORMATION_UNAVAILABLE));
        assertNull(new IBackgroundCopyJob(j.pointer()).getError());
    }

    @Test
    void setPropertyReceivesTheUnionByValue() {
        AtomicReference<long[]> seen = new AtomicReference<>();
        FakeComObject j = new FakeComObject(55, Map.of(IBackgroundCopyJob5.SET_PROPERTY, (SetPropertyFn) (self, id, v) -> {
            seen.set(new long[]{id, v.getPointer().getInt(0) & 0xFFFFFFFFL, v.getPointer().getLong(8)});
            return HResult.S_OK;
        }));
        new IBackgroundCopyJob5(j.pointer()).setProperty(BitsStructures.BITS_JOB_PROPERTY_ID_COST_FLAGS,
                BITS_JOB_PROPERTY_VALUE.ofDword(0x80000067));
        assertEquals(1L, seen.get()[0], "property id");
        assertEquals(0x80000067L, seen.get()[1], "the DWORD member");
        assertEquals(0L, seen.get()[2], "the rest of the 16 bytes is zero");
    }

    @Test
    void getPropertyReadsTheDwordMember() {
        FakeComObject j = new FakeComObject(55, Map.of(IBackgroundCopyJob5.GET_PROPERTY, (FakeComObject.MIP) (self, id, v) -> {
            v.setInt(0, id == 1 ? 0x8000007F : 0);
            return HResult.S_OK;
        }));
        assertEquals(0x8000007F, new IBackgroundCopyJob5(j.pointer()).getDwordProperty(1));
    }

    @Test
    void enumerationStopsAtS_FALSE() {
        int[] left = {2};
        FakeComObject e = new FakeComObject(8, Map.of(IEnumBackgroundCopyJobs.NEXT, (MIPP) (self, celt, out, fetched) -> {
            if (left[0] == 0) {
                fetched.setInt(0, 0);
                return HResult.S_FALSE;
            }
            out.setPointer(0, new Pointer(0x5000L + left[0]--));
            fetched.setInt(0, 1);
            return HResult.S_OK;
        }));
        var jobs = new IEnumBackgroundCopyJobs(e.pointer()).all();
        assertEquals(2, jobs.size());
        assertEquals(0x5002L, Pointer.nativeValue(jobs.get(0).getPointer()));
    }

    @Test
    void fileEnumeratorHandsOutFilesAndClonesIntoAFileEnumerator() {
        FakeComObject e = new FakeComObject(8, Map.of(
                IEnumBackgroundCopyFiles.NEXT, (MIPP) (self, celt, out, fetched) -> {
                    out.setPointer(0, new Pointer(0x7100L));
                    fetched.setInt(0, 1);
                    return HResult.S_OK;
                },
                IEnumBackgroundCopyFiles.CLONE, (M1) (self, out) -> {
                    out.setPointer(0, new Pointer(0x7200L));
                    return HResult.S_OK;
                },
                IEnumBackgroundCopyFiles.GET_COUNT, (M1) (self, out) -> {
                    out.setInt(0, 3);
                    return HResult.S_OK;
                }));
        IEnumBackgroundCopyFiles files = new IEnumBackgroundCopyFiles(e.pointer());
        IBackgroundCopyFile file = files.next();
        assertEquals("IBackgroundCopyFile", file.interfaceName());
        assertEquals(0x7100L, Pointer.nativeValue(file.getPointer()));
        IEnumBackgroundCopyFiles clone = files.cloneEnumerator();
        assertEquals("IEnumBackgroundCopyFiles", clone.interfaceName());
        assertEquals(0x7200L, Pointer.nativeValue(clone.getPointer()));
        assertEquals(3, files.getCount());
        assertEquals(List.of(), e.calls, "every call reached the slot of its method");
    }

    /** A BG_FILE_INFO placed in memory the test owns. */
    static final class PlacedFileInfo extends BitsStructures.BG_FILE_INFO {
        PlacedFileInfo(Pointer p, String remote, String local) {
            useMemory(p);
            RemoteName = new WString(remote);
            LocalName = new WString(local);
        }
    }

    @Test
    void addFileSetPassesTheStructuresBackToBackWhereverTheyWereMade() {
        int stride = new BitsStructures.BG_FILE_INFO().size();
        List<String> seen = new ArrayList<>();
        FakeComObject j = new FakeComObject(35, Map.of(IBackgroundCopyJob.ADD_FILE_SET, (FakeComObject.MIP) (self, n, set) -> {
            for (int i = 0; i < n; i++) {
                Pointer remote = set.getPointer((long) i * stride);
                Pointer local = set.getPointer((long) i * stride + Native.POINTER_SIZE);
                seen.add((remote == null ? null : remote.getWideString(0)) + " -> " + (local == null ? null : local.getWideString(0)));
            }
            return HResult.S_OK;
        }));
        // The first structure sits in a block whose next 16 bytes are zero: BITS reading the second one from right
        // after the first (AddFileSet's contract) must find it there, not whatever follows the first's memory.
        Memory block = new Memory(4L * stride);
        block.clear();
        BitsStructures.BG_FILE_INFO[] files = {
            new PlacedFileInfo(block, "http://h/a", "C:\\a"), new PlacedFileInfo(new Memory(stride), "http://h/b", "C:\\b"),
        };
        new IBackgroundCopyJob(j.pointer()).addFileSet(files);
        assertEquals(List.of("http://h/a -> C:\\a", "http://h/b -> C:\\b"), seen);
    }

    @Test
    void setCredentialsPassesTargetSchemeAndTheBasicPair() {
        List<Object> seen = new ArrayList<>();
        FakeComObject j = new FakeComObject(43, Map.of(IBackgroundCopyJob2.SET_CREDENTIALS, (M1) (self, c) -> {
            seen.add(c.getInt(0));
            seen.add(c.getInt(4));
            seen.add(c.getPointer(8).getWideString(0));
            seen.add(c.getPointer(8 + Native.POINTER_SIZE).getWideString(0));
            return HResult.S_OK;
        }));
        BitsStructures.BG_AUTH_CREDENTIALS c = new BitsStructures.BG_AUTH_CREDENTIALS();
        c.Target = BitsStructures.BG_AUTH_TARGET_PROXY;
        c.Scheme = BitsStructures.BG_AUTH_SCHEME_NTLM;
        c.Basic.UserName = new WString("user");
        c.Basic.Password = new WString("pässword");
        new IBackgroundCopyJob2(j.pointer()).setCredentials(c);
        assertEquals(List.of(2, 3, "user", "pässword"), seen);
    }

    @Test
    void replyDataIsReadToItsLengthAndFreedAndNoReplyIsEmpty() {
        byte[] reply = "the server's answer".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        boolean[] none = {false};
        FakeComObject j = new FakeComObject(43, Map.of(IBackgroundCopyJob2.GET_REPLY_DATA, (M2) (self, buf, len) -> {
            if (none[0]) {
                buf.setPointer(0, Pointer.NULL);
                len.setLong(0, 0);
                return HResult.S_OK;
            }
            Pointer p = new Pointer(Native.malloc(reply.length));
            p.write(0, reply, 0, reply.length);
            buf.setPointer(0, p);
            len.setLong(0, reply.length);
            return HResult.S_OK;
        }));
        IBackgroundCopyJob2 job2 = new IBackgroundCopyJob2(j.pointer());
        org.junit.jupiter.api.Assertions.assertArrayEquals(reply, job2.getReplyData());
        none[0] = true;
        assertEquals(0, job2.getReplyData().length);
    }

    @Test
    void replyDataTooLargeNamesTheSizeBitsReports() {
        FakeComObject j = new FakeComObject(43, Map.of(IBackgroundCopyJob2.GET_REPLY_DATA, (M2) (self, buf, len) -> {
            buf.setPointer(0, Pointer.NULL);
            len.setLong(0, 5_000_000L);
            return HResult.BG_E_TOO_LARGE;
        }));
        BitsException e = assertThrows(BitsException.class, () -> new IBackgroundCopyJob2(j.pointer()).getReplyData());
        assertEquals(HResult.BG_E_TOO_LARGE, e.hresult());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("5000000 bytes"), e.getMessage());
    }

    @Test
    void replyProgressAndReplyFileNameCallTheirSlots() {
        List<String> names = new ArrayList<>();
        FakeComObject j = new FakeComObject(43, Map.of(
                IBackgroundCopyJob2.GET_REPLY_PROGRESS, (M1) (self, p) -> {
                    p.setLong(0, -1L);
                    p.setLong(8, 0L);
                    return HResult.S_OK;
                },
                IBackgroundCopyJob2.SET_REPLY_FILE_NAME, (M1) (self, name) -> {
                    names.add(name == null ? null : name.getWideString(0));
                    return HResult.S_OK;
                },
                IBackgroundCopyJob2.GET_REPLY_FILE_NAME, (M1) (self, out) -> {
                    out.setPointer(0, FakeComObject.taskString("C:\\replies\\a.txt"));
                    return HResult.S_OK;
                }));
        IBackgroundCopyJob2 job2 = new IBackgroundCopyJob2(j.pointer());
        BitsStructures.BG_JOB_REPLY_PROGRESS p = job2.getReplyProgress();
        assertEquals(-1L, p.BytesTotal);
        assertEquals(0L, p.BytesTransferred);
        job2.setReplyFileName("C:\\r\\ä.txt");
        job2.setReplyFileName(null);
        assertEquals(java.util.Arrays.asList("C:\\r\\ä.txt", null), names);
        assertEquals("C:\\replies\\a.txt", job2.getReplyFileName());
    }

    @Test
    void notifyInterfaceIsNullWhenNoneIsSet() {
        Pointer object = new Pointer(0x7000);
        boolean[] set = {false};
        FakeComObject j = new FakeComObject(35, Map.of(IBackgroundCopyJob.GET_NOTIFY_INTERFACE, (M1) (self, out) -> {
            out.setPointer(0, set[0] ? object : Pointer.NULL);
            return HResult.S_OK;
        }));
        IBackgroundCopyJob job = new IBackgroundCopyJob(j.pointer());
        assertNull(job.getNotifyInterface());
        set[0] = true;
        assertEquals(0x7000L, Pointer.nativeValue(job.getNotifyInterface().getPointer()));
    }

    @Test
    void lastResultKeepsTheSuccessCodeAndTheFailureAMethodMapsToNull() {
        FakeComObject h = new FakeComObject(15, Map.of(IBackgroundCopyJobHttpOptions.GET_CUSTOM_HEADERS, (M1) (self, out) -> {
            out.setPointer(0, Pointer.NULL);
            return HResult.S_FALSE;
        }));
        IBackgroundCopyJobHttpOptions options = new IBackgroundCopyJobHttpOptions(h.pointer());
        assertEquals(0, options.lastResult(), "no call yet");
        assertNull(options.getCustomHeaders());
        assertEquals(HResult.S_FALSE, options.lastResult());
        FakeComObject j = new FakeComObject(35, Map.of(IBackgroundCopyJob.GET_ERROR,
                (M1) (self, out) -> HResult.BG_E_ERROR_INFORMATION_UNAVAILABLE));
        IBackgroundCopyJob job = new IBackgroundCopyJob(j.pointer());
        assertNull(job.getError());
        assertEquals(HResult.BG_E_ERROR_INFORMATION_UNAVAILABLE, job.lastResult());
    }

    @Test
    void jobEnumeratorSkipsResetsAndClones() {
        Pointer clone = new Pointer(0x6000);
        FakeComObject e = new FakeComObject(8, Map.of(
                IEnumBackgroundCopyJobs.SKIP, (FakeComObject.MIP) (self, n, unused) -> n > 1 ? HResult.S_FALSE : HResult.S_OK,
                IEnumBackgroundCopyJobs.CLONE, (M1) (self, out) -> {
                    out.setPointer(0, clone);
                    return HResult.S_OK;
                }));
        IEnumBackgroundCopyJobs jobs = new IEnumBackgroundCopyJobs(e.pointer());
        assertEquals(HResult.S_OK, jobs.skip(1));
        assertEquals(HResult.S_FALSE, jobs.skip(5));
        assertEquals(0x6000L, Pointer.nativeValue(jobs.cloneEnumerator().getPointer()));
        BitsException notImplemented = assertThrows(BitsException.class, jobs::reset);
        assertEquals(HResult.E_NOTIMPL, notImplemented.hresult());
        assertEquals(List.of(IEnumBackgroundCopyJobs.RESET), e.calls, "the fake records the slots it has no method for");
    }

    @Test
    void queryInterfaceGivesNullOnE_NOINTERFACE() {
        FakeComObject j = new FakeComObject(35, Map.of(0, (M2) (self, iid, out) -> {
            out.setPointer(0, Pointer.NULL);
            return HResult.E_NOINTERFACE;
        }));
        assertNull(new IBackgroundCopyJob(j.pointer()).queryJob5());
    }
}
