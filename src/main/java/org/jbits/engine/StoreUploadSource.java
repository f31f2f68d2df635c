package org.jbits.engine;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobType;
import org.jbits.file.DurableFile;
import org.jbits.file.FileErrors;
import org.jbits.file.FileVersion;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeFile;
import org.jbits.transport.ReplyTarget;
import org.jbits.transport.TransferException;
import org.jbits.transport.UploadSession;
import org.jbits.transport.UploadSource;

/**
 * The engine's side of an upload: the job's local file, opened for reading by the identity recorded at AddFile
 * (through its directory's handle, no link followed: an agent running as root never reads a file swapped in under
 * the name), and the session's records in the store. What the server acknowledged is the file row's checkpoint,
 * recorded through the store's periodic connection (it only has to outlive the agent: the server says where it is
 * on every resume); a new or changed session, a reply URL and the end of the upload are committed durably before
 * they are relied on. The reply of an upload-reply job is a {@link DurableFile} from {@link TempFiles}, reporting
 * like a download's. Nothing here takes the engine's lock.
 */
final class StoreUploadSource implements UploadSource, ReplyTarget, AutoCloseable {
    private final JobStore store;
    private final TempFiles tempFiles;
    private final Run run;
    private final JobRecord rec;
    private final FileRecord file;
    private final SafeDirectory dir;
    private final SafeFile handle;
    private final FileChannel channel;
    private final EngineClock clock;
    /** When the job's listeners last heard of progress: at most every {@link #NOTIFY_NANOS}, as for downloads. */
    private long notifiedNanos = Long.MIN_VALUE;
    private static final long NOTIFY_NANOS = 500_000_000L;

    private StoreUploadSource(JobStore store, TempFiles tempFiles, EngineClock clock, Run run, FileRecord file,
            SafeDirectory dir, SafeFile handle, FileChannel channel) {
        this.store = store;
        this.clock = clock;
        this.tempFiles = tempFiles;
        this.run = run;
        this.rec = run.job.rec;
        this.file = file;
        this.dir = dir;
        this.handle = handle;
        this.channel = channel;
    }

    /** Opens the job's local file; fails as BITS fails when it is gone, swapped or unreadable (LocalFile). */
    static StoreUploadSource open(JobStore store, TempFiles tempFiles, EngineClock clock, Run run, FileRecord f)
            throws TransferException {
        Path local = Path.of(f.localName);
        UploadRecord u = run.job.rec.upload;
        if (!SafeDirectory.supported()) {
            try {
                if (!Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                    throw TransferException.fatal(HResult.E_ACCESSDENIED, ErrorContext.LOCAL_FILE,
                            "the file to upload, " + local + ", is no longer a regular file", null);
                }
                FileChannel ch = FileChannel.open(local, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                return new StoreUploadSource(store, tempFiles, clock, run, f, null, null, ch);
            } catch (IOException e) {
                throw openFailure(local, e);
            }
        }
        SafeDirectory d = null;
        SafeFile h = null;
        try {
            d = SafeDirectory.open(local.getParent(), f.dirId);
            h = d.openForReading(local.getFileName().toString(), u.sourceId);
            if (u.sourceId == null) {
                // A job from a store before version 3: the file it names now is the one it uploads from now on.
                u.sourceId = h.identity();
                store.saveUpload(rec(run).id, u);
            }
            return new StoreUploadSource(store, tempFiles, clock, run, f, d, h, h.readChannel());
        } catch (IOException e) {
            if (h != null) {
                h.close();
            }
            if (d != null) {
                d.close();
            }
            throw openFailure(local, e);
        }
    }

    private static JobRecord rec(Run run) {
        return run.job.rec;
    }

    private static TransferException openFailure(Path local, IOException e) {
        if (e instanceof SafeDirectory.ReplacedException) {
            return TransferException.fatal(HResult.BG_E_LOCAL_FILE_CHANGED, ErrorContext.LOCAL_FILE,
                    "the file to upload, " + local + ", " + ((SafeDirectory.ReplacedException) e).getReason()
                            + "; nothing of the new file is sent", e);
        }
        if (e instanceof NoSuchFileException) {
            return TransferException.fatal(HResult.ERROR_FILE_NOT_FOUND, ErrorContext.LOCAL_FILE,
                    "the file to upload, " + local + ", is gone", e);
        }
        if (e instanceof AccessDeniedException) {
            return TransferException.fatal(HResult.E_ACCESSDENIED, ErrorContext.LOCAL_FILE,
                    "the file to upload, " + local + ", cannot be read: " + e.getMessage(), e);
        }
        return FileErrors.toTransfer("cannot open the file to upload, " + local, e);
    }

    // ------------------------------------------------------------------ the local file

    @Override
    public long size() throws TransferException {
        FileVersion v = FileVersion.parse(file.validator);
        return v != null ? v.size() : version().size();
    }

    @Override
    public String name() {
        return Path.of(file.localName).getFileName().toString();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws TransferException {
        try {
            return channel.read(dst, position);
        } catch (IOException e) {
            throw TransferException.localFile("cannot read the file to upload, " + file.localName, e);
        }
    }

    @Override
    public FileChannel channel() {
        return channel;
    }

    @Override
    public void checkUnchanged() throws TransferException {
        FileVersion began = FileVersion.parse(file.validator);
        if (began == null) {
            return;
        }
        FileVersion now = version();
        if (!now.equals(began)) {
            throw TransferException.fatal(HResult.BG_E_LOCAL_FILE_CHANGED, ErrorContext.LOCAL_FILE,
                    "the file to upload, " + file.localName + ", changed during the upload (" + began.size()
                            + " bytes then, " + now.size() + " now" + (now.size() == began.size()
                            ? ", modified since" : "") + "); resume the job to upload it anew", null);
        }
    }

    private FileVersion version() throws TransferException {
        try {
            if (handle != null) {
                return handle.version();
            }
            BasicFileAttributes a = Files.readAttributes(Path.of(file.localName), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return new FileVersion(a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
        } catch (IOException e) {
            throw TransferException.localFile("cannot read the file to upload, " + file.localName, e);
        }
    }

    // ------------------------------------------------------------------ the session

    @Override
    public UploadSession session() {
        return rec.upload.session;
    }

    @Override
    public void sessionOpened(UploadSession session) throws TransferException {
        FileVersion v = version();
        file.validator = v.toString();
        file.bytesTotal = v.size();
        file.checkpoint = 0;
        file.bytesTransferred = 0;
        file.completed = false;
        rec.upload.session = session;
        UploadRecord.resetReply(rec.upload.reply);
        if (rec.upload.reply != null) {
            rec.upload.reply.remoteName = "";
            rec.upload.reply.uri = null;
        }
        store.saveUploadState(rec, file, false);
        run.noteConnected();
    }

    @Override
    public void sessionChanged(UploadSession session) {
        rec.upload.session = session;
        store.saveUpload(rec.id, rec.upload);
    }

    @Override
    public void sessionLost() {
        rec.upload.session = null;
        file.validator = null;
        file.checkpoint = 0;
        file.bytesTransferred = 0;
        UploadRecord.resetReply(rec.upload.reply);
        if (rec.upload.reply != null) {
            rec.upload.reply.remoteName = "";
            rec.upload.reply.uri = null;
        }
        store.saveUploadState(rec, file, false);
        run.noteProgress();
    }

    @Override
    public long acknowledged() {
        return file.checkpoint;
    }

    @Override
    public void acknowledgedUpTo(long offset) {
        file.checkpoint = offset;
        file.bytesTransferred = offset;
        store.saveCheckpoint(rec.id, file, false);
        long now = clock.nanoTime();
        if (notifiedNanos == Long.MIN_VALUE || now - notifiedNanos >= NOTIFY_NANOS) {
            notifiedNanos = now;
            // The server answered: Connecting becomes Transferring (a no-op once it is), and the job progressed.
            run.noteConnected();
            run.noteProgress();
        }
    }

    @Override
    public void uploaded() throws TransferException {
        long size = size();
        file.checkpoint = size;
        file.bytesTransferred = size;
        file.bytesTotal = size;
        file.completed = true;
        rec.upload.session = null;
        store.saveUploadState(rec, file, false);
        run.noteProgress();
    }

    @Override
    public void uploadedAwaitingComplete(UploadSession session) throws TransferException {
        long size = size();
        file.checkpoint = size;
        file.bytesTransferred = size;
        file.bytesTotal = size;
        file.completed = true;
        // Kept: Complete renames what the session wrote into place.
        rec.upload.session = session;
        store.saveUploadState(rec, file, false);
        run.noteProgress();
    }

    @Override
    public long modifiedMillis() throws TransferException {
        FileVersion v = FileVersion.parse(file.validator);
        return (v != null ? v : version()).modifiedNanos() / 1_000_000L;
    }

    @Override
    public ReplyTarget reply() {
        return rec.type == JobType.UPLOAD_REPLY ? this : null;
    }

    // ------------------------------------------------------------------ the reply

    private FileRecord replyFile() throws TransferException {
        FileRecord r = rec.upload.reply;
        if (r == null) {
            throw TransferException.fatal(HResult.E_UNEXPECTED, ErrorContext.GENERAL_QUEUE_MANAGER,
                    "the upload-reply job has no reply file", null);
        }
        return r;
    }

    @Override
    public URI url() {
        FileRecord r = rec.upload.reply;
        return r == null || r.remoteName.isEmpty() ? null : URI.create(r.remoteName);
    }

    @Override
    public void urlGiven(URI url) throws TransferException {
        FileRecord r = replyFile();
        UploadRecord.resetReply(r);
        r.remoteName = url.toString();
        r.uri = url;
        store.saveFile(rec.id, r);
    }

    @Override
    public void none() throws TransferException {
        // No reply: an empty reply file, which appears at Complete like any other.
        download(target -> {
            target.begin(0, null, true);
            target.finish();
        });
    }

    @Override
    public boolean downloaded() {
        FileRecord r = rec.upload.reply;
        return r != null && r.completed;
    }

    @Override
    public void download(Download download) throws TransferException {
        FileRecord r = replyFile();
        try (DurableFile target = tempFiles.open(run, r)) {
            r.live = target;
            try {
                download.into(target);
            } finally {
                r.live = null;
                r.bytesTransferred = target.position();
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only
        }
        if (handle != null) {
            handle.close();
        }
        if (dir != null) {
            dir.close();
        }
    }
}
