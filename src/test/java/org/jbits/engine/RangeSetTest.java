package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jbits.BitsFileRange;
import org.junit.jupiter.api.Test;

/** The interval arithmetic of on-demand mode's requested and filled ranges. */
class RangeSetTest {

    private static List<BitsFileRange> r(long... offsetLength) {
        List<BitsFileRange> out = new java.util.ArrayList<>();
        for (int i = 0; i < offsetLength.length; i += 2) {
            out.add(new BitsFileRange(offsetLength[i], offsetLength[i + 1]));
        }
        return out;
    }

    @Test
    void overlappingAndAdjacentRangesAreMergedAndOrderedByOffset() {
        RangeSet s = RangeSet.of(r(300, 100, 10, 90, 50, 100, 150, 10, 1000, 1));
        assertEquals(r(10, 150, 300, 100, 1000, 1), s.toRanges());
        assertEquals(RangeSet.of(r(0, 5, 5, 5)), RangeSet.of(0, 10), "adjacent ranges are one");
        assertEquals(r(0, 20), RangeSet.of(r(0, 10, 10, 10)).toRanges());
    }

    @Test
    void minusSplitsAndClipEndsToTheEndRanges() {
        RangeSet req = RangeSet.of(r(0, 100, 200, BitsFileRange.LENGTH_TO_EOF));
        RangeSet filled = RangeSet.of(r(10, 20, 250, 50));
        assertEquals(r(0, 10, 30, 70, 200, 50, 300, BitsFileRange.LENGTH_TO_EOF), req.minus(filled).toRanges());
        assertEquals(r(0, 100, 200, 300), req.clip(500).toRanges());
        assertEquals(r(0, 50), req.clip(50).toRanges());
        assertTrue(req.minus(req).isEmpty());
        assertEquals(req, req.minus(RangeSet.EMPTY));
    }

    @Test
    void coversBytesAndEnd() {
        assertTrue(RangeSet.of(0, 100).covers(100));
        assertTrue(RangeSet.of(0, 200).covers(100));
        assertFalse(RangeSet.of(1, 100).covers(100));
        assertFalse(RangeSet.of(r(0, 50, 51, 49)).covers(100));
        assertTrue(RangeSet.EMPTY.covers(0));
        assertEquals(99, RangeSet.of(r(0, 50, 51, 49)).bytes(1000));
        assertEquals(50, RangeSet.of(r(50, BitsFileRange.LENGTH_TO_EOF)).bytes(100));
        assertEquals(100, RangeSet.of(r(0, 50, 51, 49)).end());
        assertEquals(Long.MAX_VALUE, RangeSet.of(r(5, BitsFileRange.LENGTH_TO_EOF)).end());
    }

    @Test
    void nextFromStartsAtThePositionAndWrapsAround() {
        RangeSet s = RangeSet.of(r(0, 10, 100, 50, 400, 10));
        assertArrayEquals(new long[] {100, 150}, s.nextFrom(50));
        assertArrayEquals(new long[] {120, 150}, s.nextFrom(120), "inside a range: from the position");
        assertArrayEquals(new long[] {400, 410}, s.nextFrom(150));
        assertArrayEquals(new long[] {0, 10}, s.nextFrom(410), "past the last: wraps to the first");
        assertNull(RangeSet.EMPTY.nextFrom(0));
    }
}
