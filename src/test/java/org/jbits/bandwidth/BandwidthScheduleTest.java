package org.jbits.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.junit.jupiter.api.Test;

/** The schedule syntax of bandwidth.high|normal|low, read at chosen times (no clock involved). */
class BandwidthScheduleTest {
    private static final ZoneId Z = ZoneId.of("Europe/Berlin");

    /** 2026-03-02 is a Monday. */
    private static ZonedDateTime at(int day, String hhmm) {
        String[] p = hhmm.split(":");
        return ZonedDateTime.of(2026, 3, 1 + day, Integer.parseInt(p[0]), Integer.parseInt(p[1]), 0, 0, Z);
    }

    @Test
    void theIssuesExample() {
        BandwidthSchedule s = BandwidthSchedule.parse("bandwidth.normal", "08:00-17:00 2mbit, otherwise unlimited");
        assertEquals(250_000, s.capAt(at(1, "08:00")), 1e-9);
        assertEquals(250_000, s.capAt(at(1, "16:59")), 1e-9);
        assertEquals(BandwidthSchedule.UNLIMITED, s.capAt(at(1, "17:00")));
        assertEquals(BandwidthSchedule.UNLIMITED, s.capAt(at(1, "07:59")));
        assertEquals(at(1, "17:00"), s.nextChange(at(1, "12:34")));
    }

    @Test
    void daysWrapAroundMidnightAndTheFirstWindowWins() {
        BandwidthSchedule s = BandwidthSchedule.parse("k",
                "mon-fri 22:00-06:00 0, mon-fri 08:00-18:00 500kbit, sat-sun 00:00-24:00 10mbps, otherwise 1mbit");
        assertEquals(0, s.capAt(at(1, "23:00")), "Monday night");
        assertEquals(0, s.capAt(at(2, "05:59")), "Tuesday early: Monday's window");
        assertEquals(125_000, s.capAt(at(5, "06:00")), "Friday after the night window: otherwise");
        assertEquals(125_000, s.capAt(at(5, "19:00")), "Friday evening: otherwise");
        assertEquals(0, s.capAt(at(5, "03:00")), "Friday early: Thursday's window");
        assertEquals(0, s.capAt(at(6, "03:00")), "Saturday early: Friday night's window comes first");
        assertEquals(10e6, s.capAt(at(6, "07:00")), "Saturday morning: the weekend's window");
        assertEquals(125_000, s.capAt(at(1, "00:30")), "Monday early: Sunday has no night window");
    }

    @Test
    void unitsAreTcs() {
        assertEquals(1e6 / 8, BandwidthSchedule.parse("k", "1mbit").capAt(at(1, "00:00")), 1e-9);
        assertEquals(1e6, BandwidthSchedule.parse("k", "1mbps").capAt(at(1, "00:00")), 1e-9);
        assertEquals(1000, BandwidthSchedule.parse("k", "8kbit").capAt(at(1, "00:00")), 1e-9);
        assertEquals(0, BandwidthSchedule.parse("k", "0").capAt(at(1, "00:00")));
        assertTrue(BandwidthSchedule.parse("k", "unlimited").isUnlimited());
        assertNull(BandwidthSchedule.parse("k", "2mbit").nextChange(at(1, "00:00")));
    }

    @Test
    void badSchedulesFailNamingTheKey() {
        for (String bad : new String[]{"", "2 mbit", "08:00-17:00", "8-17 2mbit", "25:00-26:00 1mbit", "08:00-08:00 1mbit",
                "otherwise 1mbit, 08:00-09:00 0", "xyz 08:00-09:00 1mbit", "08:00-09:00 5", "08:00-09:00 5furlongs",
                "1mbit, 08:00-09:00 0"}) {
            BitsException e = assertThrows(BitsException.class, () -> BandwidthSchedule.parse("bandwidth.low", bad), bad);
            assertEquals(HResult.E_INVALIDARG, e.hresult());
            assertTrue(e.getMessage().contains("bandwidth.low"), e.getMessage());
        }
    }

    @Test
    void thePolicyReadsEachBackgroundPriorityAndRefusesAForegroundCap() {
        BandwidthPolicy p = BandwidthPolicy.from(Map.of("bandwidth.low", "0", "bandwidth.high", "1mbps",
                "idle.targetMillis", "8")).withZone(Z);
        Instant now = at(1, "10:00").toInstant();
        assertEquals(0, p.capAt(JobPriority.LOW, now));
        assertEquals(1e6, p.capAt(JobPriority.HIGH, now));
        assertEquals(BandwidthSchedule.UNLIMITED, p.capAt(JobPriority.NORMAL, now));
        assertEquals(BandwidthSchedule.UNLIMITED, p.capAt(JobPriority.FOREGROUND, now));
        assertEquals(8_000_000L, p.controller().targetNanos());
        assertTrue(p.paces(JobPriority.NORMAL) && !p.paces(JobPriority.FOREGROUND));
        assertThrows(BitsException.class, () -> BandwidthPolicy.from(Map.of("bandwidth.foreground", "1mbit")));
        assertThrows(BitsException.class, () -> BandwidthPolicy.from(Map.of("idle.enabled", "maybe")));
        BandwidthPolicy off = BandwidthPolicy.from(Map.of("idle.enabled", "false"));
        assertTrue(!off.paces(JobPriority.NORMAL), "no controller and no cap: nothing to pace");
    }
}
