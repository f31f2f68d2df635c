package org.jbits.windows;

import com.sun.jna.Pointer;

/** {@code IBackgroundCopyJob3 : IBackgroundCopyJob2} (IID 443c8934-90ff-48ed-bcde-26f5c7450042; slots 43-46). */
class IBackgroundCopyJob3 extends IBackgroundCopyJob2 {
    static final int REPLACE_REMOTE_PREFIX = 43;
    static final int ADD_FILE_WITH_RANGES = 44;
    static final int SET_FILE_ACL_FLAGS = 45;
    static final int GET_FILE_ACL_FLAGS = 46;

    IBackgroundCopyJob3(Pointer p, String name) {
        super(p, name);
    }

    /** 43 ReplaceRemotePrefix(LPCWSTR OldPrefix, LPCWSTR NewPrefix): S_OK, or S_FALSE when nothing matched. */
    int replaceRemotePrefix(String oldPrefix, String newPrefix) {
        return call(REPLACE_REMOTE_PREFIX, "ReplaceRemotePrefix", wide(oldPrefix), wide(newPrefix));
    }

    /**
     * 44 AddFileWithRanges(LPCWSTR RemoteUrl, LPCWSTR LocalName, DWORD RangeCount, BG_FILE_RANGE Ranges[]): the
     * ranges as one contiguous array of 16-byte structures.
     */
    void addFileWithRanges(String remote, String local, java.util.List<org.jbits.BitsFileRange> ranges) {
        call(ADD_FILE_WITH_RANGES, "AddFileWithRanges", wide(remote), wide(local), ranges.size(),
                BitsStructures.BG_FILE_RANGE.array(ranges));
    }

    /** 45 SetFileACLFlags(DWORD Flags). */
    void setFileAclFlags(int flags) {
        call(SET_FILE_ACL_FLAGS, "SetFileACLFlags", flags);
    }

    /** 46 GetFileACLFlags(DWORD *Flags). */
    int getFileAclFlags() {
        return getInt(GET_FILE_ACL_FLAGS, "GetFileACLFlags");
    }
}
