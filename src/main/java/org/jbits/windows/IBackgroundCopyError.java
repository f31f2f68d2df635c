package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/** {@code IBackgroundCopyError} (IID 19c613a0-fcb8-4f28-81ae-897c3d078f81; slots 3-7). */
final class IBackgroundCopyError extends ComObject {
    static final int GET_ERROR = 3;
    static final int GET_FILE = 4;
    static final int GET_ERROR_DESCRIPTION = 5;
    static final int GET_ERROR_CONTEXT_DESCRIPTION = 6;
    static final int GET_PROTOCOL = 7;

    IBackgroundCopyError(Pointer p) {
        super(p, "IBackgroundCopyError");
    }

    /** What GetError returns: the BG_ERROR_CONTEXT and the HRESULT of the failure. */
    record Code(int context, int hresult) {
    }

    /** 3 GetError(BG_ERROR_CONTEXT *pContext, HRESULT *pCode). */
    Code getError() {
        IntByReference context = new IntByReference();
        IntByReference code = new IntByReference();
        call(GET_ERROR, "GetError", context, code);
        return new Code(context.getValue(), code.getValue());
    }

    /** 4 GetFile(IBackgroundCopyFile **pVal): null when the error is not about a file (BG_E_FILE_NOT_AVAILABLE). */
    IBackgroundCopyFile getFile() {
        PointerByReference f = new PointerByReference();
        int hr = invoke(GET_FILE, f);
        if (hr == org.jbits.HResult.BG_E_FILE_NOT_AVAILABLE) {
            return null;
        }
        HResults.check(hr, "IBackgroundCopyError::GetFile");
        return f.getValue() == null ? null : new IBackgroundCopyFile(f.getValue());
    }

    /** 5 GetErrorDescription(DWORD LanguageId, LPWSTR *pErrorDescription). */
    String getErrorDescription(int languageId) {
        return callString(GET_ERROR_DESCRIPTION, "GetErrorDescription", languageId);
    }

    /** 6 GetErrorContextDescription(DWORD LanguageId, LPWSTR *pContextDescription). */
    String getErrorContextDescription(int languageId) {
        return callString(GET_ERROR_CONTEXT_DESCRIPTION, "GetErrorContextDescription", languageId);
    }

    /** 7 GetProtocol(LPWSTR *pProtocol). */
    String getProtocol() {
        return callString(GET_PROTOCOL, "GetProtocol");
    }
}
