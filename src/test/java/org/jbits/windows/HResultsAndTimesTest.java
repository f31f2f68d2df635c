package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.jna.platform.win32.WinBase.FILETIME;
import java.time.Instant;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.junit.jupiter.api.Test;

/** HRESULT checks and FILETIME conversion. */
class HResultsAndTimesTest {

    @Test
    void successCodesPassThrough() {
        assertEquals(HResult.S_OK, HResults.check(HResult.S_OK, "x"));
        assertEquals(HResult.S_FALSE, HResults.check(HResult.S_FALSE, "x"));
        assertEquals(HResult.BG_S_PARTIAL_COMPLETE, HResults.check(HResult.BG_S_PARTIAL_COMPLETE, "x"));
    }

    @Test
    void failuresCarryTheCodeAndItsName() {
        BitsException e = assertThrows(BitsException.class, () -> HResults.check(0x80190194, "IBackgroundCopyJob::Resume"));
        assertEquals(0x80190194, e.hresult());
        assertEquals("BG_E_HTTP_ERROR_404", e.errorName());
        assertEquals("E_NOTIMPL", assertThrows(BitsException.class, () -> HResults.check(HResult.E_NOTIMPL, "m")).errorName());
        assertEquals("REGDB_E_CLASSNOTREG", assertThrows(BitsException.class,
                () -> HResults.check(0x80040154, "CoCreateInstance")).errorName());
        assertEquals("0x8BADF00D", assertThrows(BitsException.class, () -> HResults.check(0x8BADF00D, "m")).errorName(),
                "an unknown code is named by its value");
    }

    @Test
    void filetimeEpochIs1601() {
        assertEquals(Instant.EPOCH, FileTimes.toInstant(FileTimes.EPOCH_DIFFERENCE_TICKS));
        assertEquals(Instant.parse("2024-01-01T00:00:00Z"), FileTimes.toInstant(133_485_408_000_000_000L));
        assertEquals(Instant.parse("1601-01-01T00:00:00.0000001Z"), FileTimes.toInstant(1L));
    }

    @Test
    void zeroMeansNotYet() {
        assertNull(FileTimes.toInstant(0L));
        assertNull(FileTimes.toInstant(new FILETIME()));
    }

    @Test
    void theTwoHalvesCombineUnsigned() {
        assertEquals(0x01DA3C8E_F0000000L, FileTimes.ticks(0x01DA3C8E, 0xF0000000));
        FILETIME ft = new FILETIME();
        ft.dwHighDateTime = 0x01DA3C8E;
        ft.dwLowDateTime = 0xF0000000;
        assertEquals(FileTimes.toInstant(0x01DA3C8E_F0000000L), FileTimes.toInstant(ft));
    }

    @Test
    void roundTripKeeps100Nanoseconds() {
        Instant t = Instant.parse("2026-11-22T10:15:30.1234567Z");
        assertEquals(t, FileTimes.toInstant(FileTimes.toTicks(t)));
    }
}
