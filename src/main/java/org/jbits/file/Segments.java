package org.jbits.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of a temporary file past its checkpoint, as ranges with their CRC-32C.
 *
 * <p>A checkpoint is the offset up to which a file was forced to disk before it was recorded; the engine takes
 * one every second (and every {@code engine.syncBytes}). In between, each batch of bytes the writer hands to the
 * file system is recorded as a range with its checksum, without forcing anything. After a crash the ranges that
 * follow the checkpoint are read back: those whose bytes match their checksum are kept, the first that does not
 * (a power cut that lost bytes never forced) and everything after it is cut off. So no unverified byte
 * survives, and an agent killed with {@code kill -9} (which loses nothing the file system was given) re-fetches
 * at most one batch, {@code engine.checkpointBytes}.
 */
public final class Segments {
    /** {@code [start, end)} of a file, and the CRC-32C of those bytes. */
    public record Segment(long start, long end, long crc32c) {
    }

    private Segments() {
    }

    /**
     * How far the bytes of {@code file} can be trusted: {@code checkpoint}, extended by each following segment
     * whose bytes are in the file and match its checksum, in order.
     */
    public static long verify(Path file, long checkpoint, List<Segment> segments) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return verify(ch, checkpoint, segments);
        }
    }

    /** {@link #verify(Path, long, List)} on an open file. */
    public static long verify(FileChannel ch, long checkpoint, List<Segment> segments) throws IOException {
        long trusted = checkpoint;
        long size = ch.size();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        for (Segment s : segments) {
            if (s.end() <= trusted) {
                continue;
            }
            if (s.start() != trusted || s.end() > size) {
                break;
            }
            if (crc32c(ch, s.start(), s.end(), buf) != s.crc32c()) {
                break;
            }
            trusted = s.end();
        }
        return trusted;
    }

    /**
     * {@link #recover(Path, long, List)} for a file held open by its handle (an upload server's received file, in a
     * directory other users may write): nothing is opened by name.
     *
     * @return the trusted length
     */
    public static long recover(SafeFile file, long checkpoint, List<Segment> segments) throws IOException {
        try (FileChannel ch = file.openChannel()) {
            return recover(ch, checkpoint, segments);
        }
    }

    /**
     * After a crash: keeps what {@code checkpoint} and the verified {@code segments} vouch for, cuts the rest off and
     * forces what it kept (the verified bytes may be in the page cache only, and the checkpoint will claim them). A
     * file shorter than its checkpoint lost bytes it had (it was replaced behind our back): nothing in it can be
     * trusted, and it is cut to 0.
     *
     * @param ch the file, open for reading and writing
     * @return the trusted length
     */
    public static long recover(FileChannel ch, long checkpoint, List<Segment> segments) throws IOException {
        long size = ch.size();
        long trusted = size < checkpoint ? 0 : size == checkpoint ? checkpoint : verify(ch, checkpoint, segments);
        if (size > trusted) {
            ch.truncate(trusted);
        }
        ch.force(true);
        return trusted;
    }

    /** {@link #recover(FileChannel, long, List)} by name, never following a link; -1 when there is no file. */
    public static long recover(Path file, long checkpoint, List<Segment> segments) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return -1;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            return recover(ch, checkpoint, segments);
        }
    }

    private static long crc32c(FileChannel ch, long start, long end, ByteBuffer buf) throws IOException {
        CRC32C crc = new CRC32C();
        long pos = start;
        while (pos < end) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                break;
            }
            buf.flip();
            crc.update(buf);
            pos += n;
        }
        return pos == end ? crc.getValue() : -1;
    }
}
