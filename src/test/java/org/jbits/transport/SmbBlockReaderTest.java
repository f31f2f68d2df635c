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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The in-order hand-over of blocks read in parallel, over in-memory streams (short reads, failures, a stop, a
 * connection that ends inside a reply). The streams share one connection as jcifs-ng's do: a reply is known whole
 * only once the connection has carried a later one.
 */
class SmbBlockReaderTest {
    private final ExecutorService tasks = Executors.newCachedThreadPool();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger probes = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    /** The replies the connection has carried. */
    private final AtomicLong replies = new AtomicLong();
    /** Set when the connection ended inside a reply: every later read fails. */
    private volatile boolean ended;

    @AfterEach
    void stop() {
        tasks.shutdownNow();
    }

    /** A stream over {@code data} that returns at most 10,000 bytes a read and fails at {@code failAt} (or never). */
    private SmbBlockReader.Stream stream(byte[] data, long failAt) {
        return stream(data, failAt, Long.MAX_VALUE);
    }

    /**
     * ... and whose connection ends inside the reply for byte {@code cutAt}: that reply comes back with zeros where the
     * data was cut off, as jcifs-ng decodes it, and every read after it fails.
     */
    private SmbBlockReader.Stream stream(byte[] data, long failAt, long cutAt) {
        return new SmbBlockReader.Stream() {
            private long last = Long.MAX_VALUE;

            @Override
            public int read(long position, java.nio.ByteBuffer dst) throws IOException {
                synchronized (replies) {
                    if (ended) {
                        throw new IOException("connection ended before the read at " + position);
                    }
                    if (position >= failAt) {
                        // An error reply: it comes over the connection, so it proves the replies before it.
                        replies.incrementAndGet();
                        throw new IOException("connection reset at " + position);
                    }
                    if (position >= data.length) {
                        return -1;
                    }
                    int n = (int) Math.min(Math.min(dst.remaining(), 10_000), data.length - position);
                    byte[] reply = java.util.Arrays.copyOfRange(data, (int) position, (int) position + n);
                    if (position <= cutAt && cutAt < position + n) {
                        java.util.Arrays.fill(reply, (int) (cutAt - position), n, (byte) 0);
                        ended = true;
                    }
                    dst.put(reply);
                    last = replies.incrementAndGet();
                    return n;
                }
            }

            @Override
            public BooleanSupplier receipt() {
                long mine = last;
                return () -> mine == Long.MAX_VALUE || replies.get() > mine;
            }

            @Override
            public void probe(long position) throws IOException {
                synchronized (replies) {
                    if (!receipt().getAsBoolean()) {
                        if (ended) {
                            throw new IOException("connection ended at the probe for " + position);
                        }
                        probes.incrementAndGet();
                        replies.incrementAndGet();
                    }
                }
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
            byte[] bytes = new byte[b.length()];
            b.data().get(0, bytes);
            out.write(bytes, 0, bytes.length);
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
        // A reader probes only when it holds blocks it cannot prove and has nothing else to do, then holds none: at
        // most once per block and once more per reader (6-12 here, in-memory reads being instant; fewer on a network).
        long blocks = (data.length - 123_457 + 32 * 1024 - 1) / (32 * 1024);
        assertTrue(probes.get() <= blocks + 4, probes + " probes for " + blocks + " blocks");
    }

    @Test
    void aReplyTheConnectionEndedInsideIsNeverHandedOver() throws Exception {
        byte[] data = TestData.random(1_000_000, 5);
        long cutAt = 600_123;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SmbBlockReader r = new SmbBlockReader(stream(data, Long.MAX_VALUE, cutAt),
                () -> stream(data, Long.MAX_VALUE, cutAt), done::countDown, 0, data.length, 4, 32 * 1024, 8, tasks);
        IOException e = assertThrows(IOException.class, () -> drain(r, out));
        assertTrue(e.getMessage().contains("connection"), e.getMessage());
        byte[] got = out.toByteArray();
        assertTrue(got.length <= cutAt, "handed over " + got.length + " bytes; the connection ended at " + cutAt);
        assertArrayEquals(java.util.Arrays.copyOf(data, got.length), got);
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
            public int read(long position, java.nio.ByteBuffer dst) throws IOException {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return -1;
            }

            @Override
            public BooleanSupplier receipt() {
                return () -> true;
            }

            @Override
            public void probe(long position) {
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
