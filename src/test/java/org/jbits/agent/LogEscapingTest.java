package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class LogEscapingTest {
    @Test
    void controlCharactersLineSeparatorsAndLoneSurrogatesAreEscaped() {
        assertEquals("evil\\nFORGED \\u001b[31mred\\r\\t\\u0000\\u007f\\u0085\\u2028\\ud800",
                LogEscaping.escape("evil\nFORGED \u001b[31mred\r\t\u0000\u007f\u0085\u2028\ud800"));
    }

    @Test
    void safeTextIsLeftAsItIs() {
        String s = "job 'nightly' naïve \ud83d\ude00 C:\\path";
        assertSame(s, LogEscaping.escape(s));
    }
}
