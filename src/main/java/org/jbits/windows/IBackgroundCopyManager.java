package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.ptr.PointerByReference;

/** {@code IBackgroundCopyManager} (IID 5ce34c0d-0dc9-4c1f-897c-daa1b78cee7c; reference §2.2). */
final class IBackgroundCopyManager extends ComObject {
    static final int CREATE_JOB = 3;
    static final int GET_JOB = 4;
    static final int ENUM_JOBS = 5;
    static final int GET_ERROR_DESCRIPTION = 6;

    /** {@code BG_JOB_ENUM_ALL_USERS}: needs administrator rights. */
    static final int BG_JOB_ENUM_ALL_USERS = 1;

    IBackgroundCopyManager(Pointer p) {
        super(p, "IBackgroundCopyManager");
    }

    /** 3 CreateJob(LPCWSTR DisplayName, BG_JOB_TYPE Type, GUID *pJobId, IBackgroundCopyJob **ppJob). */
    IBackgroundCopyJob createJob(String displayName, int type, GUID idOut) {
        PointerByReference job = new PointerByReference();
        call(CREATE_JOB, "CreateJob", wide(displayName), type, idOut.getPointer(), job);
        idOut.read();
        return new IBackgroundCopyJob(job.getValue());
    }

    /** 4 GetJob(REFGUID jobID, IBackgroundCopyJob **ppJob). */
    IBackgroundCopyJob getJob(GUID id) {
        PointerByReference job = new PointerByReference();
        id.write();
        call(GET_JOB, "GetJob", id.getPointer(), job);
        return new IBackgroundCopyJob(job.getValue());
    }

    /** 5 EnumJobs(DWORD dwFlags, IEnumBackgroundCopyJobs **ppEnum). */
    IEnumBackgroundCopyJobs enumJobs(int flags) {
        PointerByReference e = new PointerByReference();
        call(ENUM_JOBS, "EnumJobs", flags, e);
        return new IEnumBackgroundCopyJobs(e.getValue());
    }

    /** 6 GetErrorDescription(HRESULT hResult, DWORD LanguageId, LPWSTR *pErrorDescription). */
    String getErrorDescription(int hresult, int languageId) {
        return callString(GET_ERROR_DESCRIPTION, "GetErrorDescription", hresult, languageId);
    }
}
