package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressLineTest {
    @Test
    void aWideTerminalGetsBarBytesRateEtaAndState() {
        String l = ProgressLine.render(120, null, 3 << 20, 6 << 20, 1 << 20, "Transferring");
        assertEquals(" 50% [===============               ]  3.0 MiB / 6.0 MiB  1.0 MiB/s  ETA 0:03  Transferring", l);
    }

    @Test
    void everyWidthFromTenToTwoHundredLeavesTheLastColumnFree() {
        for (int w = 10; w <= 200; w++) {
            String l = ProgressLine.render(w, "a rather long display name", 123_456_789, 987_654_321, 2_345_678,
                    "TransientError");
            assertTrue(l.length() <= w - 1, w + ": " + l.length() + " " + l);
        }
        String seventy = ProgressLine.render(70, null, 3 << 20, 6 << 20, 1 << 20, "Transferring");
        assertTrue(seventy.length() <= 69 && seventy.contains("ETA 0:03") && seventy.contains("Transferring"), seventy);
    }

    @Test
    void whatDoesNotFitGoesRateFirstThenEtaThenBytes() {
        String narrow = ProgressLine.render(52, null, 3 << 20, 6 << 20, 1 << 20, "Transferring");
        assertFalse(narrow.contains("["), narrow);
        assertTrue(narrow.contains("ETA"), narrow);
        assertFalse(narrow.contains("MiB/s"), narrow);
        String narrower = ProgressLine.render(30, null, 3 << 20, 6 << 20, 1 << 20, "Transferring");
        assertEquals(" 50%  Transferring", narrower);
    }

    @Test
    void theMonitorDropsTheBytesBeforeTheEta() {
        String l = ProgressLine.render(70, "second download… 548780ba", 9 << 20, 20 << 20, 102_400, "Transferring",
                ProgressLine.BYTES_RATE_ETA);
        assertEquals("second download… 548780ba   45%  100.0 KiB/s  ETA 1:53  Transferring", l);
    }

    @Test
    void anUnknownSizeOrRateHasNoEta() {
        assertTrue(ProgressLine.render(120, null, 100, -1, 50, "Transferring").contains("unknown"));
        assertFalse(ProgressLine.render(120, null, 100, -1, 50, "Transferring").contains("ETA"));
        assertTrue(ProgressLine.render(120, null, 100, 200, -1, "Connecting").contains("ETA --:--"));
        assertEquals(-1, ProgressLine.eta(0, 100, 0));
    }

    @Test
    void durationsAndTheRateOverTheWindow() {
        assertEquals("0:05", ProgressLine.duration(5));
        assertEquals("12:05", ProgressLine.duration(725));
        assertEquals("1:02:03", ProgressLine.duration(3723));
        ProgressLine p = new ProgressLine();
        assertEquals(-1, p.rate());
        p.sample(0, 0);
        p.sample(1_000_000_000L, 1000);
        assertEquals(1000, p.rate(), 0.001);
        p.sample(10_000_000_000L, 1000);
        assertEquals(0, p.rate(), 0.001); // the first sample left the 5 s window: nothing moved since
        p.sample(11_000_000_000L, 10); // started over
        assertEquals(-1, p.rate());
    }
}
