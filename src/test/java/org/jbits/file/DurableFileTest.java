package org.jbits.file;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.testing.TestData;
import org.jbits.transport.TransferException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durable file built directly, with a clock the test moves and an executor the test controls: when ranges and
 * checkpoints are reported, and that none claims a byte before it was written (ranges) or forced (checkpoints).
 */
class DurableFileTest {
    private static final int STAGE = 64 * 1024;
    private static final long SYNC_NANOS = 1_000_000_000L;
    private static final long NOTIFY_NANOS = 500_000_000L;

    @TempDir(factory = DirectWriterTest.OnTheBuildDisk.class)
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private final Sink sink = new Sink();

    /** What the file reported, in order. */
    static final class Sink implements FileSink {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<long[]> ranges = new CopyOnWriteArrayList<>();
        volatile RuntimeException failNext;

        @Override
        public void begun(long offset, long total, String validator) {
            events.add("begun " + offset + " " + total + " " + validator);
        }

        @Override
        public void rangeWritten(long start, long end, long crc32c) {
            ranges.add(new long[]{start, end, crc32c});
            events.add("range " + start + "-" + end);
        }

        @Override
        public void checkpointed(long offset, boolean durable) {
            if (failNext != null) {
                throw failNext;
            }
            events.add("checkpoint " + offset + (durable ? " durable" : ""));
        }

        @Override
        public void progressed(long written) {
            events.add("progress " + written);
        }

        @Override
        public void finished(long size) {
            events.add("finished " + size);
        }

        List<String> of(String kind) {
            return events.stream().filter(e -> e.startsWith(kind)).toList();
        }
    }

    /** Tasks wait here until the test runs them. */
    static final class HeldTasks implements Executor {
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable r) {
            queue.add(r);
        }

        void runAll() {
            while (true) {
                Runnable r;
                synchronized (this) {
                    r = queue.poll();
                }
                if (r == null) {
                    return;
                }
                r.run();
            }
        }
    }

    private DurableFile open(Path file, DurableFile.Recorded recorded, Executor tasks, StagingPool pool)
            throws Exception {
        DurableFile.Options options = new DurableFile.Options(2L * STAGE, 64L << 20, SYNC_NANOS, NOTIFY_NANOS, true);
        return DurableFile.open(file.toString(), FileStorage.at(file, true), recorded, pool, tasks, clock::get,
                options, sink);
    }

    private DurableFile open(Path file, Executor tasks) throws Exception {
        return open(file, new DurableFile.Recorded(0, -1, null), tasks, new StagingPool(STAGE, 64L << 20));
    }

    private static ByteBuffer bytes(byte[] data, int from, int n) {
        return ByteBuffer.wrap(data, from, n);
    }

    @Test
    void aCheckpointComesOnceTheSyncIntervalHasPassedOnTheFilesClock() throws Exception {
        byte[] data = TestData.random(8 * STAGE, 1);
        try (DurableFile f = open(tmp.resolve("a"), Runnable::run)) {
            f.begin(data.length, "\"v1\"", true);
            assertEquals(List.of("begun 0 " + data.length + " \"v1\""), sink.events);
            f.write(bytes(data, 0, 3 * STAGE));
            assertEquals(List.of("range 0-" + STAGE, "range " + STAGE + "-" + 2 * STAGE,
                    "range " + 2 * STAGE + "-" + 3 * STAGE), sink.of("range"),
                    "each full buffer goes to the writer (which runs at once here) and is reported as a range");
            assertEquals(List.of(), sink.of("checkpoint"), "no time has passed: nothing is forced yet");
            clock.addAndGet(SYNC_NANOS);
            f.write(bytes(data, 3 * STAGE, STAGE));
            assertEquals(List.of("checkpoint " + 4 * STAGE), sink.of("checkpoint"),
                    "a second later the next batch brings a checkpoint of everything written");
        }
    }

    @Test
    void buffersQueuedWhileTheWriterIsBusyAreWrittenInBatchesOfAtMostBatchBytes() throws Exception {
        HeldTasks tasks = new HeldTasks();
        byte[] data = TestData.random(3 * STAGE, 11);
        try (DurableFile f = open(tmp.resolve("batch"), tasks)) {
            f.begin(data.length, null, true);
            f.write(bytes(data, 0, 3 * STAGE));
            assertEquals(List.of(), sink.of("range"), "the writer has not run yet");
            tasks.runAll();
            assertEquals(List.of("range 0-" + 2 * STAGE, "range " + 2 * STAGE + "-" + 3 * STAGE), sink.of("range"),
                    "one gathering write of two buffers (the batch limit), then the third");
        }
    }

    @Test
    void aSlowTrickleIsHandedToTheWriterOnceItsBufferIsHalfAnIntervalOld() throws Exception {
        byte[] data = TestData.random(200, 2);
        try (DurableFile f = open(tmp.resolve("b"), Runnable::run)) {
            f.begin(-1, null, true);
            f.write(bytes(data, 0, 100));
            assertEquals(List.of(), sink.of("range"), "a fresh partial buffer waits for more");
            clock.addAndGet(SYNC_NANOS / 2);
            f.write(bytes(data, 100, 1));
            assertEquals(List.of("range 0-101"), sink.of("range"));
            assertEquals(101, f.position());
        }
    }

    @Test
    void eachRangeCarriesTheCrc32cOfItsBytes() throws Exception {
        byte[] data = TestData.random(5 * STAGE, 3);
        Path file = tmp.resolve("c");
        try (DurableFile f = open(file, Runnable::run)) {
            f.begin(data.length, null, true);
            f.write(bytes(data, 0, data.length));
            f.finish();
        }
        assertArrayEquals(data, Files.readAllBytes(file));
        for (long[] r : sink.ranges) {
            CRC32C crc = new CRC32C();
            crc.update(data, (int) r[0], (int) (r[1] - r[0]));
            assertEquals(crc.getValue(), r[2], "range " + r[0] + "-" + r[1]);
        }
        assertEquals(data.length, sink.ranges.get(sink.ranges.size() - 1)[1]);
        assertEquals("finished " + data.length, sink.events.get(sink.events.size() - 1),
                "finished comes last, after the last range");
    }

    @Test
    void progressIsReportedAtMostOncePerNotifyInterval() throws Exception {
        byte[] data = TestData.random(12 * STAGE, 4);
        try (DurableFile f = open(tmp.resolve("d"), Runnable::run)) {
            f.begin(data.length, null, true);
            f.write(bytes(data, 0, 6 * STAGE));
            assertEquals(List.of(), sink.of("progress"), "six batches within the same instant: no progress call");
            clock.addAndGet(NOTIFY_NANOS);
            f.write(bytes(data, 6 * STAGE, 6 * STAGE));
            assertEquals(List.of("progress " + 7 * STAGE), sink.of("progress"), "one call, at the first batch after");
        }
    }

    @Test
    void closingWithoutFinishingKeepsWhatWasReceivedAsADurableCheckpoint() throws Exception {
        byte[] data = TestData.random(STAGE + 10, 5);
        Path file = tmp.resolve("e");
        try (DurableFile f = open(file, Runnable::run)) {
            f.begin(-1, null, true);
            f.write(bytes(data, 0, data.length));
        }
        assertEquals(List.of("checkpoint " + data.length + " durable"), sink.of("checkpoint"));
        assertEquals(data.length, Files.size(file));
        assertTrue(sink.of("finished").isEmpty());
    }

    @Test
    void bytesPastTheCheckpointAreCutWhenTheBodyBeginsAndAShortenedFileStartsFromZero() throws Exception {
        Path file = tmp.resolve("f");
        Files.write(file, TestData.random(1000, 6));
        try (DurableFile f = open(file, new DurableFile.Recorded(600, 1000, "\"v\""), Runnable::run,
                new StagingPool(STAGE, 1 << 20))) {
            assertEquals(600, f.offset());
            assertEquals("\"v\"", f.validator());
            f.begin(1000, "\"v\"", false);
            assertEquals(600, Files.size(file), "the 400 bytes nothing vouches for are gone");
        }
        try (DurableFile f = open(file, new DurableFile.Recorded(5000, 9000, "\"v\""), Runnable::run,
                new StagingPool(STAGE, 1 << 20))) {
            assertEquals(0, f.offset(), "a file shorter than its checkpoint lost bytes: none is trusted");
            assertEquals(null, f.validator());
            f.begin(9000, "\"v2\"", true);
            assertEquals(0, Files.size(file));
        }
    }

    @Test
    void aTransferThatFailsBeforeItsBodyLeavesNoFile() throws Exception {
        Path file = tmp.resolve("never");
        try (DurableFile f = open(file, Runnable::run)) {
            assertEquals(0, f.offset());
        }
        assertFalse(Files.exists(file), "no body began: nothing was created");
        assertEquals(List.of(), sink.events);
    }

    @Test
    void aBodyFromZeroDiscardsTheBytesHeldBefore() throws Exception {
        Path file = tmp.resolve("g");
        Files.write(file, TestData.random(500, 7));
        byte[] data = TestData.random(300, 8);
        try (DurableFile f = open(file, new DurableFile.Recorded(500, 1000, "\"old\""), Runnable::run,
                new StagingPool(STAGE, 1 << 20))) {
            f.begin(300, "\"new\"", true);
            f.write(bytes(data, 0, data.length));
            f.finish();
        }
        assertEquals("begun 0 300 \"new\"", sink.events.get(0));
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    @Test
    void aWriterWithLessThanABatchWaitsAMomentForTheNextBuffersAndWritesThemTogether() throws Exception {
        // The writer runs on a thread of its own: it takes the first buffer, finds no second, and waits for one (up
        // to WritePipeline.COALESCE_NANOS) rather than writing one buffer alone. Timed rounds: one whose second
        // buffer came later than 3 ms after the writer started (a loaded machine) says nothing and is tried again.
        int judged = 0;
        for (int round = 0; round < 10 && judged < 3; round++) {
            sink.ranges.clear();
            sink.events.clear();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            Executor tasks = r -> pool.execute(() -> {
                started.countDown();
                r.run();
            });
            byte[] data = TestData.random(2 * STAGE, 12 + round);
            Path file = tmp.resolve("coalesce" + round);
            try (DurableFile f = open(file, tasks)) {
                f.begin(data.length, null, true);
                f.write(bytes(data, 0, STAGE));
                assertTrue(started.await(10, TimeUnit.SECONDS));
                long since = System.nanoTime();
                Thread.sleep(1); // the writer has taken the first buffer and looks for more
                f.write(bytes(data, STAGE, STAGE));
                long gap = System.nanoTime() - since;
                f.finish();
                if (gap < 3_000_000L) {
                    judged++;
                    assertEquals(List.of("range 0-" + 2 * STAGE), sink.of("range"),
                            "one write of both buffers, not one per buffer (second buffer " + gap / 1000 + " us later)");
                }
            } finally {
                pool.shutdown();
            }
            assertArrayEquals(data, Files.readAllBytes(file));
        }
        assertTrue(judged > 0, "no round had its second buffer within 3 ms of the writer's start");
    }

    @Test
    void theProducerWaitsForTheWriterWhenEveryBufferIsInUse() throws Exception {
        HeldTasks tasks = new HeldTasks();
        byte[] data = TestData.random(3 * STAGE, 9);
        Path file = tmp.resolve("h");
        // A pool with room for the two buffers every transfer gets and no more.
        StagingPool pool = new StagingPool(STAGE, 2L * STAGE);
        try (DurableFile f = open(file, new DurableFile.Recorded(0, -1, null), tasks, pool)) {
            f.begin(data.length, null, true);
            f.write(bytes(data, 0, 2 * STAGE));
            Thread producer = new Thread(() -> {
                try {
                    f.write(bytes(data, 2 * STAGE, STAGE));
                } catch (TransferException e) {
                    throw new AssertionError(e);
                }
            });
            producer.start();
            producer.join(300);
            assertTrue(producer.isAlive(), "both buffers are queued for the writer, which has not run: the producer waits");
            tasks.runAll();
            producer.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(producer.isAlive(), "the writer freed a buffer and woke the producer");
            tasks.runAll(); // the third buffer's write, queued by the producer
            f.finish();
        }
        assertArrayEquals(data, Files.readAllBytes(file));
        assertEquals(0, pool.lentBytes(), "every buffer went back to the pool");
    }

    @Test
    void aSinkThatFailsStopsTheTransferWithALocalFileError() throws Exception {
        byte[] data = TestData.random(4 * STAGE, 10);
        try (DurableFile f = open(tmp.resolve("i"), Runnable::run)) {
            f.begin(data.length, null, true);
            sink.failNext = new IllegalStateException("the store is gone");
            clock.addAndGet(SYNC_NANOS);
            TransferException e = assertThrows(TransferException.class, () -> {
                f.write(bytes(data, 0, data.length));
                f.finish();
            });
            assertEquals(ErrorContext.LOCAL_FILE, e.context());
            assertEquals(HResult.E_FAIL, e.hresult());
            assertTrue(e.getMessage().contains("the store is gone"), e.getMessage());
        }
    }
}
