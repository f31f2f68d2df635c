package org.jbits.windows;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.Union;
import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.platform.win32.WinBase.FILETIME;

/**
 * The BITS structures the binding passes (W-IDL1, W-IDL50; reference §1.5, §1.6, §2.2). Layouts follow the
 * Windows x64 ABI (natural alignment); {@code BitsStructuresTest} asserts each size and field offset. Internal to
 * the binding: the structures are public classes with public fields because JNA creates, reads and writes them by
 * reflection, but this enclosing class is not, so nothing outside the package can reach them.
 */
final class BitsStructures {
    private BitsStructures() {
    }

    /** {@code BG_SIZE_UNKNOWN}: {@code (UINT64) -1}. */
    public static final long BG_SIZE_UNKNOWN = -1L;

    /** {@code BG_JOB_PROGRESS {UINT64 BytesTotal; UINT64 BytesTransferred; ULONG FilesTotal; ULONG FilesTransferred}}: 24 bytes. */
    @FieldOrder({"BytesTotal", "BytesTransferred", "FilesTotal", "FilesTransferred"})
    public static class BG_JOB_PROGRESS extends Structure {
        public long BytesTotal;
        public long BytesTransferred;
        public int FilesTotal;
        public int FilesTransferred;
    }

    /** {@code BG_JOB_REPLY_PROGRESS {UINT64 BytesTotal; UINT64 BytesTransferred}}: 16 bytes (IBackgroundCopyJob2). */
    @FieldOrder({"BytesTotal", "BytesTransferred"})
    public static class BG_JOB_REPLY_PROGRESS extends Structure {
        public long BytesTotal;
        public long BytesTransferred;
    }

    /** {@code BG_FILE_PROGRESS {UINT64 BytesTotal; UINT64 BytesTransferred; BOOL Completed}}: 20 bytes of fields, padded to 24. */
    @FieldOrder({"BytesTotal", "BytesTransferred", "Completed"})
    public static class BG_FILE_PROGRESS extends Structure {
        public long BytesTotal;
        public long BytesTransferred;
        /** Win32 BOOL (4 bytes): nonzero when the file is transferred. */
        public int Completed;
    }

    /** {@code BG_JOB_TIMES {FILETIME CreationTime; FILETIME ModificationTime; FILETIME TransferCompletionTime}}: 24 bytes. */
    @FieldOrder({"CreationTime", "ModificationTime", "TransferCompletionTime"})
    public static class BG_JOB_TIMES extends Structure {
        public FILETIME CreationTime;
        public FILETIME ModificationTime;
        public FILETIME TransferCompletionTime;
    }

    /** {@code BG_FILE_INFO {LPWSTR RemoteName; LPWSTR LocalName}}, the element of AddFileSet's array. */
    @FieldOrder({"RemoteName", "LocalName"})
    public static class BG_FILE_INFO extends Structure {
        public com.sun.jna.WString RemoteName;
        public com.sun.jna.WString LocalName;
    }

    /** {@code BG_BASIC_CREDENTIALS {LPWSTR UserName; LPWSTR Password}}: two pointers. */
    @FieldOrder({"UserName", "Password"})
    public static class BG_BASIC_CREDENTIALS extends Structure {
        public com.sun.jna.WString UserName;
        public com.sun.jna.WString Password;
    }

    /**
     * {@code BG_AUTH_CREDENTIALS {BG_AUTH_TARGET Target; BG_AUTH_SCHEME Scheme; BG_AUTH_CREDENTIALS_UNION Credentials}}
     * for IBackgroundCopyJob2::SetCredentials. The union's only member is {@code BG_BASIC_CREDENTIALS Basic}, so the
     * structure holds that member in its place: 4 + 4 + 16 = 24 bytes on x64.
     */
    @FieldOrder({"Target", "Scheme", "Basic"})
    public static class BG_AUTH_CREDENTIALS extends Structure {
        public int Target;
        public int Scheme;
        public BG_BASIC_CREDENTIALS Basic = new BG_BASIC_CREDENTIALS();
    }

    /** {@code BG_AUTH_TARGET}: credentials for the server or for the proxy. */
    public static final int BG_AUTH_TARGET_SERVER = 1;
    public static final int BG_AUTH_TARGET_PROXY = 2;

    /** {@code BG_AUTH_SCHEME}. */
    public static final int BG_AUTH_SCHEME_BASIC = 1;
    public static final int BG_AUTH_SCHEME_DIGEST = 2;
    public static final int BG_AUTH_SCHEME_NTLM = 3;
    public static final int BG_AUTH_SCHEME_NEGOTIATE = 4;
    public static final int BG_AUTH_SCHEME_PASSPORT = 5;

    /** {@code BG_FILE_RANGE {UINT64 InitialOffset; UINT64 Length}}. */
    @FieldOrder({"InitialOffset", "Length"})
    public static class BG_FILE_RANGE extends Structure {
        public long InitialOffset;
        public long Length;

        public BG_FILE_RANGE() {
        }

        public BG_FILE_RANGE(Pointer p) {
            super(p);
            read();
        }

        /**
         * {@code ranges} (one at least) as one contiguous array of 16-byte structures, for a method that takes
         * {@code (DWORD RangeCount, BG_FILE_RANGE Ranges[])}: the memory that holds them.
         */
        static Pointer array(java.util.List<org.jbits.BitsFileRange> ranges) {
            BG_FILE_RANGE[] array = (BG_FILE_RANGE[]) new BG_FILE_RANGE().toArray(ranges.size());
            for (int i = 0; i < ranges.size(); i++) {
                array[i].InitialOffset = ranges.get(i).initialOffset();
                array[i].Length = ranges.get(i).length();
                array[i].write();
            }
            return array[0].getPointer();
        }

        /** {@code count} ranges in an array at {@code a} (16 bytes each; null: none), as the API's ranges. */
        static java.util.List<org.jbits.BitsFileRange> list(Pointer a, int count) {
            java.util.List<org.jbits.BitsFileRange> out = new java.util.ArrayList<>();
            for (int i = 0; a != null && i < count; i++) {
                BG_FILE_RANGE r = new BG_FILE_RANGE(a.share(16L * i));
                out.add(new org.jbits.BitsFileRange(r.InitialOffset, r.Length));
            }
            return java.util.List.copyOf(out);
        }
    }

    /**
     * {@code BITS_JOB_PROPERTY_VALUE}: {@code union {DWORD Dword; GUID ClsID; BOOL Enable; UINT64 Uint64;
     * BG_AUTH_TARGET Target;}}, 16 bytes, 8-aligned. IBackgroundCopyJob5::SetProperty takes it <em>by value</em>
     * ({@link ByValue}); on x64 the ABI passes a 16-byte aggregate as a pointer to a caller-made copy, which libffi
     * does for us. Select the member with {@link #setType(Class)} before writing (JNA writes the active member).
     */
    @FieldOrder({"Dword", "ClsID", "Enable", "Uint64", "Target"})
    public static class BITS_JOB_PROPERTY_VALUE extends Union {
        public int Dword;
        public GUID ClsID;
        public int Enable;
        public long Uint64;
        public int Target;

        public BITS_JOB_PROPERTY_VALUE() {
        }

        /** The by-value form for SetProperty. */
        public static class ByValue extends BITS_JOB_PROPERTY_VALUE implements Structure.ByValue {
        }

        /** A DWORD value (cost flags, minimum notification interval). */
        public static ByValue ofDword(int value) {
            ByValue v = new ByValue();
            v.setType(int.class);
            v.Dword = value;
            v.writeField("Dword");
            return v;
        }

        /** A BOOL value (dynamic content, high performance). */
        public static ByValue ofEnable(boolean value) {
            ByValue v = new ByValue();
            v.setType("Enable");
            v.Enable = value ? 1 : 0;
            v.writeField("Enable");
            return v;
        }

        /** A UINT64 value (max download size). */
        public static ByValue ofUint64(long value) {
            ByValue v = new ByValue();
            v.setType(long.class);
            v.Uint64 = value;
            v.writeField("Uint64");
            return v;
        }
    }

    /** {@code BITS_JOB_PROPERTY_ID} values used here (MSA {@code ne-bits5_0-bits_job_property_id}). */
    public static final int BITS_JOB_PROPERTY_ID_COST_FLAGS = 1;
    public static final int BITS_JOB_PROPERTY_NOTIFICATION_CLSID = 2;
    public static final int BITS_JOB_PROPERTY_DYNAMIC_CONTENT = 3;
    public static final int BITS_JOB_PROPERTY_HIGH_PERFORMANCE = 4;
    public static final int BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE = 5;
    public static final int BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS = 7;
    public static final int BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS = 9;
    public static final int BITS_JOB_PROPERTY_ON_DEMAND_MODE = 10;

    /** {@code BITS_COST_STATE_TRANSFER_ALWAYS}: what a BITS without cost awareness (before 5.0) does. */
    public static final int BITS_COST_STATE_TRANSFER_ALWAYS = 0x800000FF;
}
