package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jbits.windows.BitsStructures.BG_FILE_INFO;
import org.jbits.windows.BitsStructures.BG_FILE_PROGRESS;
import org.jbits.windows.BitsStructures.BG_JOB_PROGRESS;
import org.jbits.windows.BitsStructures.BG_JOB_TIMES;
import org.jbits.windows.BitsStructures.BITS_JOB_PROPERTY_VALUE;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Sizes and field offsets of the BITS structures under the Windows x64 ABI (natural alignment: UINT64 on 8,
 * DWORD/BOOL on 4, FILETIME is two DWORDs, pointers 8). JNA lays structures out the same way on Linux x86-64, so
 * what is asserted here is what a Windows JVM will pass.
 */
class BitsStructuresTest {

    /** Field offsets of a structure, read through JNA's own layout. */
    private static Map<String, Integer> offsets(Structure s) {
        Map<String, Integer> m = new LinkedHashMap<>();
        Class<?> k = s.getClass();
        while (k.getAnnotation(Structure.FieldOrder.class) == null) {
            k = k.getSuperclass();
        }
        for (String f : k.getAnnotation(Structure.FieldOrder.class).value()) {
            try {
                var method = Structure.class.getDeclaredMethod("fieldOffset", String.class);
                method.setAccessible(true);
                m.put(f, (Integer) method.invoke(s, f));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return m;
    }

    @Test
    void jobProgressIs24BytesWithTheCountsAfterTheTwoUint64s() {
        BG_JOB_PROGRESS p = new BG_JOB_PROGRESS();
        assertEquals(24, p.size());
        assertEquals(Map.of("BytesTotal", 0, "BytesTransferred", 8, "FilesTotal", 16, "FilesTransferred", 20), offsets(p));
    }

    @Test
    void replyProgressIsTwoUint64s() {
        BitsStructures.BG_JOB_REPLY_PROGRESS p = new BitsStructures.BG_JOB_REPLY_PROGRESS();
        assertEquals(16, p.size());
        assertEquals(Map.of("BytesTotal", 0, "BytesTransferred", 8), offsets(p));
    }

    @Test
    void fileProgressIs20BytesOfFieldsPaddedTo24() {
        BG_FILE_PROGRESS p = new BG_FILE_PROGRESS();
        // UINT64, UINT64, BOOL (4) = 20; the struct's alignment is 8 (UINT64), so its size rounds up to 24.
        assertEquals(24, p.size());
        assertEquals(Map.of("BytesTotal", 0, "BytesTransferred", 8, "Completed", 16), offsets(p));
    }

    @Test
    void jobTimesIsThreeFiletimesOf8Bytes() {
        BG_JOB_TIMES t = new BG_JOB_TIMES();
        assertEquals(24, t.size());
        assertEquals(Map.of("CreationTime", 0, "ModificationTime", 8, "TransferCompletionTime", 16), offsets(t));
    }

    @Test
    void fileInfoIsTwoPointers() {
        assertEquals(2 * Native.POINTER_SIZE, new BG_FILE_INFO().size());
    }

    @Test
    void authCredentialsAreTwoEnumsThenTheBasicPairOfPointers() {
        BitsStructures.BG_AUTH_CREDENTIALS c = new BitsStructures.BG_AUTH_CREDENTIALS();
        assertEquals(8 + 2 * Native.POINTER_SIZE, c.size());
        assertEquals(Map.of("Target", 0, "Scheme", 4, "Basic", 8), offsets(c));
        assertEquals(Map.of("UserName", 0, "Password", Native.POINTER_SIZE), offsets(c.Basic));
    }

    @Test
    void jobPropertyValueIsA16ByteUnionWithEveryMemberAtOffset0() {
        BITS_JOB_PROPERTY_VALUE v = new BITS_JOB_PROPERTY_VALUE();
        assertEquals(16, v.size(), "GUID is the largest member");
        assertEquals(Map.of("Dword", 0, "ClsID", 0, "Enable", 0, "Uint64", 0, "Target", 0), offsets(v));
    }

    @Test
    void dwordValueWritesLittleEndianInTheFirstFourBytesAndZerosTheRest() {
        Assumptions.assumeTrue(java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN,
                "Windows runs little-endian; this host is not");
        BITS_JOB_PROPERTY_VALUE.ByValue v = BITS_JOB_PROPERTY_VALUE.ofDword(0x800000FF);
        byte[] expected = new byte[16];
        expected[0] = (byte) 0xFF;
        expected[3] = (byte) 0x80;
        assertArrayEquals(expected, v.getPointer().getByteArray(0, 16));
    }

    @Test
    void uint64ValueFillsTheFirstEightBytes() {
        BITS_JOB_PROPERTY_VALUE.ByValue v = BITS_JOB_PROPERTY_VALUE.ofUint64(0x0102030405060708L);
        assertEquals(0x0102030405060708L, v.getPointer().getLong(0));
        assertEquals(0L, v.getPointer().getLong(8));
    }

    @Test
    void fileRangesGoOutAsOneArrayOf16ByteStructuresAndComeBackFromOne() {
        java.util.List<org.jbits.BitsFileRange> ranges = java.util.List.of(new org.jbits.BitsFileRange(0, 4096),
                new org.jbits.BitsFileRange(1L << 40, org.jbits.BitsFileRange.LENGTH_TO_EOF));
        com.sun.jna.Pointer a = BitsStructures.BG_FILE_RANGE.array(ranges);
        assertEquals(0L, a.getLong(0));
        assertEquals(4096L, a.getLong(8));
        assertEquals(1L << 40, a.getLong(16));
        assertEquals(-1L, a.getLong(24), "BG_LENGTH_TO_EOF");
        assertEquals(ranges, BitsStructures.BG_FILE_RANGE.list(a, 2));
        assertEquals(java.util.List.of(), BitsStructures.BG_FILE_RANGE.list(null, 3), "no array: no ranges");
    }
}
