package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.windows.BitsStructures.BG_AUTH_CREDENTIALS;
import org.jbits.windows.BitsStructures.BG_JOB_REPLY_PROGRESS;

/** {@code IBackgroundCopyJob2 : IBackgroundCopyJob} (IID 54b50739-686f-45eb-9dff-d6a9a0faa9af; slots 35-42). */
class IBackgroundCopyJob2 extends IBackgroundCopyJob {
    static final int SET_NOTIFY_CMD_LINE = 35;
    static final int GET_NOTIFY_CMD_LINE = 36;
    static final int GET_REPLY_PROGRESS = 37;
    static final int GET_REPLY_DATA = 38;
    static final int SET_REPLY_FILE_NAME = 39;
    static final int GET_REPLY_FILE_NAME = 40;
    static final int SET_CREDENTIALS = 41;
    static final int REMOVE_CREDENTIALS = 42;

    IBackgroundCopyJob2(Pointer p) {
        this(p, "IBackgroundCopyJob2");
    }

    IBackgroundCopyJob2(Pointer p, String name) {
        super(p, name);
    }

    /** 35 SetNotifyCmdLine(LPCWSTR Program, LPCWSTR Parameters). */
    void setNotifyCmdLine(String program, String parameters) {
        call(SET_NOTIFY_CMD_LINE, "SetNotifyCmdLine", wide(program), wide(parameters));
    }

    /** 36 GetNotifyCmdLine(LPWSTR *pProgram, LPWSTR *pParameters): {program, parameters}, either may be null. */
    String[] getNotifyCmdLine() {
        PointerByReference program = new PointerByReference();
        PointerByReference params = new PointerByReference();
        call(GET_NOTIFY_CMD_LINE, "GetNotifyCmdLine", program, params);
        return new String[]{TaskMemory.takeString(program.getValue()), TaskMemory.takeString(params.getValue())};
    }

    /** 37 GetReplyProgress(BG_JOB_REPLY_PROGRESS *pProgress). */
    BG_JOB_REPLY_PROGRESS getReplyProgress() {
        BG_JOB_REPLY_PROGRESS p = new BG_JOB_REPLY_PROGRESS();
        call(GET_REPLY_PROGRESS, "GetReplyProgress", p.getPointer());
        p.read();
        return p;
    }

    /**
     * 38 GetReplyData(byte **ppBuffer, UINT64 *pLength): the reply's bytes (CoTaskMemFree'd here), empty when the
     * server gave none (NULL); BG_E_TOO_LARGE beyond 1 MB, with the size BITS reports in the message.
     */
    byte[] getReplyData() {
        PointerByReference buffer = new PointerByReference();
        LongByReference length = new LongByReference();
        int hr = invoke(GET_REPLY_DATA, buffer, length);
        if (hr == HResult.BG_E_TOO_LARGE) {
            TaskMemory.free(buffer.getValue());
            throw new BitsException(hr, interfaceName() + "::GetReplyData: the reply is " + length.getValue()
                    + " bytes; BITS returns at most 1 MB in memory: read the reply file after Complete");
        }
        try {
            HResults.check(hr, interfaceName() + "::GetReplyData");
            Pointer p = buffer.getValue();
            return p == null ? new byte[0] : p.getByteArray(0, (int) length.getValue());
        } finally {
            TaskMemory.free(buffer.getValue());
        }
    }

    /** 39 SetReplyFileName(LPCWSTR ReplyFileName): NULL lets BITS choose. */
    void setReplyFileName(String name) {
        call(SET_REPLY_FILE_NAME, "SetReplyFileName", wide(name));
    }

    /** 40 GetReplyFileName(LPWSTR *pReplyFileName). */
    String getReplyFileName() {
        return callString(GET_REPLY_FILE_NAME, "GetReplyFileName");
    }

    /** 41 SetCredentials(BG_AUTH_CREDENTIALS *Credentials). */
    void setCredentials(BG_AUTH_CREDENTIALS credentials) {
        credentials.write();
        call(SET_CREDENTIALS, "SetCredentials", credentials.getPointer());
    }

    /** 42 RemoveCredentials(BG_AUTH_TARGET Target, BG_AUTH_SCHEME Scheme). */
    void removeCredentials(int target, int scheme) {
        call(REMOVE_CREDENTIALS, "RemoveCredentials", target, scheme);
    }
}
