package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jbits.HResult;
import org.jbits.windows.FakeComObject.M0;
import org.jbits.windows.FakeComObject.M1;
import org.jbits.windows.FakeComObject.MIPP;
import org.junit.jupiter.api.Test;

/**
 * The native backend's HTTP-option calls against {@link FakeComObject}s: SetClientCertificateByName passes the
 * location and both names, GetClientCertificate reads the subject and frees the store name and hash, Remove and
 * MakeCustomHeadersWriteOnly call their slots (4, 5, 6, 14 of reference §2.2), and the custom headers and security
 * flags go through slots 7 to 10.
 */
class HttpOptionsCallsTest {
    /** GetClientCertificate's shape: four out-parameters. */
    public interface M4 extends Callback {
        int invoke(Pointer self, Pointer a, Pointer b, Pointer c, Pointer d);
    }

    /** SetSecurityFlags' shape. */
    public interface MI extends Callback {
        int invoke(Pointer self, int a);
    }

    @Test
    void setClientCertificateByNamePassesTheLocationAndTheNames() {
        List<Object> seen = new ArrayList<>();
        FakeComObject h = new FakeComObject(15, Map.of(IBackgroundCopyJobHttpOptions.SET_CLIENT_CERTIFICATE_BY_NAME,
                (MIPP) (self, location, store, subject) -> {
                    seen.add(location);
                    seen.add(store.getWideString(0));
                    seen.add(subject.getWideString(0));
                    return HResult.S_OK;
                }));
        new IBackgroundCopyJobHttpOptions(h.pointer()).setClientCertificateByName(1, "MY", "CN=jbits client");
        assertEquals(List.of(1, "MY", "CN=jbits client"), seen);
    }

    @Test
    void getClientCertificateReadsTheSubjectAndNullWhenBitsGivesNone() {
        boolean[] set = {true};
        FakeComObject h = new FakeComObject(15, Map.of(IBackgroundCopyJobHttpOptions.GET_CLIENT_CERTIFICATE,
                (M4) (self, location, store, hash, subject) -> {
                    location.setInt(0, 1);
                    store.setPointer(0, set[0] ? FakeComObject.taskString("MY") : Pointer.NULL);
                    hash.setPointer(0, set[0] ? new Pointer(Native.malloc(20)) : Pointer.NULL);
                    subject.setPointer(0, set[0] ? FakeComObject.taskString("CN=jbits client") : Pointer.NULL);
                    return HResult.S_OK;
                }));
        IBackgroundCopyJobHttpOptions options = new IBackgroundCopyJobHttpOptions(h.pointer());
        assertEquals("CN=jbits client", options.getClientCertificateSubject());
        set[0] = false;
        assertNull(options.getClientCertificateSubject());
    }

    @Test
    void removeAndWriteOnlyCallTheirSlotsAndFailuresKeepTheirCodes() {
        List<String> called = new ArrayList<>();
        FakeComObject h = new FakeComObject(15, Map.of(
                IBackgroundCopyJobHttpOptions.REMOVE_CLIENT_CERTIFICATE, (M0) self -> {
                    called.add("remove");
                    return HResult.S_OK;
                },
                IBackgroundCopyJobHttpOptions.MAKE_CUSTOM_HEADERS_WRITE_ONLY, (M0) self -> {
                    called.add("write-only");
                    return HResult.S_OK;
                }));
        IBackgroundCopyJobHttpOptions options = new IBackgroundCopyJobHttpOptions(h.pointer(), "IBackgroundCopyJobHttpOptions3");
        options.removeClientCertificate();
        options.makeCustomHeadersWriteOnly();
        assertEquals(List.of("remove", "write-only"), called);
        assertEquals(List.of(), h.calls, "no other slot");
        FakeComObject denied = new FakeComObject(15, Map.of(IBackgroundCopyJobHttpOptions.GET_CUSTOM_HEADERS,
                (M1) (self, out) -> HResult.E_ACCESSDENIED));
        org.jbits.BitsException e = org.junit.jupiter.api.Assertions.assertThrows(org.jbits.BitsException.class,
                () -> new IBackgroundCopyJobHttpOptions(denied.pointer()).getCustomHeaders());
        assertEquals(HResult.E_ACCESSDENIED, e.hresult(), "write-only headers read back");
    }

    @Test
    void headersAndSecurityFlagsGoThroughSlotsSevenToTen() {
        String[] headers = {null};
        int[] flags = {0};
        FakeComObject h = new FakeComObject(15, Map.of(
                IBackgroundCopyJobHttpOptions.SET_CUSTOM_HEADERS, (M1) (self, p) -> {
                    headers[0] = p == null ? null : p.getWideString(0);
                    return HResult.S_OK;
                },
                IBackgroundCopyJobHttpOptions.GET_CUSTOM_HEADERS, (M1) (self, out) -> {
                    out.setPointer(0, headers[0] == null ? Pointer.NULL : FakeComObject.taskString(headers[0]));
                    return headers[0] == null ? HResult.S_FALSE : HResult.S_OK;
                },
                IBackgroundCopyJobHttpOptions.SET_SECURITY_FLAGS, (MI) (self, f) -> {
                    flags[0] = f;
                    return HResult.S_OK;
                },
                IBackgroundCopyJobHttpOptions.GET_SECURITY_FLAGS, (M1) (self, out) -> {
                    out.setInt(0, flags[0]);
                    return HResult.S_OK;
                }));
        IBackgroundCopyJobHttpOptions options = new IBackgroundCopyJobHttpOptions(h.pointer());
        options.setCustomHeaders("X-A: 1\r\n");
        assertEquals("X-A: 1\r\n", options.getCustomHeaders());
        options.setCustomHeaders(null);
        assertNull(options.getCustomHeaders());
        options.setSecurityFlags(0x808);
        assertEquals(0x808, options.getSecurityFlags());
    }
}
