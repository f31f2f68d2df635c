package org.jbits.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class StagingPoolTest {
    private static final int BUF = 64 * 1024;

    @Test
    void buffersAreDirectAlignedAndOfTheAskedSize() {
        StagingPool pool = new StagingPool(BUF, 4L * BUF);
        ByteBuffer b = pool.take(true);
        assertTrue(b.isDirect());
        assertEquals(BUF, b.capacity());
        assertEquals(BUF, b.remaining());
        // The address is page-aligned: a slice from 0 needs no adjustment.
        assertEquals(0, b.alignmentOffset(0, StagingPool.ALIGN));
    }

    @Test
    void extraBuffersStopAtTheCapacityButNeededOnesDoNot() {
        StagingPool pool = new StagingPool(BUF, 3L * BUF);
        ByteBuffer a = pool.take(true);
        ByteBuffer b = pool.take(false);
        ByteBuffer c = pool.take(false);
        assertNotNull(b);
        assertNotNull(c);
        assertNull(pool.take(false), "over the capacity");
        assertNotNull(pool.take(true), "a transfer's minimum is always served");
        assertEquals(4L * BUF, pool.lentBytes());
        pool.give(a);
        assertEquals(3L * BUF, pool.lentBytes());
        assertNull(pool.take(false), "still at the capacity");
    }

    @Test
    void givenBuffersAreReusedClearedAndKeptOnlyUpToTheCapacity() {
        StagingPool pool = new StagingPool(BUF, 2L * BUF);
        ByteBuffer a = pool.take(true);
        ByteBuffer b = pool.take(true);
        ByteBuffer c = pool.take(true);
        c.put((byte) 1).flip();
        // Given back while three are out (over the capacity of two): dropped.
        pool.give(a);
        pool.give(b);
        pool.give(c);
        assertEquals(0, pool.lentBytes());
        assertEquals(2, pool.idleBuffers(), "idle buffers beyond the capacity go to the garbage collector");
        ByteBuffer again = pool.take(false);
        assertSame(c, again, "the last one given back comes first");
        assertEquals(0, again.position());
        assertEquals(BUF, again.limit());
    }

    @Test
    void forgottenBuffersFreeTheirShareOfTheCapacity() {
        StagingPool pool = new StagingPool(BUF, 2L * BUF);
        pool.take(true);
        pool.take(true);
        assertNull(pool.take(false));
        pool.forget(2);
        assertEquals(0, pool.lentBytes());
        ByteBuffer b = pool.take(false);
        assertNotNull(b);
        pool.give(b);
        assertSame(b, pool.take(false));
    }

    @Test
    void aBufferSizeThatIsNotAWholeNumberOfPagesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StagingPool(1000, 1 << 20));
    }
}
