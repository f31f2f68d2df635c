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
        super(p, "IBackgroundCopyJobHttpOptions");
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
