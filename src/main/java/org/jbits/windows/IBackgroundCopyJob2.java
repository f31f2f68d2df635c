package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import org.jbits.windows.BitsStructures.BG_AUTH_CREDENTIALS;

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
