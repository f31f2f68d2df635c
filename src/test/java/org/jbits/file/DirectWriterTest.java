package org.jbits.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

/** Direct and page-cache writes into one temporary file, on the build's real file system. */
class DirectWriterTest {
    /**
     * Under target/, on the disk the build runs on (downloads go to real disks), not /tmp, which is a tmpfs on many
     * machines and takes O_DIRECT only from Linux 6.6 on.
     */
    public static final class OnTheBuildDisk implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
            return Files.createTempDirectory(Files.createDirectories(Path.of("target", "tmp")), "direct-");
        }
    }

    @TempDir(factory = OnTheBuildDisk.class)
    Path tmp;

    private final StagingPool pool = new StagingPool(64 * 1024, 1 << 20);

    /** Cuts {@code data[from, from + n)} into a staging buffer, as the reader would fill it. */
    private ByteBuffer staged(DirectWriter w, byte[] data, int from, int n) {
        ByteBuffer b = n <= pool.bufferBytes() ? pool.take(true) : ByteBuffer.allocateDirect(n + 4096).alignedSlice(4096);
        b.clear().limit(n);
        b.put(data, from, n).flip();
        return b;
    }

    @Test
    void alignedBuffersGoStraightToTheDiskAndTheRestThroughThePageCache() throws Exception {
        Path f = tmp.resolve("t.part");
        try (DirectWriter w = DirectWriter.open(f, true)) {
            // The file systems builds run on (ext4, xfs, btrfs) take O_DIRECT: if this fails,
            // the data path silently lost its fast writes.
            assertTrue(w.isDirect(), "O_DIRECT refused on " + Files.getFileStore(tmp).type());
            int a = w.alignment();
            assertTrue(a >= 512, "alignment " + a);
            byte[] data = TestData.random(8 * a + 1000, 3);
            // [0, 2a) aligned, [2a, 2a+100) a short buffer (handed over early), [2a+100, 4a) the one ending on the
            // next boundary, [4a, 8a) aligned again, then an unaligned tail.
            List<ByteBuffer> bufs = new ArrayList<>();
            bufs.add(staged(w, data, 0, 2 * a));
            bufs.add(staged(w, data, 2 * a, 100));
            assertEquals(2 * a - 100, w.alignedLimit(2 * a + 100, 2 * a));
            bufs.add(staged(w, data, 2 * a + 100, 2 * a - 100));
            bufs.add(staged(w, data, 4 * a, 4 * a));
            bufs.add(staged(w, data, 8 * a, 1000));
            w.write(0, bufs.toArray(ByteBuffer[]::new));
            w.force(true);
            assertEquals(6L * a, w.directBytes());
            assertEquals(2L * a + 1000, w.cachedBytes());
            assertArrayEquals(data, Files.readAllBytes(f));
        }
    }

    @Test
    void aResumeFromAnUnalignedOffsetWritesOneBufferThroughThePageCacheThenGoesDirect() throws Exception {
        Path f = tmp.resolve("r.part");
        try (DirectWriter w = DirectWriter.open(f, true)) {
            int a = w.alignment();
            byte[] data = TestData.random(6 * a + 77, 9);
            int start = a + 77;
            // What the checkpoint vouches for is already in the file.
            Files.write(f, Arrays.copyOf(data, start));
            int first = w.alignedLimit(start, 2 * a);
            assertEquals(2 * a - 77, first);
            ByteBuffer b1 = staged(w, data, start, first);
            ByteBuffer b2 = staged(w, data, start + first, 2 * a);
            ByteBuffer b3 = staged(w, data, start + first + 2 * a, data.length - start - first - 2 * a);
            w.write(start, new ByteBuffer[] {b1});
            w.write(start + first, new ByteBuffer[] {b2, b3});
            w.force(false);
            assertEquals(2L * a, w.directBytes());
            assertArrayEquals(data, Files.readAllBytes(f));
        }
    }

    @Test
    void aDirectWriteTheFileSystemRefusesIsWrittenThroughThePageCacheAndDirectWritesStop() throws Exception {
        Path f = tmp.resolve("e.part");
        FileChannel refusing = mock(FileChannel.class);
        // It takes 4 KiB of the first buffer, then refuses the rest: those 4 KiB are written again.
        when(refusing.write(any(ByteBuffer[].class), anyInt(), anyInt())).thenAnswer(inv -> {
            ByteBuffer[] bufs = inv.getArgument(0);
            ByteBuffer b = bufs[inv.<Integer>getArgument(1)];
            if (b.position() == 0) {
                b.position(4096);
                return 4096L;
            }
            throw new IOException("Invalid argument");
        });
        try (DirectWriter w = new DirectWriter(f, refusing, 4096)) {
            byte[] data = TestData.random(3 * 4096 + 5, 6);
            ByteBuffer first = staged(w, data, 0, 2 * 4096);
            w.write(0, new ByteBuffer[] {first});
            assertFalse(w.isDirect());
            assertEquals(1, w.alignment());
            w.write(2 * 4096, new ByteBuffer[] {staged(w, data, 2 * 4096, 4096 + 5)});
            assertEquals(0, w.directBytes());
            assertEquals(data.length, w.cachedBytes());
            assertArrayEquals(data, Files.readAllBytes(f));
        }
    }

    @Test
    void aClosedDirectChannelIsAnErrorNotAFallback() throws Exception {
        Path f = tmp.resolve("x.part");
        FileChannel closed = mock(FileChannel.class);
        when(closed.write(any(ByteBuffer[].class), anyInt(), anyInt())).thenThrow(new ClosedChannelException());
        try (DirectWriter w = new DirectWriter(f, closed, 4096)) {
            ByteBuffer b = staged(w, TestData.random(4096, 1), 0, 4096);
            assertThrows(ClosedChannelException.class, () -> w.write(0, new ByteBuffer[] {b}));
            assertEquals(0, Files.size(f));
        }
    }

    @Test
    void withoutDirectIoEverythingGoesThroughThePageCache() throws Exception {
        Path f = tmp.resolve("c.part");
        try (DirectWriter w = DirectWriter.open(f, false)) {
            assertFalse(w.isDirect());
            assertEquals(1, w.alignment());
            byte[] data = TestData.random(3 << 20, 4);
            w.write(0, new ByteBuffer[] {staged(w, data, 0, 1 << 20), staged(w, data, 1 << 20, 2 << 20)});
            w.force(true);
            assertEquals(0, w.directBytes());
            assertEquals(3 << 20, w.cachedBytes());
            assertArrayEquals(data, Files.readAllBytes(f));
        }
    }
}
