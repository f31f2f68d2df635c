package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class OutputTest {
    @Test
    void oneDecimalPrintsWhatPercentPointOneFPrints() {
        double[] values = {0, 0.04, 0.05, 0.949, 0.95, 1, 1.25, 9.96, 99.94, 1023.96, 123456.789};
        for (double v : values) {
            assertEquals(String.format(Locale.ROOT, "%.1f", v), Output.oneDecimal(v), "for " + v);
        }
    }

    @Test
    void byteCountsUseBinaryUnits() {
        assertEquals("0 B", Output.bytes(0));
        assertEquals("1023 B", Output.bytes(1023));
        assertEquals("1.0 KiB", Output.bytes(1024));
        assertEquals("1.5 MiB", Output.bytes(3 << 19));
        assertEquals("1.0 GiB", Output.bytes(1L << 30));
        assertEquals("2048.0 TiB", Output.bytes(1L << 51));
        assertEquals("unknown", Output.total(-1));
    }
}
