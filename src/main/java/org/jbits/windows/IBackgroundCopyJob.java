package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import org.jbits.windows.BitsStructures.BG_FILE_INFO;
import org.jbits.windows.BitsStructures.BG_JOB_PROGRESS;
import org.jbits.windows.BitsStructures.BG_JOB_TIMES;

/**
 * {@code IBackgroundCopyJob} (IID 37668d37-507e-4160-9316-26306d150b12; reference §2.2, slots 3-34). The later
 * versions extend it and are reached through QueryInterface ({@link #queryJob2()} ...).
 */
class IBackgroundCopyJob extends ComObject {
    static final int ADD_FILE_SET = 3;
    static final int ADD_FILE = 4;
    static final int ENUM_FILES = 5;
    static final int SUSPEND = 6;
    static final int RESUME = 7;
    static final int CANCEL = 8;
    static final int COMPLETE = 9;
    static final int GET_ID = 10;
    static final int GET_TYPE = 11;
    static final int GET_PROGRESS = 12;
    static final int GET_TIMES = 13;
    static final int GET_STATE = 14;
    static final int GET_ERROR = 15;
    static final int GET_OWNER = 16;
    static final int SET_DISPLAY_NAME = 17;
    static final int GET_DISPLAY_NAME = 18;
    static final int SET_DESCRIPTION = 19;
    static final int GET_DESCRIPTION = 20;
    static final int SET_PRIORITY = 21;
    static final int GET_PRIORITY = 22;
    static final int SET_NOTIFY_FLAGS = 23;
    static final int GET_NOTIFY_FLAGS = 24;
    static final int SET_NOTIFY_INTERFACE = 25;
    static final int GET_NOTIFY_INTERFACE = 26;
    static final int SET_MINIMUM_RETRY_DELAY = 27;
    static final int GET_MINIMUM_RETRY_DELAY = 28;
    static final int SET_NO_PROGRESS_TIMEOUT = 29;
    static final int GET_NO_PROGRESS_TIMEOUT = 30;
    static final int GET_ERROR_COUNT = 31;
    static final int SET_PROXY_SETTINGS = 32;
    static final int GET_PROXY_SETTINGS = 33;
    static final int TAKE_OWNERSHIP = 34;

    IBackgroundCopyJob(Pointer p) {
        this(p, "IBackgroundCopyJob");
    }

    IBackgroundCopyJob(Pointer p, String name) {
        super(p, name);
    }

    /**
     * 3 AddFileSet(ULONG cFileCount, BG_FILE_INFO *pFileSet). BITS reads {@code cFileCount} structures back to back
     * from {@code pFileSet}, so the names are copied into one contiguous block
     * ({@link com.sun.jna.Structure#toArray(int)}): separately made structures each have their own memory, and
     * passing the first one's pointer made BITS read past it (under Wine the call failed with an access violation,
     * 0xC0000005).
     */
    void addFileSet(BG_FILE_INFO[] files) {
        if (files.length == 0) {
            call(ADD_FILE_SET, "AddFileSet", 0, null);
            return;
        }
        BG_FILE_INFO[] block = (BG_FILE_INFO[]) new BG_FILE_INFO().toArray(files.length);
        for (int i = 0; i < files.length; i++) {
            block[i].RemoteName = files[i].RemoteName;
            block[i].LocalName = files[i].LocalName;
            block[i].write();
        }
        call(ADD_FILE_SET, "AddFileSet", files.length, block[0].getPointer());
    }

    /** 4 AddFile(LPCWSTR RemoteUrl, LPCWSTR LocalName). */
    void addFile(String remoteUrl, String localName) {
        call(ADD_FILE, "AddFile", wide(remoteUrl), wide(localName));
    }

    /** 5 EnumFiles(IEnumBackgroundCopyFiles **pEnum). */
    IEnumBackgroundCopyFiles enumFiles() {
        PointerByReference e = new PointerByReference();
        call(ENUM_FILES, "EnumFiles", e);
        return new IEnumBackgroundCopyFiles(e.getValue());
    }

    /** 6 Suspend(). */
    int suspend() {
        return call(SUSPEND, "Suspend");
    }

    /** 7 Resume(). */
    int resume() {
        return call(RESUME, "Resume");
    }

    /** 8 Cancel(): S_OK or BG_S_UNABLE_TO_DELETE_FILES. */
    int cancel() {
        return call(CANCEL, "Cancel");
    }

    /** 9 Complete(): S_OK or BG_S_PARTIAL_COMPLETE. */
    int complete() {
        return call(COMPLETE, "Complete");
    }

    /** 10 GetId(GUID *pVal). */
    GUID getId() {
        GUID id = new GUID();
        call(GET_ID, "GetId", id.getPointer());
        id.read();
        return id;
    }

    /** 11 GetType(BG_JOB_TYPE *pVal). */
    int getType() {
        return getInt(GET_TYPE, "GetType");
    }

    /** 12 GetProgress(BG_JOB_PROGRESS *pVal). */
    BG_JOB_PROGRESS getProgress() {
        BG_JOB_PROGRESS p = new BG_JOB_PROGRESS();
        call(GET_PROGRESS, "GetProgress", p.getPointer());
        p.read();
        return p;
    }

    /** 13 GetTimes(BG_JOB_TIMES *pVal). */
    BG_JOB_TIMES getTimes() {
        BG_JOB_TIMES t = new BG_JOB_TIMES();
        call(GET_TIMES, "GetTimes", t.getPointer());
        t.read();
        return t;
    }

    /** 14 GetState(BG_JOB_STATE *pVal). */
    int getState() {
        return getInt(GET_STATE, "GetState");
    }

    /** 15 GetError(IBackgroundCopyError **ppError): null when BITS has no error (BG_E_ERROR_INFORMATION_UNAVAILABLE). */
    IBackgroundCopyError getError() {
        PointerByReference e = new PointerByReference();
        int hr = invoke(GET_ERROR, e);
        if (hr == org.jbits.HResult.BG_E_ERROR_INFORMATION_UNAVAILABLE) {
            return null;
        }
        HResults.check(hr, interfaceName() + "::GetError");
        return e.getValue() == null ? null : new IBackgroundCopyError(e.getValue());
    }

    /** 16 GetOwner(LPWSTR *pVal): the owner's SID as a string. */
    String getOwner() {
        return callString(GET_OWNER, "GetOwner");
    }

    /** 17 SetDisplayName(LPCWSTR Val). */
    void setDisplayName(String name) {
        call(SET_DISPLAY_NAME, "SetDisplayName", wide(name));
    }

    /** 18 GetDisplayName(LPWSTR *pVal). */
    String getDisplayName() {
        return callString(GET_DISPLAY_NAME, "GetDisplayName");
    }

    /** 19 SetDescription(LPCWSTR Val). */
    void setDescription(String description) {
        call(SET_DESCRIPTION, "SetDescription", wide(description));
    }

    /** 20 GetDescription(LPWSTR *pVal). */
    String getDescription() {
        return callString(GET_DESCRIPTION, "GetDescription");
    }

    /** 21 SetPriority(BG_JOB_PRIORITY Val). */
    void setPriority(int priority) {
        call(SET_PRIORITY, "SetPriority", priority);
    }

    /** 22 GetPriority(BG_JOB_PRIORITY *pVal). */
    int getPriority() {
        return getInt(GET_PRIORITY, "GetPriority");
    }

    /** 23 SetNotifyFlags(ULONG Val). */
    void setNotifyFlags(int flags) {
        call(SET_NOTIFY_FLAGS, "SetNotifyFlags", flags);
    }

    /** 24 GetNotifyFlags(ULONG *pVal). */
    int getNotifyFlags() {
        return getInt(GET_NOTIFY_FLAGS, "GetNotifyFlags");
    }

    /** 25 SetNotifyInterface(IUnknown *Val); returns the HRESULT without throwing (the caller falls back to polling). */
    int setNotifyInterface(Pointer callback) {
        return invoke(SET_NOTIFY_INTERFACE, callback);
    }

    /**
     * 26 GetNotifyInterface(IUnknown **pVal): the callback object set on the job (a reference the caller releases),
     * or null when none is set.
     */
    ComObject getNotifyInterface() {
        PointerByReference out = new PointerByReference();
        call(GET_NOTIFY_INTERFACE, "GetNotifyInterface", out);
        return out.getValue() == null ? null : new ComObject.Raw(out.getValue(), "IUnknown");
    }

    /** 27 SetMinimumRetryDelay(ULONG Seconds). */
    void setMinimumRetryDelay(int seconds) {
        call(SET_MINIMUM_RETRY_DELAY, "SetMinimumRetryDelay", seconds);
    }

    /** 28 GetMinimumRetryDelay(ULONG *Seconds). */
    long getMinimumRetryDelay() {
        return getInt(GET_MINIMUM_RETRY_DELAY, "GetMinimumRetryDelay") & 0xFFFFFFFFL;
    }

    /** 29 SetNoProgressTimeout(ULONG Seconds). */
    void setNoProgressTimeout(int seconds) {
        call(SET_NO_PROGRESS_TIMEOUT, "SetNoProgressTimeout", seconds);
    }

    /** 30 GetNoProgressTimeout(ULONG *Seconds). */
    long getNoProgressTimeout() {
        return getInt(GET_NO_PROGRESS_TIMEOUT, "GetNoProgressTimeout") & 0xFFFFFFFFL;
    }

    /** 31 GetErrorCount(ULONG *Errors). */
    int getErrorCount() {
        return getInt(GET_ERROR_COUNT, "GetErrorCount");
    }

    /** 32 SetProxySettings(BG_JOB_PROXY_USAGE ProxyUsage, LPCWSTR ProxyList, LPCWSTR ProxyBypassList). */
    void setProxySettings(int usage, String proxyList, String bypassList) {
        call(SET_PROXY_SETTINGS, "SetProxySettings", usage, wide(proxyList), wide(bypassList));
    }

    /** The result of GetProxySettings: the usage and the two space-delimited lists (null when BITS has none). */
    record Proxy(int usage, String proxyList, String bypassList) {
    }

    /** 33 GetProxySettings(BG_JOB_PROXY_USAGE *pProxyUsage, LPWSTR *pProxyList, LPWSTR *pProxyBypassList). */
    Proxy getProxySettings() {
        IntByReference usage = new IntByReference();
        PointerByReference list = new PointerByReference();
        PointerByReference bypass = new PointerByReference();
        call(GET_PROXY_SETTINGS, "GetProxySettings", usage, list, bypass);
        return new Proxy(usage.getValue(), TaskMemory.takeString(list.getValue()), TaskMemory.takeString(bypass.getValue()));
    }

    /** QueryInterface for IBackgroundCopyJob2, or null when BITS does not offer it. */
    IBackgroundCopyJob2 queryJob2() {
        return query(BitsGuids.IID_IBackgroundCopyJob2, IBackgroundCopyJob2::new);
    }

    /** QueryInterface for IBackgroundCopyJob3, or null (BITS before 2.0). */
    IBackgroundCopyJob3 queryJob3() {
        return query(BitsGuids.IID_IBackgroundCopyJob3, p -> new IBackgroundCopyJob3(p, "IBackgroundCopyJob3"));
    }

    /** QueryInterface for IBackgroundCopyJob4, or null. */
    IBackgroundCopyJob4 queryJob4() {
        return query(BitsGuids.IID_IBackgroundCopyJob4, IBackgroundCopyJob4::new);
    }

    /** QueryInterface for IBackgroundCopyJob5, or null (BITS before 5.0, and Wine). */
    IBackgroundCopyJob5 queryJob5() {
        return query(BitsGuids.IID_IBackgroundCopyJob5, IBackgroundCopyJob5::new);
    }

    /** QueryInterface for IBackgroundCopyJobHttpOptions, or null (BITS before 2.5). */
    IBackgroundCopyJobHttpOptions queryHttpOptions() {
        return query(BitsGuids.IID_IBackgroundCopyJobHttpOptions, IBackgroundCopyJobHttpOptions::new);
    }

    /** QueryInterface for IBackgroundCopyJobHttpOptions3 (MakeCustomHeadersWriteOnly), or null (before BITS 10.3, Wine). */
    IBackgroundCopyJobHttpOptions queryHttpOptions3() {
        return query(BitsGuids.IID_IBackgroundCopyJobHttpOptions3,
                p -> new IBackgroundCopyJobHttpOptions(p, "IBackgroundCopyJobHttpOptions3"));
    }

    /** Calls a getter with one 4-byte out parameter. */
    final int getInt(int slot, String method) {
        IntByReference v = new IntByReference();
        call(slot, method, v);
        return v.getValue();
    }
}
