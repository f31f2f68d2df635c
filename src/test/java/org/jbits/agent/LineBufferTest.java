package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The line limit holds while bytes stream in, and the memory a connection holds stays near what its line needs. */
class LineBufferTest {
    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLineThatNeverEndsIsCutOffAtTheLimitWhileItStreams() {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        LineBuffer b = new LineBuffer(1024);
        LineBuffer.Result r = LineBuffer.Result.PARTIAL;
        long offered = 0;
        // A hundred megabytes offered 64 KiB at a time: the buffer never holds more than the limit and one byte.
        while (r == LineBuffer.Result.PARTIAL && offered < 100L << 20) {
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            chunk.limit(Math.min(chunk.capacity(), b.room()));
            r = b.append(chunk, budget);
            offered += chunk.position();
        }
        assertEquals(LineBuffer.Result.TOO_LONG, r);
        assertEquals(1025, offered, "nothing past the limit was taken");
        assertTrue(b.capacity() <= 1025 && budget.held() == b.capacity(), "held " + b.capacity());
        b.release(budget);
        assertEquals(0, budget.held());
    }

    @Test
    void aLineOfExactlyTheLimitIsALine() {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        LineBuffer b = new LineBuffer(8);
        assertEquals(LineBuffer.Result.LINE, b.append(bytes("12345678\n"), budget));
        assertEquals("12345678", new String(b.takeLine(budget), StandardCharsets.UTF_8));
        assertEquals(LineBuffer.Result.TOO_LONG, b.append(bytes("123456789\n"), budget));
    }

    @Test
    void linesSentTogetherComeOutOneAtATimeInOrder() {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        LineBuffer b = new LineBuffer(1024);
        assertEquals(LineBuffer.Result.LINE, b.append(bytes("one\ntwo\nthr"), budget));
        assertArrayEquals("one".getBytes(), b.takeLine(budget));
        assertTrue(b.hasLine());
        assertArrayEquals("two".getBytes(), b.takeLine(budget));
        assertNull(b.takeLine(budget));
        assertTrue(b.hasPartial());
        assertEquals(LineBuffer.Result.LINE, b.append(bytes("ee\n"), budget));
        assertArrayEquals("three".getBytes(), b.takeLine(budget));
        assertTrue(!b.hasPartial());
    }

    @Test
    void theBudgetCanRefuseAndABigLineIsGivenBackOnceTaken() {
        MemoryBudget budget = new MemoryBudget(4096);
        LineBuffer b = new LineBuffer(1 << 20);
        assertEquals(LineBuffer.Result.NO_MEMORY, b.append(ByteBuffer.allocate(8192), budget));
        assertEquals(0, budget.held());
        MemoryBudget roomy = new MemoryBudget(Long.MAX_VALUE);
        ByteBuffer big = ByteBuffer.allocate(100_000);
        big.put(big.capacity() - 1, (byte) '\n');
        assertEquals(LineBuffer.Result.LINE, b.append(big, roomy));
        assertTrue(roomy.held() >= 100_000);
        assertEquals(99_999, b.takeLine(roomy).length);
        assertEquals(0, roomy.held(), "an idle connection holds nothing");
        assertEquals(0, b.capacity());
    }
}
