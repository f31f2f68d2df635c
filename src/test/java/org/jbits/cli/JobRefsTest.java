package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobRefsTest {
    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void argumentsAndStdinLinesInOrderEachOnce() {
        String stdin = "\"b0e1c8a2-0000-4000-8000-000000000001\"\n\n  plain-name  \r\n\"quoted\",\nfirst\n";
        assertEquals(List.of("first", "b0e1c8a2-0000-4000-8000-000000000001", "plain-name", "quoted"),
                JobRefs.expand(List.of("first", "-"), in(stdin)));
    }

    @Test
    void stdinIsReadOnlyForDashAndOnlyOnce() {
        assertEquals(List.of("a", "b"), JobRefs.expand(List.of("a", "b"), in("not read\n")));
        CliException e = assertThrows(CliException.class, () -> JobRefs.expand(List.of("-", "-"), in("x\n")));
        assertEquals(CliException.USAGE, e.exitCode);
        assertEquals(List.of(), JobRefs.expand(List.of("-"), in("")));
    }
}
