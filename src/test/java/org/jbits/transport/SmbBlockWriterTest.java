package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SmbBlockWriter alone, over in-memory streams: the contiguous run, the bound past it, failures, abort. */
class SmbBlockWriterTest {
    private static final int BLOCK = 1000;
    private static final int WINDOW = 4;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "writer-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** Streams writing into one shared list of (offset, length); the block at {@code stallAt} waits for the latch. */
    private static final class Recorder {
        final List<long[]> writes = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong maxEnd = new AtomicLong();
        final CountDownLatch release = new CountDownLatch(1);
        final long stallAt;
        final long failAt;
        /** How long a stream's close takes (an SMB close is a round trip). */
        final long closeMillis;

        Recorder(long stallAt, long failAt) {
            this(stallAt, failAt, 0);
        }

        Recorder(long stallAt, long failAt, long closeMillis) {
            this.stallAt = stallAt;
            this.failAt = failAt;
            this.closeMillis = closeMillis;
        }

        SmbBlockWriter.Stream stream() {
            return new SmbBlockWriter.Stream() {
                @Override
                public void write(long position, java.nio.ByteBuffer data) throws IOException {
                    int len = data.remaining();
                    if (position == failAt) {
                        throw new IOException("refused at " + position);
                    }
                    if (position == stallAt) {
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    writes.add(new long[]{position, len});
                    maxEnd.accumulateAndGet(position + len, Math::max);
                }

                @Override
                public void close() {
                    try {
                        Thread.sleep(closeMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
        }
    }

    @Test
    void aStalledBlockHoldsBackEveryBlockPastTheWindowAndTheRunCountsOnlyContiguousBlocks() throws Exception {
        Recorder r = new Recorder(2 * BLOCK, -1);
        SmbBlockWriter w = new SmbBlockWriter(r.stream(), r::stream, () -> { }, 0, 3, BLOCK, WINDOW, threads);
        Thread feeder = new Thread(() -> {
            try {
                for (long pos = 0; pos < 40 * BLOCK; pos += BLOCK) {
                    w.submit(pos, w.buffer(pos));
                }
                w.drain();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        feeder.start();
        Thread.sleep(500);
        // Block 2 stalls: the run is 2 blocks, and nothing ending past 2 + WINDOW blocks was sent.
        assertEquals(2 * BLOCK, w.written());
        assertTrue(r.maxEnd.get() <= 2 * BLOCK + (long) WINDOW * BLOCK, "wrote up to " + r.maxEnd.get());
        r.release.countDown();
        feeder.join(30_000);
        w.close();
        assertEquals(40 * BLOCK, w.written());
        assertEquals(40, r.writes.size());
    }

    @Test
    void aFailureIsThrownToTheCallerAndTheRunStopsBeforeIt() throws Exception {
        Recorder r = new Recorder(-1, 5 * BLOCK);
        SmbBlockWriter w = new SmbBlockWriter(r.stream(), r::stream, () -> { }, 0, 2, BLOCK, WINDOW, threads);
        IOException e = assertThrows(IOException.class, () -> {
            for (long pos = 0; pos < 20 * BLOCK; pos += BLOCK) {
                w.submit(pos, w.buffer(pos));
            }
            w.drain();
        });
        assertTrue(e.getMessage().contains("refused"), e.toString());
        w.close();
        assertTrue(w.written() <= 5 * BLOCK, "run " + w.written());
    }

    @Test
    void theLastBlocksFailureIsThrownByDrainWhileItsStreamIsStillClosing() throws Exception {
        // The last block fails and its writer's close takes a while: drain must not see "nothing queued, nothing in
        // flight, no failure" in between (it did, and an upload whose last write met a full disk counted as written).
        Recorder r = new Recorder(-1, 3 * BLOCK, 2_000);
        SmbBlockWriter w = new SmbBlockWriter(r.stream(), r::stream, () -> { }, 0, 4, BLOCK, WINDOW, threads);
        for (long pos = 0; pos < 4 * BLOCK; pos += BLOCK) {
            w.submit(pos, w.buffer(pos));
        }
        IOException e = assertThrows(IOException.class, w::drain);
        assertTrue(e.getMessage().contains("refused at " + 3 * BLOCK), e.toString());
        w.close();
        assertEquals(3 * BLOCK, w.written());
    }

    @Test
    void abortReturnsAtOnceAndTheWritersExit() throws Exception {
        Recorder r = new Recorder(0, -1);
        CountDownLatch done = new CountDownLatch(1);
        SmbBlockWriter w = new SmbBlockWriter(r.stream(), r::stream, done::countDown, 0, 2, BLOCK, WINDOW, threads);
        w.submit(0, w.buffer(0));
        w.abort();
        assertEquals(null, w.buffer(BLOCK));
        r.release.countDown();
        w.close();
        assertTrue(done.await(10, TimeUnit.SECONDS), "the last writer ran whenDone");
    }
}
