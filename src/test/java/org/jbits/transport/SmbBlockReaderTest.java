package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-order hand-over of blocks read in parallel, over in-memory streams (short reads, failures, a stop). */
class SmbBlockReaderTest {
    private final ExecutorService tasks = Executors.newCachedThreadPool();
    private final AtomicInteger closed = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);

    @AfterEach
    void stop() {
        tasks.shutdownNow();
    }

    /** A stream over {@code data} that returns at most 10,000 bytes a read and fails at {@code failAt} (or never). */
    private SmbBlockReader.Stream stream(byte[] data, long failAt) {
        return new SmbBlockReader.Stream() {
            @Override
            public int read(long position, byte[] buf, int off, int len) throws IOException {
                if (position >= failAt) {
                    throw new IOException("connection reset at " + position);
                }
                if (position >= data.length) {
                    return -1;
                }
                int n = (int) Math.min(Math.min(len, 10_000), data.length - position);
                System.arraycopy(data, (int) position, buf, off, n);
                return n;
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
    }

    private SmbBlockReader reader(byte[] data, long start, long failAt) {
        return new SmbBlockReader(stream(data, failAt), () -> stream(data, failAt), done::countDown, start, data.length,
                4, 32 * 1024, 8, tasks);
    }

    private static byte[] drain(SmbBlockReader r, ByteArrayOutputStream out) throws Exception {
        SmbBlockReader.Block b;
        while ((b = r.next()) != null) {
            out.write(b.data(), 0, b.length());
            r.release(b);
        }
        return out.toByteArray();
    }

    @Test
    void handsTheBlocksOverInFileOrderFromTheStartOffset() throws Exception {
        byte[] data = TestData.random(1_000_003, 1);
        byte[] got = drain(reader(data, 123_457, Long.MAX_VALUE), new ByteArrayOutputStream());
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 123_457, data.length), got);
        assertTrue(done.await(5, TimeUnit.SECONDS), "the last reader ran whenDone");
        assertEquals(4, closed.get(), "every reader closed its stream before whenDone");
    }

    @Test
    void aFailureComesAfterEveryBlockBeforeIt() throws Exception {
        byte[] data = TestData.random(1_000_000, 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SmbBlockReader r = reader(data, 0, 500_000);
        IOException e = assertThrows(IOException.class, () -> drain(r, out));
        assertTrue(e.getMessage().contains("connection reset"), e.getMessage());
        byte[] got = out.toByteArray();
        // Blocks are 32 KiB: everything up to the block holding byte 500,000 arrived, in order.
        assertEquals(15 * 32 * 1024, got.length);
        assertArrayEquals(java.util.Arrays.copyOf(data, got.length), got);
    }

    @Test
    void aFileShorterThanAnnouncedIsAnEndOfFile() {
        byte[] data = TestData.random(100_000, 3);
        SmbBlockReader r = new SmbBlockReader(stream(data, Long.MAX_VALUE), () -> stream(data, Long.MAX_VALUE),
                done::countDown, 0, 200_000, 4, 32 * 1024, 8, tasks);
        assertThrows(java.io.EOFException.class, () -> drain(r, new ByteArrayOutputStream()));
    }

    @Test
    void abortMakesNextReturnNullAtOnce() throws Exception {
        byte[] data = TestData.random(1_000_000, 4);
        CountDownLatch never = new CountDownLatch(1);
        SmbBlockReader.Stream stuck = new SmbBlockReader.Stream() {
            @Override
            public int read(long position, byte[] buf, int off, int len) throws IOException {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return -1;
            }

            @Override
            public void close() {
            }
        };
        SmbBlockReader r = new SmbBlockReader(stuck, () -> stuck, done::countDown, 0, data.length, 2, 32 * 1024, 4, tasks);
        tasks.execute(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                // the test ends
            }
            r.abort();
        });
        long t = System.nanoTime();
        assertNull(r.next());
        assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(3));
        never.countDown();
    }
}
