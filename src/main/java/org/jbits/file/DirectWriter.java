package org.jbits.file;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a temporary file's staged bytes: runs that start and end on the file system's block boundary go straight
 * to the disk ({@code O_DIRECT}), anything else through the page cache.
 *
 * <p>Why: every byte of a download has to reach the disk before it is checkpointed and before the file is renamed
 * into place, so the page cache only adds work: allocating and filling a page per 4 KiB, writing it back, and on a
 * virtual machine first touching guest memory the host has not backed yet. Measured on this project's machine,
 * 1 GiB in 4 MiB writes made durable: 0.44-0.60 s and 0.1-0.2 s of CPU with direct writes, 0.74-3.4 s and 0.5-3.2 s
 * of CPU through the page cache (the CPU is taken from the transfer on a 2-core machine).
 *
 * <p>A file system that refuses {@code O_DIRECT} (or {@code engine.directIo=false}) gets page-cache writes only.
 * The two kinds of writes never overlap: each byte is written once, and a direct write leaves no stale cached page
 * behind (the kernel invalidates the range it writes). {@link #force} covers both, as it is one file.
 */
public final class DirectWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectWriter.class);
    /**
     * The largest block size direct writes are used with: the alignment of the staging buffers. A larger one
     * (unusual) means page-cache writes.
     */
    private static final int MAX_ALIGN = StagingPool.ALIGN;

    private final Path path;
    private final FileChannel channel;
    /** Written by the writer thread only; read by the thread filling staging buffers ({@link #alignedLimit}). */
    private volatile FileChannel direct;
    private volatile int align;
    private long directBytes;
    private long cachedBytes;
    /** The handle the channels were opened from, or null for a writer opened by name. */
    private final SafeFile file;

    /**
     * Opens (creating it if needed) {@code path}; with {@code directIo}, a second, direct channel when the file
     * system takes one. By name: for tests and for platforms without {@link SafeDirectory}.
     */
    public static DirectWriter open(Path path, boolean directIo) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        return new DirectWriter(path, channel, () -> FileChannel.open(path, StandardOpenOption.WRITE,
                ExtendedOpenOption.DIRECT), () -> Files.getFileStore(path).getBlockSize(), directIo, null);
    }

    /** Writes the file {@code file} holds open, whatever happens to its name; direct writes as for {@link #open(Path, boolean)}. */
    public static DirectWriter open(SafeFile file, boolean directIo) throws IOException {
        Path where = file.directory().path().resolve(file.name());
        return new DirectWriter(where, file.channel(false), () -> file.channel(true), file::blockSize, directIo, file);
    }

    /** Opens a channel; what the direct channel comes from. */
    private interface ChannelOpener {
        FileChannel open() throws IOException;
    }

    /** The file system's block size (asked of the open file where there is one: the mount table is not parsed). */
    private interface BlockSize {
        long get() throws IOException;
    }

    private DirectWriter(Path path, FileChannel channel, ChannelOpener directOpener, BlockSize blockSize,
            boolean directIo, SafeFile file) throws IOException {
        this.path = path;
        this.channel = channel;
        this.file = file;
        FileChannel d = null;
        int a = 1;
        if (directIo) {
            try {
                long block = blockSize.get();
                if (block > 0 && block <= MAX_ALIGN && Long.bitCount(block) == 1) {
                    d = directOpener.open();
                    a = (int) block;
                }
            } catch (IOException | UnsupportedOperationException e) {
                log.debug("{}: no direct writes here ({}), writing through the page cache", path, e.toString());
            }
        }
        direct = d;
        align = a;
    }

    /** For tests: {@code direct} stands for the direct channel, with alignment {@code align}. */
    DirectWriter(Path path, FileChannel direct, int align) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        this.direct = direct;
        this.align = align;
        this.file = null;
    }

    /**
     * Fails when the file (or its directory) was deleted since it was opened: only a writer opened from a
     * {@link SafeFile} can tell; one opened by name never fails here.
     */
    void ensureLinked() throws IOException {
        if (file != null) {
            file.ensureLinked();
        }
    }

    /** The alignment staging buffers need (1 without direct writes). */
    int alignment() {
        return align;
    }

    boolean isDirect() {
        return direct != null;
    }

    /**
     * How many of {@code capacity} bytes a buffer starting at file offset {@code offset} should take so that it
     * ends on a block boundary (then the buffers after it start on one and can be written directly).
     */
    int alignedLimit(long offset, int capacity) {
        return capacity - (int) (offset % align);
    }

    FileChannel channel() {
        return channel;
    }

    /**
     * Writes {@code bufs} (their remaining bytes) one after another from {@code offset}: each maximal run of
     * block-aligned buffers with one direct gathering write, the others through the page cache. Buffers to be
     * written directly must start at an address aligned to {@link #alignment()} ({@link StagingPool}'s are).
     */
    void write(long offset, ByteBuffer[] bufs) throws IOException {
        long pos = offset;
        int i = 0;
        while (i < bufs.length) {
            boolean aligned = direct != null && isAligned(pos, bufs[i]);
            int j = i;
            long end = pos;
            while (j < bufs.length && (direct != null && isAligned(end, bufs[j])) == aligned) {
                end += bufs[j].remaining();
                j++;
            }
            if (aligned) {
                int[] starts = new int[j - i];
                for (int k = i; k < j; k++) {
                    starts[k - i] = bufs[k].position();
                }
                try {
                    directBytes += write(direct, pos, end - pos, bufs, i, j);
                } catch (ClosedChannelException e) {
                    throw e;
                } catch (IOException e) {
                    // A file system that opened the file for direct writes and then refuses one (an alignment
                    // rule stricter than its block size): the page cache it is, from here on. A real write error
                    // (no space, I/O error) comes back from the same write through the page cache.
                    log.warn("{}: a direct write failed ({}); writing through the page cache", path, e.toString());
                    stopDirect();
                    for (int k = i; k < j; k++) {
                        bufs[k].position(starts[k - i]);
                    }
                    cachedBytes += write(channel, pos, end - pos, bufs, i, j);
                }
            } else {
                cachedBytes += write(channel, pos, end - pos, bufs, i, j);
            }
            pos = end;
            i = j;
        }
    }

    /** Writes {@code length} bytes, all that {@code bufs[from, to)} hold, at {@code pos}. */
    private static long write(FileChannel ch, long pos, long length, ByteBuffer[] bufs, int from, int to)
            throws IOException {
        ch.position(pos);
        long n = 0;
        while (n < length) {
            n += ch.write(bufs, from, to - from);
        }
        return n;
    }

    private void stopDirect() {
        try {
            direct.close();
        } catch (IOException ignored) {
            // nothing is pending on it: its writes are synchronous
        }
        direct = null;
        align = 1;
    }

    private boolean isAligned(long pos, ByteBuffer b) {
        return pos % align == 0 && b.remaining() % align == 0 && b.remaining() > 0;
    }

    /** Forces both kinds of writes to the disk; with {@code metadata}, the file's size and times too. */
    void force(boolean metadata) throws IOException {
        channel.force(metadata);
    }

    long directBytes() {
        return directBytes;
    }

    long cachedBytes() {
        return cachedBytes;
    }

    @Override
    public void close() throws IOException {
        try {
            if (direct != null) {
                direct.close();
            }
            if (file != null) {
                file.close();
            }
        } finally {
            channel.close();
        }
    }
}
