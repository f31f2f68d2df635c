package org.jbits.windows;

import com.sun.jna.Pointer;
import org.jbits.windows.BitsStructures.BITS_JOB_PROPERTY_VALUE;

/** {@code IBackgroundCopyJob5 : IBackgroundCopyJob4} (IID e847030c-bbba-4657-af6d-484aa42bf1fe; slots 53-54). */
final class IBackgroundCopyJob5 extends IBackgroundCopyJob4 {
    static final int SET_PROPERTY = 53;
    static final int GET_PROPERTY = 54;

    IBackgroundCopyJob5(Pointer p) {
        super(p, "IBackgroundCopyJob5");
    }

    /** 53 SetProperty(BITS_JOB_PROPERTY_ID PropertyId, BITS_JOB_PROPERTY_VALUE PropertyValue): the union by value. */
    void setProperty(int propertyId, BITS_JOB_PROPERTY_VALUE.ByValue value) {
        call(SET_PROPERTY, "SetProperty", propertyId, value);
    }

    /** 54 GetProperty(BITS_JOB_PROPERTY_ID PropertyId, BITS_JOB_PROPERTY_VALUE *PropertyValue). */
    BITS_JOB_PROPERTY_VALUE getProperty(int propertyId) {
        BITS_JOB_PROPERTY_VALUE v = new BITS_JOB_PROPERTY_VALUE();
        call(GET_PROPERTY, "GetProperty", propertyId, v.getPointer());
        return v;
    }

    /** GetProperty of a BOOL property (dynamic content, high performance, on-demand). */
    boolean getEnableProperty(int propertyId) {
        BITS_JOB_PROPERTY_VALUE v = getProperty(propertyId);
        v.setType("Enable");
        return (Integer) v.readField("Enable") != 0;
    }

    /** GetProperty of a UINT64 property (max download size). */
    long getUint64Property(int propertyId) {
        BITS_JOB_PROPERTY_VALUE v = getProperty(propertyId);
        v.setType(long.class);
        return (Long) v.readField("Uint64");
    }

    /** GetProperty of a DWORD property (cost flags). */
    int getDwordProperty(int propertyId) {
        BITS_JOB_PROPERTY_VALUE v = getProperty(propertyId);
        v.setType(int.class);
        return (Integer) v.readField("Dword");
    }
}
