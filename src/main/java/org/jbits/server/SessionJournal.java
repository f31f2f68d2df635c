package org.jbits.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeFile;

/**
 * One session's journal: an append-only file of text records in the server's state directory, each line ending in
 * the CRC-32C of its text ({@code text|crc}), so a torn last record (a crash mid-append) is recognised and dropped
 * when the journal is read back. A record marked durable is forced to disk before {@link #append} returns; the
 * others reach the file system at once (so {@code kill -9} loses none of them) and the disk with the next durable
 * one.
 *
 * <p>Why one journal per session rather than one database: sessions share nothing, so none waits for another's
 * write; each session's state is a short sequence of facts (created, ranges written, checkpoints, finished, reply);
 * and ending a session is deleting one file. The journal is rewritten compactly once it grows past
 * {@link #COMPACT_BYTES} (a client sending tiny fragments).
 */
final class SessionJournal {
    /** Past this size the journal is rewritten as the few records that describe the session now. */
    static final long COMPACT_BYTES = 1 << 20;
    private static final int MAX_BYTES = 64 << 20;

    private final SafeDirectory state;
    private final String fileName;
    /** Open while the session is being written to; guarded by this. */
    private FileChannel channel;
    private long size;

    private SessionJournal(SafeDirectory state, String fileName, long size) {
        this.state = state;
        this.fileName = fileName;
        this.size = size;
    }

    String fileName() {
        return fileName;
    }

    /** Creates the journal (which must not exist) with its first record. */
    static SessionJournal create(SafeDirectory state, String fileName, String header) throws IOException {
        try (SafeFile f = state.create(fileName, 0600)) {
            SessionJournal j = new SessionJournal(state, fileName, 0);
            j.channel = f.openChannel();
            j.append(header, false);
            return j;
        }
    }

    /** The journal as it is on disk, read by {@link #read}. */
    static SessionJournal existing(SafeDirectory state, String fileName, long size) {
        return new SessionJournal(state, fileName, size);
    }

    synchronized void append(String record, boolean durable) throws IOException {
        FileChannel ch = channel();
        ByteBuffer b = ByteBuffer.wrap(line(record));
        while (b.hasRemaining()) {
            size += ch.write(b, size);
        }
        if (durable) {
            ch.force(false);
        }
    }

    synchronized long size() {
        return size;
    }

    /** Lets go of the open file until the session is written to again (an idle session holds no descriptor). */
    synchronized void release() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was pending: every append was a complete write
            }
            channel = null;
        }
    }

    /** Replaces the journal with {@code records}, atomically (written beside it, forced, renamed over it). */
    synchronized void rewrite(List<String> records) throws IOException {
        String next = fileName + ".new";
        state.delete(next, null);
        long written = 0;
        SafeFile f = state.create(next, 0600);
        try (f; FileChannel ch = f.openChannel()) {
            for (String r : records) {
                ByteBuffer b = ByteBuffer.wrap(line(r));
                while (b.hasRemaining()) {
                    written += ch.write(b, written);
                }
            }
            ch.force(true);
        }
        release();
        state.rename(next, f.identity(), fileName);
        state.force();
        size = written;
    }

    synchronized void delete() throws IOException {
        release();
        state.delete(fileName, null);
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            try (SafeFile f = state.openExisting(fileName, null)) {
                channel = f.openChannel();
            }
        }
        return channel;
    }

    /**
     * The journal's valid records, in order: reading stops at the first line without its newline or whose
     * checksum does not match, and the file is cut there so that later records follow valid ones.
     */
    static List<String> read(SafeDirectory state, String fileName) throws IOException {
        try (SafeFile f = state.openExisting(fileName, null); FileChannel ch = f.openChannel()) {
            long length = ch.size();
            if (length > MAX_BYTES) {
                throw new IOException(fileName + " is " + length + " bytes, not a session journal");
            }
            ByteBuffer all = ByteBuffer.allocate((int) length);
            while (all.hasRemaining() && ch.read(all, all.position()) >= 0) {
                // read on
            }
            byte[] bytes = all.array();
            List<String> records = new ArrayList<>();
            int start = 0;
            long valid = 0;
            for (int i = 0; i < all.position(); i++) {
                if (bytes[i] != '\n') {
                    continue;
                }
                String record = check(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                if (record == null) {
                    break;
                }
                records.add(record);
                start = i + 1;
                valid = start;
            }
            if (valid < length) {
                ch.truncate(valid);
                ch.force(true);
            }
            return records;
        }
    }

    private static byte[] line(String record) {
        if (record.indexOf('\n') >= 0 || record.indexOf('|') >= 0) {
            throw new IllegalArgumentException("a journal record is one line without '|': " + record);
        }
        return (record + "|" + crcHex(record) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The record's text if its checksum matches, else null. */
    private static String check(String line) {
        int bar = line.lastIndexOf('|');
        if (bar < 0) {
            return null;
        }
        String text = line.substring(0, bar);
        return line.substring(bar + 1).equals(crcHex(text)) ? text : null;
    }

    private static String crcHex(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }
}
