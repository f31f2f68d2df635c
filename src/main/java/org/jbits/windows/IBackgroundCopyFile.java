package org.jbits.windows;

import com.sun.jna.Pointer;
import org.jbits.windows.BitsStructures.BG_FILE_PROGRESS;

/**
 * {@code IBackgroundCopyFile} (IID 01b7bd23-fb88-4a77-8490-5891d3e4653a; slots 3-5) and, as subclasses reached by
 * QueryInterface, File2 (6-7), File3 (8-11), File4 (12), File5 (13-14), File6 (15-17) (reference §2.2).
 */
class IBackgroundCopyFile extends ComObject {
    static final int GET_REMOTE_NAME = 3;
    static final int GET_LOCAL_NAME = 4;
    static final int GET_PROGRESS = 5;

    IBackgroundCopyFile(Pointer p) {
        this(p, "IBackgroundCopyFile");
    }

    IBackgroundCopyFile(Pointer p, String name) {
        super(p, name);
    }

    /** 3 GetRemoteName(LPWSTR *pVal). */
    String getRemoteName() {
        return callString(GET_REMOTE_NAME, "GetRemoteName");
    }

    /** 4 GetLocalName(LPWSTR *pVal). */
    String getLocalName() {
        return callString(GET_LOCAL_NAME, "GetLocalName");
    }

    /** 5 GetProgress(BG_FILE_PROGRESS *pVal). */
    BG_FILE_PROGRESS getProgress() {
        BG_FILE_PROGRESS p = new BG_FILE_PROGRESS();
        call(GET_PROGRESS, "GetProgress", p.getPointer());
        p.read();
        return p;
    }

    /**
     * A method of the shape {@code (DWORD *RangeCount, BG_FILE_RANGE **Ranges)}: the array BITS returns is copied,
     * then freed (CoTaskMemFree).
     */
    java.util.List<org.jbits.BitsFileRange> callRanges(int slot, String method) {
        com.sun.jna.ptr.IntByReference count = new com.sun.jna.ptr.IntByReference();
        com.sun.jna.ptr.PointerByReference ranges = new com.sun.jna.ptr.PointerByReference();
        call(slot, method, count, ranges);
        Pointer a = ranges.getValue();
        try {
            return BitsStructures.BG_FILE_RANGE.list(a, count.getValue());
        } finally {
            TaskMemory.free(a);
        }
    }

    /** QueryInterface for IBackgroundCopyFile2, or null (BITS before 2.0). */
    IBackgroundCopyFile2 queryFile2() {
        return query(BitsGuids.IID_IBackgroundCopyFile2, p -> new IBackgroundCopyFile2(p, "IBackgroundCopyFile2"));
    }

    /** QueryInterface for IBackgroundCopyFile5, or null (BITS before 5.0, and Wine). */
    IBackgroundCopyFile5 queryFile5() {
        return query(BitsGuids.IID_IBackgroundCopyFile5, p -> new IBackgroundCopyFile5(p, "IBackgroundCopyFile5"));
    }

    /** QueryInterface for IBackgroundCopyFile6, or null (BITS before 10.1, and Wine). */
    IBackgroundCopyFile6 queryFile6() {
        return query(BitsGuids.IID_IBackgroundCopyFile6, IBackgroundCopyFile6::new);
    }

    /** QueryInterface for IBackgroundCopyFile3, or null (BITS before 3.0, and Wine). */
    IBackgroundCopyFile3 queryFile3() {
        return query(BitsGuids.IID_IBackgroundCopyFile3, IBackgroundCopyFile3::new);
    }

    /** {@code IBackgroundCopyFile2 : IBackgroundCopyFile} (IID 83e81b93-0873-474d-8a8c-f2018b1a939c). */
    static class IBackgroundCopyFile2 extends IBackgroundCopyFile {
        static final int GET_FILE_RANGES = 6;
        static final int SET_REMOTE_NAME = 7;

        IBackgroundCopyFile2(Pointer p, String name) {
            super(p, name);
        }

        /** 6 GetFileRanges(DWORD *RangeCount, BG_FILE_RANGE **Ranges): the array is BITS' to free (CoTaskMemFree). */
        java.util.List<org.jbits.BitsFileRange> getFileRanges() {
            return callRanges(GET_FILE_RANGES, "GetFileRanges");
        }

        /** 7 SetRemoteName(LPCWSTR Val). */
        void setRemoteName(String remote) {
            call(SET_REMOTE_NAME, "SetRemoteName", wide(remote));
        }
    }

    /** {@code IBackgroundCopyFile3 : IBackgroundCopyFile2} (IID 659cdeaa-489e-11d9-a9cd-000d56965251). */
    static class IBackgroundCopyFile3 extends IBackgroundCopyFile2 {
        static final int GET_TEMPORARY_NAME = 8;
        static final int SET_VALIDATION_STATE = 9;
        static final int GET_VALIDATION_STATE = 10;
        static final int IS_DOWNLOADED_FROM_PEER = 11;

        IBackgroundCopyFile3(Pointer p) {
            this(p, "IBackgroundCopyFile3");
        }

        IBackgroundCopyFile3(Pointer p, String name) {
            super(p, name);
        }

        /** 8 GetTemporaryName(LPWSTR *pFilename). */
        String getTemporaryName() {
            return callString(GET_TEMPORARY_NAME, "GetTemporaryName");
        }
    }

    /** {@code IBackgroundCopyFile4 : IBackgroundCopyFile3} (IID ef7e0655-7888-4960-b0e5-730846e03492): 12 GetPeerDownloadStats. */
    static class IBackgroundCopyFile4 extends IBackgroundCopyFile3 {
        static final int GET_PEER_DOWNLOAD_STATS = 12;

        IBackgroundCopyFile4(Pointer p, String name) {
            super(p, name);
        }
    }

    /** {@code IBackgroundCopyFile5 : IBackgroundCopyFile4} (IID 85c1657f-dafc-40e8-8834-df18ea25717e): 13 SetProperty, 14 GetProperty. */
    static class IBackgroundCopyFile5 extends IBackgroundCopyFile4 {
        static final int SET_PROPERTY = 13;
        static final int GET_PROPERTY = 14;

        /** {@code BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS}. */
        static final int BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS = 1;

        IBackgroundCopyFile5(Pointer p, String name) {
            super(p, name);
        }

        /**
         * 14 GetProperty(BITS_FILE_PROPERTY_ID, BITS_FILE_PROPERTY_VALUE *): the union's only member is
         * {@code LPWSTR String}, so the value is read as one pointer and freed with CoTaskMemFree.
         */
        String getStringProperty(int id) {
            com.sun.jna.ptr.PointerByReference value = new com.sun.jna.ptr.PointerByReference();
            call(GET_PROPERTY, "GetProperty", id, value);
            return TaskMemory.takeString(value.getValue());
        }
    }

    /**
     * {@code IBackgroundCopyFile6 : IBackgroundCopyFile5} (IID cf6784f7-d677-49fd-9368-cb47aee9d1ad): 15
     * UpdateDownloadPosition, 16 RequestFileRanges, 17 GetFilledFileRanges: on-demand jobs' random access.
     */
    static final class IBackgroundCopyFile6 extends IBackgroundCopyFile5 {
        static final int UPDATE_DOWNLOAD_POSITION = 15;
        static final int REQUEST_FILE_RANGES = 16;
        static final int GET_FILLED_FILE_RANGES = 17;

        IBackgroundCopyFile6(Pointer p) {
            super(p, "IBackgroundCopyFile6");
        }

        /** 15 UpdateDownloadPosition(UINT64 Offset). */
        void updateDownloadPosition(long offset) {
            call(UPDATE_DOWNLOAD_POSITION, "UpdateDownloadPosition", offset);
        }

        /** 16 RequestFileRanges(DWORD RangeCount, const BG_FILE_RANGE *Ranges). */
        void requestFileRanges(java.util.List<org.jbits.BitsFileRange> ranges) {
            call(REQUEST_FILE_RANGES, "RequestFileRanges", ranges.size(), BitsStructures.BG_FILE_RANGE.array(ranges));
        }

        /** 17 GetFilledFileRanges(DWORD *RangeCount, BG_FILE_RANGE **Ranges): the array is BITS' to free. */
        java.util.List<org.jbits.BitsFileRange> getFilledFileRanges() {
            return callRanges(GET_FILLED_FILE_RANGES, "GetFilledFileRanges");
        }
    }
}
