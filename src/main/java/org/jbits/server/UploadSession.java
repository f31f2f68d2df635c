package org.jbits.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jbits.file.FileIdentity;
import org.jbits.file.Segments;

/**
 * One upload session: where its file goes, the hidden file its bytes are received into, how many bytes of it are
 * safe, and what the back-end made of it; and its journal, from which all of this is read back after a restart.
 *
 * <p>A session is server-wide, not tied to a connection: any connection may carry its next packet. Packets of one
 * session are handled one at a time ({@link #lock}); the mutable fields are written under that lock and are
 * volatile so the expiry sweep and the reply download can read them without it.
 */
final class UploadSession {
    static final String JOURNAL_SUFFIX = ".journal";
    static final String REPLY_SUFFIX = ".reply";
    private static final String HEADER = "session";
    private static final int VERSION = 1;

    /** What the back-end application made of the upload: a reply (a URL of its own, or the reply file) and whether the file is kept. */
    record Reply(String staticUrl, boolean copyToDestination) {
    }

    final String id;
    final UploadPath path;
    /** The hidden name the bytes are received under, next to the destination. */
    final String tempName;
    final FileIdentity directoryIdentity;
    final FileIdentity tempIdentity;
    final long createdMillis;
    final SessionJournal journal;
    final ReentrantLock lock = new ReentrantLock();

    /** Bytes [0, received) are in the file and on disk. */
    volatile long received;
    /** The file's size, from the first fragment; -1 before. */
    volatile long total = -1;
    volatile boolean complete;
    volatile Reply reply;
    volatile long lastActivityMillis;

    // Read back from the journal, for recovery only.
    long recoveredCheckpoint;
    final List<Segments.Segment> recoveredRanges = new ArrayList<>();

    UploadSession(String id, UploadPath path, String tempName, FileIdentity directoryIdentity,
            FileIdentity tempIdentity, long createdMillis, SessionJournal journal) {
        this.id = id;
        this.path = path;
        this.tempName = tempName;
        this.directoryIdentity = directoryIdentity;
        this.tempIdentity = tempIdentity;
        this.createdMillis = createdMillis;
        this.journal = journal;
        this.lastActivityMillis = createdMillis;
    }

    /** The bare GUID, as the journal and reply files are named. */
    static String bareId(String id) {
        return id.startsWith("{") ? id.substring(1, id.length() - 1) : id;
    }

    String journalName() {
        return bareId(id) + JOURNAL_SUFFIX;
    }

    String replyName() {
        return bareId(id) + REPLY_SUFFIX;
    }

    /** The hidden name a session's bytes are received under. */
    static String tempNameFor(String id) {
        return ".jbits-" + bareId(id) + ".part";
    }

    /** The journal's first record. */
    String header() {
        return header(id, createdMillis, path, tempName, directoryIdentity, tempIdentity);
    }

    static String header(String id, long createdMillis, UploadPath path, String tempName, FileIdentity directory,
            FileIdentity temp) {
        return HEADER + " " + VERSION + " " + id + " " + createdMillis + " " + encodedPath(path) + " " + tempName + " "
                + identity(directory) + " " + identity(temp);
    }

    private static String encodedPath(UploadPath path) {
        List<String> parts = new ArrayList<>(path.directories());
        parts.add(path.name());
        List<String> enc = new ArrayList<>();
        for (String p : parts) {
            enc.add(UploadPath.encode(p));
        }
        return String.join("/", enc);
    }

    static String beganRecord(long offset, long total) {
        return "begun " + offset + " " + total;
    }

    static String rangeRecord(long start, long end, long crc) {
        return "range " + start + " " + end + " " + Long.toHexString(crc);
    }

    static String checkpointRecord(long offset, long millis) {
        return "checkpoint " + offset + " " + millis;
    }

    static String finishedRecord(long size, long millis) {
        return "finished " + size + " " + millis;
    }

    static String replyRecord(Reply r) {
        return "reply " + (r.copyToDestination() ? 1 : 0) + " "
                + (r.staticUrl() == null ? "-" : UploadPath.encode(r.staticUrl()));
    }

    /** The few records that describe the session now: what a compacted journal holds. */
    List<String> snapshot() {
        List<String> records = new ArrayList<>();
        records.add(header());
        if (total >= 0) {
            records.add(beganRecord(0, total));
            records.add(complete ? finishedRecord(received, lastActivityMillis)
                    : checkpointRecord(received, lastActivityMillis));
        }
        Reply r = reply;
        if (r != null) {
            records.add(replyRecord(r));
        }
        return records;
    }

    /**
     * The session a journal describes. Its checkpoint and the ranges after it are left in {@link #recoveredCheckpoint}
     * and {@link #recoveredRanges} for the received file to be checked against.
     */
    static UploadSession replay(List<String> records, SessionJournal journal) throws BitsError {
        if (records.isEmpty()) {
            throw BitsError.invalid("the journal " + journal.fileName() + " is empty");
        }
        String[] h = records.get(0).split(" ");
        if (h.length != 8 || !h[0].equals(HEADER) || !h[1].equals(Integer.toString(VERSION))) {
            throw BitsError.invalid("the journal " + journal.fileName() + " does not start with a session record");
        }
        UploadSession s = new UploadSession(h[2], UploadPath.ofDisplay(decodePath(h[4])), h[5], parseIdentity(h[6]),
                parseIdentity(h[7]), Long.parseLong(h[3]), journal);
        for (String r : records.subList(1, records.size())) {
            String[] f = r.split(" ");
            switch (f[0]) {
                case "begun" -> {
                    s.recoveredCheckpoint = Long.parseLong(f[1]);
                    s.total = Long.parseLong(f[2]);
                    s.recoveredRanges.clear();
                }
                case "range" -> s.recoveredRanges.add(new Segments.Segment(Long.parseLong(f[1]), Long.parseLong(f[2]),
                        Long.parseLong(f[3], 16)));
                case "checkpoint" -> {
                    s.recoveredCheckpoint = Long.parseLong(f[1]);
                    s.lastActivityMillis = Math.max(s.lastActivityMillis, Long.parseLong(f[2]));
                }
                case "finished" -> {
                    s.recoveredCheckpoint = Long.parseLong(f[1]);
                    s.complete = true;
                    s.lastActivityMillis = Math.max(s.lastActivityMillis, Long.parseLong(f[2]));
                }
                case "reply" -> s.reply = new Reply(f[2].equals("-") ? null : decode(f[2]), f[1].equals("1"));
                default -> throw BitsError.invalid("the journal " + journal.fileName() + " has an unknown record " + f[0]);
            }
        }
        return s;
    }

    private static String decodePath(String encoded) throws BitsError {
        List<String> parts = new ArrayList<>();
        for (String p : encoded.split("/", -1)) {
            parts.add(decode(p));
        }
        return String.join("/", parts);
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String identity(FileIdentity id) {
        return id.device() + ":" + id.inode() + ":" + id.birthNanos();
    }

    private static FileIdentity parseIdentity(String s) {
        String[] p = s.split(":");
        return new FileIdentity(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
    }
}
