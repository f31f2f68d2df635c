package org.jbits.engine;

import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsFileRange;

/**
 * A set of byte offsets as sorted, disjoint, non-adjacent half-open intervals {@code [start, end)}; an end of
 * {@link Long#MAX_VALUE} is "to the end of the file". Immutable: what on-demand mode keeps of a file's requested and
 * filled ranges (RequestFileRanges' overlapping ranges are split and merged here, as BITS says they are).
 */
final class RangeSet {
    static final RangeSet EMPTY = new RangeSet(new long[0]);
    private static final long EOF = Long.MAX_VALUE;

    /** start0, end0, start1, end1, ... */
    private final long[] bounds;

    private RangeSet(long[] bounds) {
        this.bounds = bounds;
    }

    /** The offsets of {@code ranges} (a {@link BitsFileRange#LENGTH_TO_EOF} range reaches the end); null is empty. */
    static RangeSet of(List<BitsFileRange> ranges) {
        RangeSet s = EMPTY;
        if (ranges != null) {
            for (BitsFileRange r : ranges) {
                s = s.union(r.initialOffset(), r.toEndOfFile() ? EOF : r.initialOffset() + r.length());
            }
        }
        return s;
    }

    static RangeSet of(long start, long end) {
        return EMPTY.union(start, end);
    }

    boolean isEmpty() {
        return bounds.length == 0;
    }

    /** This set with {@code [start, end)} added. */
    RangeSet union(long start, long end) {
        if (start >= end) {
            return this;
        }
        List<long[]> out = new ArrayList<>();
        long s = start;
        long e = end;
        boolean placed = false;
        for (int i = 0; i < bounds.length; i += 2) {
            long a = bounds[i];
            long b = bounds[i + 1];
            if (b < s) {
                out.add(new long[] {a, b});
            } else if (a > e) {
                if (!placed) {
                    out.add(new long[] {s, e});
                    placed = true;
                }
                out.add(new long[] {a, b});
            } else {
                s = Math.min(s, a);
                e = Math.max(e, b);
            }
        }
        if (!placed) {
            out.add(new long[] {s, e});
        }
        out.sort((x, y) -> Long.compare(x[0], y[0]));
        return from(out);
    }

    RangeSet union(RangeSet other) {
        RangeSet s = this;
        for (int i = 0; i < other.bounds.length; i += 2) {
            s = s.union(other.bounds[i], other.bounds[i + 1]);
        }
        return s;
    }

    /** This set without the offsets of {@code other}. */
    RangeSet minus(RangeSet other) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            long a = bounds[i];
            long b = bounds[i + 1];
            for (int j = 0; j < other.bounds.length && a < b; j += 2) {
                long c = other.bounds[j];
                long d = other.bounds[j + 1];
                if (d <= a || c >= b) {
                    continue;
                }
                if (c > a) {
                    out.add(new long[] {a, c});
                }
                a = Math.max(a, d);
            }
            if (a < b) {
                out.add(new long[] {a, b});
            }
        }
        return from(out);
    }

    /** This set cut at {@code size}: nothing at or past it, "to the end" ending there. */
    RangeSet clip(long size) {
        return minus(of(size, EOF));
    }

    /** Whether {@code [0, size)} is all in the set. */
    boolean covers(long size) {
        return size == 0 || (bounds.length >= 2 && bounds[0] == 0 && bounds[1] >= size);
    }

    /** The greatest offset the set reaches (its last end), 0 when empty; {@link Long#MAX_VALUE} for "to the end". */
    long end() {
        return bounds.length == 0 ? 0 : bounds[bounds.length - 1];
    }

    /** The number of bytes in the set (with "to the end" counted to {@code size}). */
    long bytes(long size) {
        long n = 0;
        for (int i = 0; i < bounds.length; i += 2) {
            n += Math.min(bounds[i + 1], size) - Math.min(bounds[i], size);
        }
        return n;
    }

    /**
     * The first interval of the set at or after {@code position} (the part of one that holds it from there on),
     * wrapping around to the set's start; null when the set is empty. BITS' UpdateDownloadPosition: missing data
     * is fetched from the position on first.
     */
    long[] nextFrom(long position) {
        for (int i = 0; i < bounds.length; i += 2) {
            if (bounds[i + 1] > position) {
                return new long[] {Math.max(bounds[i], position), bounds[i + 1]};
            }
        }
        return bounds.length == 0 ? null : new long[] {bounds[0], bounds[1]};
    }

    /** The intervals of this set that {@code after} holds whole and {@code before} did not. */
    RangeSet newlyCovered(RangeSet before, RangeSet after) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            RangeSet one = of(bounds[i], bounds[i + 1]);
            if (one.minus(after).isEmpty() && !one.minus(before).isEmpty()) {
                out.add(new long[] {bounds[i], bounds[i + 1]});
            }
        }
        return from(out);
    }

    /** The set as BITS' ranges, by offset ("to the end" as {@link BitsFileRange#LENGTH_TO_EOF}). */
    List<BitsFileRange> toRanges() {
        List<BitsFileRange> out = new ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            out.add(new BitsFileRange(bounds[i],
                    bounds[i + 1] == EOF ? BitsFileRange.LENGTH_TO_EOF : bounds[i + 1] - bounds[i]));
        }
        return List.copyOf(out);
    }

    private static RangeSet from(List<long[]> intervals) {
        long[] b = new long[intervals.size() * 2];
        for (int i = 0; i < intervals.size(); i++) {
            b[2 * i] = intervals.get(i)[0];
            b[2 * i + 1] = intervals.get(i)[1];
        }
        return new RangeSet(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangeSet r && java.util.Arrays.equals(bounds, r.bounds);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        return toRanges().toString();
    }
}
