package org.jbits.engine;

import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsFileRange;

/** A file's ranges in the store's {@code files.ranges} column: {@code offset:length} pairs, comma-separated, -1 for eof. */
final class RangesColumn {
    private RangesColumn() {
    }

    static String encode(List<BitsFileRange> ranges) {
        if (ranges == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (BitsFileRange r : ranges) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(r.initialOffset()).append(':').append(r.length());
        }
        return b.toString();
    }

    static List<BitsFileRange> decode(String column) {
        if (column == null || column.isEmpty()) {
            return null;
        }
        List<BitsFileRange> out = new ArrayList<>();
        for (String pair : column.split(",")) {
            int colon = pair.indexOf(':');
            out.add(new BitsFileRange(Long.parseLong(pair.substring(0, colon)), Long.parseLong(pair.substring(colon + 1))));
        }
        return List.copyOf(out);
    }
}
