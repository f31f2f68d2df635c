package org.jbits.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * An {@link UploadSource} over bytes in memory, whose records (session, acks, reply) outlive the client that used
 * it, as the engine's store does: a new client on the same source is an upload resumed after a restart. Every
 * record is kept in {@link #events} for the tests to read.
 */
final class MemoryUploadSource implements UploadSource {
    volatile byte[] content;
    /** The content the session began with; a different array now is a changed file. */
    private byte[] sessionContent;
    private UploadSession session;
    private long acknowledged;
    private boolean uploaded;
    final List<String> events = new ArrayList<>();
    final Reply reply;

    /** Null, or the file that holds {@link #content} for {@link #channel}: a source the client may send from. */
    private final java.nio.file.Path file;
    private byte[] inFile;
    private java.nio.channels.FileChannel channel;
    private int reads;

    MemoryUploadSource(byte[] content, boolean withReply) {
        this(content, withReply, null);
    }

    /**
     * With {@code file} non-null, the content is also that file's, and {@link #channel} gives it: the client may send
     * fragments straight from it. Setting {@link #content} rewrites the file (a changed local file).
     */
    MemoryUploadSource(byte[] content, boolean withReply, java.nio.file.Path file) {
        this.content = content;
        this.reply = withReply ? new Reply() : null;
        this.file = file;
    }

    @Override
    public synchronized java.nio.channels.FileChannel channel() {
        if (file == null) {
            return null;
        }
        try {
            if (inFile != content) {
                java.nio.file.Files.write(file, content);
                inFile = content;
            }
            if (channel == null) {
                channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return channel;
    }

    /** Calls of {@link #read} that returned bytes. */
    synchronized int reads() {
        return reads;
    }

    @Override
    public synchronized long size() {
        return content.length;
    }

    @Override
    public String name() {
        return "memory.bin";
    }

    @Override
    public int read(ByteBuffer dst, long position) throws TransferException {
        checkUnchanged();
        byte[] c = content;
        if (position >= c.length) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), c.length - position);
        dst.put(c, (int) position, n);
        synchronized (this) {
            reads++;
        }
        return n;
    }

    @Override
    public synchronized void checkUnchanged() throws TransferException {
        if (sessionContent != null && sessionContent != content) {
            throw TransferException.fatal(HResult.BG_E_LOCAL_FILE_CHANGED, ErrorContext.LOCAL_FILE, "changed", null);
        }
    }

    @Override
    public synchronized UploadSession session() {
        return session;
    }

    @Override
    public synchronized void sessionOpened(UploadSession s) {
        session = s;
        acknowledged = 0;
        sessionContent = content;
        events.add("opened " + s.id() + " at " + s.url() + (s.hostId() != null ? " host " + s.hostId() : ""));
    }

    @Override
    public synchronized void sessionChanged(UploadSession s) {
        session = s;
        events.add("changed " + s);
    }

    @Override
    public synchronized void sessionLost() {
        events.add("lost " + session);
        session = null;
        acknowledged = 0;
        sessionContent = null;
        if (reply != null) {
            reply.reset();
        }
    }

    @Override
    public synchronized long acknowledged() {
        return acknowledged;
    }

    @Override
    public synchronized void acknowledgedUpTo(long offset) {
        acknowledged = offset;
        events.add("ack " + offset);
    }

    @Override
    public synchronized void uploaded() {
        uploaded = true;
        events.add("uploaded");
    }

    synchronized boolean isUploaded() {
        return uploaded;
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    @Override
    public ReplyTarget reply() {
        return reply;
    }

    /** The reply: its URL and its bytes, in memory; a download continues where the bytes end. */
    static final class Reply implements ReplyTarget, DownloadTarget {
        URI url;
        boolean none;
        boolean done;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String validator;
        final List<Long> beganAt = new ArrayList<>();

        synchronized void reset() {
            url = null;
            none = false;
            done = false;
            bytes.reset();
            validator = null;
        }

        @Override
        public synchronized URI url() {
            return url;
        }

        @Override
        public synchronized void urlGiven(URI u) {
            url = u;
            bytes.reset();
        }

        @Override
        public synchronized void none() {
            none = true;
            done = true;
        }

        @Override
        public synchronized boolean downloaded() {
            return done;
        }

        @Override
        public void download(Download d) throws TransferException {
            d.into(this);
        }

        @Override
        public synchronized long offset() {
            return bytes.size();
        }

        @Override
        public synchronized String validator() {
            return validator;
        }

        @Override
        public synchronized void begin(long total, String v, boolean fromZero) {
            beganAt.add(fromZero ? 0 : (long) bytes.size());
            if (fromZero) {
                bytes.reset();
            }
            validator = v;
        }

        @Override
        public synchronized void write(ByteBuffer buffer) {
            byte[] b = new byte[buffer.remaining()];
            buffer.get(b);
            bytes.write(b, 0, b.length);
        }

        @Override
        public int readFrom(ReadableByteChannel in) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(64 << 10);
            int n = in.read(b);
            if (n > 0) {
                b.flip();
                write(b);
            }
            return n;
        }

        @Override
        public synchronized void finish() {
            done = true;
        }

        @Override
        public synchronized long position() {
            return bytes.size();
        }

        synchronized byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
