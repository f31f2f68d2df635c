package org.jbits.windows;

import com.sun.jna.Pointer;

/** {@code IBackgroundCopyJob4 : IBackgroundCopyJob3} (IID 659cdeae-489e-11d9-a9cd-000d56965251; slots 47-52). */
class IBackgroundCopyJob4 extends IBackgroundCopyJob3 {
    static final int SET_PEER_CACHING_FLAGS = 47;
    static final int GET_PEER_CACHING_FLAGS = 48;
    static final int GET_OWNER_INTEGRITY_LEVEL = 49;
    static final int GET_OWNER_ELEVATION_STATE = 50;
    static final int SET_MAXIMUM_DOWNLOAD_TIME = 51;
    static final int GET_MAXIMUM_DOWNLOAD_TIME = 52;

    IBackgroundCopyJob4(Pointer p) {
        this(p, "IBackgroundCopyJob4");
    }

    IBackgroundCopyJob4(Pointer p, String name) {
        super(p, name);
    }

    /** 48 GetPeerCachingFlags(DWORD *pFlags). */
    int getPeerCachingFlags() {
        return getInt(GET_PEER_CACHING_FLAGS, "GetPeerCachingFlags");
    }

    /** 49 GetOwnerIntegrityLevel(ULONG *pLevel): the integrity level of the job owner's token. */
    int getOwnerIntegrityLevel() {
        return getInt(GET_OWNER_INTEGRITY_LEVEL, "GetOwnerIntegrityLevel");
    }

    /** 50 GetOwnerElevationState(BOOL *pElevated): whether the owner's token was elevated. */
    boolean getOwnerElevationState() {
        return getInt(GET_OWNER_ELEVATION_STATE, "GetOwnerElevationState") != 0;
    }

    /** 51 SetMaximumDownloadTime(ULONG Timeout). */
    void setMaximumDownloadTime(int seconds) {
        call(SET_MAXIMUM_DOWNLOAD_TIME, "SetMaximumDownloadTime", seconds);
    }

    /** 52 GetMaximumDownloadTime(ULONG *pTimeout). */
    long getMaximumDownloadTime() {
        return getInt(GET_MAXIMUM_DOWNLOAD_TIME, "GetMaximumDownloadTime") & 0xFFFFFFFFL;
    }
}
