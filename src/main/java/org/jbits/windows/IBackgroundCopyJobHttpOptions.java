package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * {@code IBackgroundCopyJobHttpOptions} (IID f1bd1079-9f01-4bdc-8036-f09b70095066; slots 3-10); HttpOptions2 adds
 * 11 SetHttpMethod, 12 GetHttpMethod, HttpOptions3 13 SetServerCertificateValidationInterface, 14
 * MakeCustomHeadersWriteOnly (reference §2.2).
 */
final class IBackgroundCopyJobHttpOptions extends ComObject {
    static final int SET_CLIENT_CERTIFICATE_BY_ID = 3;
    static final int SET_CLIENT_CERTIFICATE_BY_NAME = 4;
    static final int REMOVE_CLIENT_CERTIFICATE = 5;
    static final int GET_CLIENT_CERTIFICATE = 6;
    static final int SET_CUSTOM_HEADERS = 7;
    static final int GET_CUSTOM_HEADERS = 8;
    static final int SET_SECURITY_FLAGS = 9;
    static final int GET_SECURITY_FLAGS = 10;
    static final int SET_HTTP_METHOD = 11;
    static final int GET_HTTP_METHOD = 12;
    static final int SET_SERVER_CERTIFICATE_VALIDATION_INTERFACE = 13;
    static final int MAKE_CUSTOM_HEADERS_WRITE_ONLY = 14;

    IBackgroundCopyJobHttpOptions(Pointer p) {
        this(p, "IBackgroundCopyJobHttpOptions");
    }

    /** The same vtable reached through HttpOptions2 or HttpOptions3, which only add slots. */
    IBackgroundCopyJobHttpOptions(Pointer p, String name) {
        super(p, name);
    }

    /**
     * 4 SetClientCertificateByName(BG_CERT_STORE_LOCATION StoreLocation, LPCWSTR StoreName, LPCWSTR SubjectName).
     */
    void setClientCertificateByName(int location, String storeName, String subjectName) {
        call(SET_CLIENT_CERTIFICATE_BY_NAME, "SetClientCertificateByName", location, wide(storeName), wide(subjectName));
    }

    /** 5 RemoveClientCertificate(). */
    void removeClientCertificate() {
        call(REMOVE_CLIENT_CERTIFICATE, "RemoveClientCertificate");
    }

    /**
     * 6 GetClientCertificate(BG_CERT_STORE_LOCATION *pStoreLocation, LPWSTR *pStoreName, BYTE **ppCertHashBlob,
     * LPWSTR *pSubjectName): the subject name, or null when BITS gives none; every returned block is freed.
     */
    String getClientCertificateSubject() {
        com.sun.jna.ptr.IntByReference location = new com.sun.jna.ptr.IntByReference();
        PointerByReference store = new PointerByReference();
        PointerByReference hash = new PointerByReference();
        PointerByReference subject = new PointerByReference();
        try {
            call(GET_CLIENT_CERTIFICATE, "GetClientCertificate", location, store, hash, subject);
            return TaskMemory.takeString(subject.getValue());
        } finally {
            TaskMemory.takeString(store.getValue());
            TaskMemory.free(hash.getValue());
        }
    }

    /** 14 MakeCustomHeadersWriteOnly() (HttpOptions3, BITS 10.3): call it on the HttpOptions3 pointer. */
    void makeCustomHeadersWriteOnly() {
        call(MAKE_CUSTOM_HEADERS_WRITE_ONLY, "MakeCustomHeadersWriteOnly");
    }

    /** 7 SetCustomHeaders(LPCWSTR RequestHeaders): CRLF-terminated lines, or null to remove them. */
    void setCustomHeaders(String headers) {
        call(SET_CUSTOM_HEADERS, "SetCustomHeaders", wide(headers));
    }

    /** 8 GetCustomHeaders(LPWSTR *pRequestHeaders): null when there are none (S_FALSE). */
    String getCustomHeaders() {
        PointerByReference out = new PointerByReference();
        int hr = call(GET_CUSTOM_HEADERS, "GetCustomHeaders", out);
        String s = TaskMemory.takeString(out.getValue());
        return hr == 1 ? null : s;
    }

    /** 9 SetSecurityFlags(ULONG Flags). */
    void setSecurityFlags(int flags) {
        call(SET_SECURITY_FLAGS, "SetSecurityFlags", flags);
    }

    /** 10 GetSecurityFlags(ULONG *pFlags). */
    int getSecurityFlags() {
        com.sun.jna.ptr.IntByReference v = new com.sun.jna.ptr.IntByReference();
        call(GET_SECURITY_FLAGS, "GetSecurityFlags", v);
        return v.getValue();
    }
}
