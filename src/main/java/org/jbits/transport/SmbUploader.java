package org.jbits.transport;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import jcifs.CIFSContext;
import jcifs.SmbConstants;
import jcifs.smb.JbitsBulkIo;
import jcifs.smb.NtStatus;
import jcifs.smb.SmbException;
import jcifs.smb.SmbFile;
import jcifs.smb.SmbFileOutputStream;
import jcifs.smb.SmbRandomAccessFile;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMB uploads: the job's local file written to a temporary file in the destination's directory on the share, and
 * renamed to the destination at Complete ({@link #commit}), as BITS does.
 *
 * <p>The temporary file: {@code BIT<16 hex digits>.tmp}, random, created exclusively (an existing file is never
 * opened, let alone truncated), marked hidden where the share keeps DOS attributes. Its name is the upload's
 * {@link UploadSession} id, recorded durably before the file is created, so a crash leaves no file the job does not
 * know of, and Cancel deletes it ({@link #cancel}).
 *
 * <p>Resume: the share is the authority on what it holds, as the server is for a BITS HTTP upload. The temporary
 * file's size is looked at; since a block is handed to the writers only when it ends within {@link #WINDOW} blocks of
 * the contiguous run the server has acknowledged ({@link SmbBlockWriter#buffer}), every byte below
 * {@code size - WINDOW x BLOCK} is there, however long one request stalled; what the job recorded as acknowledged (the contiguous run) may say more.
 * The larger of the two, never past the file's size, is where the upload continues; the last 64 KiB before it are
 * read back and compared with the local file, and a temporary file that is not what the job wrote starts the upload
 * anew. The local file is checked against the version the upload began with first (a changed file is
 * BG_E_LOCAL_FILE_CHANGED: the temporary file is deleted and Resume uploads the new version from byte 0).
 *
 * <p>Throughput: {@link SmbBlockWriter} with {@link #WRITERS} streams over the transport's two connections, blocks of
 * {@link #BLOCK} bytes read from the local file in order by the job's thread and paced per block.
 */
final class SmbUploader {
    private static final Logger log = LoggerFactory.getLogger(SmbUploader.class);
    /** Streams writing one file at once. */
    static final int WRITERS = 4;
    /**
     * One block: one write request of 1 MiB (charge 16) where the connection takes multi-credit requests, else
     * seventeen of {@link JbitsBulkIo#MAX_SINGLE_WRITE} bytes (sixteen and the rest).
     */
    static final int BLOCK = JbitsBulkIo.MAX_IO;
    /** Blocks held at once (being filled, queued, or written): 8 MiB. */
    static final int WINDOW = 2 * WRITERS;
    /** Bytes read back from the share and compared with the local file before an upload continues. */
    static final int VERIFY = 64 * 1024;
    private static final long RECHECK_NANOS = 1_000_000_000L;
    /** How often the acknowledged run is recorded (progress, and where a resume may start). */
    private static final long RECORD_NANOS = 200_000_000L;
    private static final int SHARING = SmbConstants.FILE_SHARE_READ | SmbConstants.FILE_SHARE_WRITE;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ExecutorService threads;

    SmbUploader(ExecutorService threads) {
        this.threads = threads;
    }

    /** A new temporary name: {@code BIT} and 16 random hex digits, {@code .tmp}. */
    static String temporaryName() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "BIT" + HexFormat.of().withUpperCase().formatHex(b) + ".tmp";
    }

    /** True for a name {@link #temporaryName} makes. */
    static boolean isTemporaryName(String name) {
        return name.matches("BIT[0-9A-F]{16}\\.tmp");
    }

    /**
     * One attempt: continues the session's temporary file (or starts one) and writes the rest of the local file into
     * it; returns when every byte is there (recorded with {@link UploadSource#uploadedAwaitingComplete}) or stopped.
     *
     * @param cifs the job's context on the first connection; {@code second} the same credentials on the other
     */
    void upload(SmbNames.Location dest, UploadSource source, CIFSContext cifs, CIFSContext second,
            TransferContext context) throws TransferException {
        long size = source.size();
        refuseDirectory(cifs, dest);
        UploadSession session = source.session();
        long start = -1;
        if (session != null) {
            if (!isTemporaryName(session.id())) {
                // Not a session this transport made: never touch a file by a name it did not choose.
                source.sessionLost();
                session = null;
            } else {
                start = resumePoint(cifs, dest, session, source, size);
                if (start < 0) {
                    deleteQuietly(cifs, temporary(dest, session));
                    source.sessionLost();
                    session = null;
                }
            }
        }
        if (session == null) {
            session = create(cifs, dest, source);
            start = 0;
        }
        SmbNames.Location temp = temporary(dest, session);
        try {
            write(temp, dest, source, cifs, second, start, size, context);
            if (context.isStopped()) {
                return;
            }
            source.checkUnchanged();
        } catch (TransferException e) {
            if (e.hresult() == HResult.BG_E_LOCAL_FILE_CHANGED) {
                // What the share holds is of the old version: deleted, and Resume uploads the new one from byte 0.
                deleteQuietly(cifs, temp);
                source.sessionLost();
            }
            throw e;
        }
        finishFile(cifs, temp, dest, source, size);
        source.uploadedAwaitingComplete(session);
        log.debug("{}: {} bytes in {}, renamed into place at Complete", dest.unc(), size, temp.name());
    }

    private static SmbNames.Location temporary(SmbNames.Location dest, UploadSession session) {
        return dest.withPath(dest.directory() + session.id());
    }

    /** Records a new session and creates its temporary file, exclusively. */
    private static UploadSession create(CIFSContext cifs, SmbNames.Location dest, UploadSource source)
            throws TransferException {
        for (int attempt = 0; ; attempt++) {
            UploadSession s = UploadSession.created(temporaryName(), dest.toUri(), null, null);
            // Recorded before the file exists: a crash now leaves a name that Resume finds missing and replaces.
            source.sessionOpened(s);
            SmbNames.Location temp = temporary(dest, s);
            try (SmbFile f = file(cifs, temp)) {
                try (SmbFileOutputStream out = f.openOutputStream(false,
                        SmbConstants.O_CREAT | SmbConstants.O_EXCL | SmbConstants.O_WRONLY,
                        SmbConstants.FILE_WRITE_DATA | SmbConstants.FILE_WRITE_ATTRIBUTES, SHARING)) {
                    // created, empty
                }
                hide(f, temp);
                log.debug("{}: uploading into {}", dest.unc(), temp.name());
                return s;
            } catch (SmbException e) {
                if (e.getNtStatus() == NtStatus.NT_STATUS_OBJECT_NAME_COLLISION && attempt < 3) {
                    continue;
                }
                throw SmbErrors.map(e, dest, "creating a temporary file for");
            } catch (IOException e) {
                throw SmbErrors.map(e, dest, "creating a temporary file for");
            }
        }
    }

    /** Hidden, as BITS' temporary files are; a share that keeps no DOS attributes refuses it, which is harmless. */
    private static void hide(SmbFile f, SmbNames.Location temp) {
        try {
            f.setAttributes(SmbConstants.ATTR_HIDDEN | SmbConstants.ATTR_ARCHIVE);
        } catch (IOException e) {
            log.debug("{}: cannot mark it hidden: {}", temp.unc(), e.toString());
        }
    }

    /** An existing destination that is a directory cannot be replaced: refused before any byte is sent. */
    private static void refuseDirectory(CIFSContext cifs, SmbNames.Location dest) throws TransferException {
        try (SmbFile f = file(cifs, dest)) {
            if (f.exists() && f.isDirectory()) {
                throw TransferException.fatal(HResult.E_ACCESSDENIED, ErrorContext.REMOTE_FILE,
                        "the destination " + dest.unc() + " is a directory", null);
            }
        } catch (IOException e) {
            throw SmbErrors.map(e, dest, "looking up");
        }
    }

    /**
     * Where the session's temporary file continues, or -1 when it must start anew (the file is gone, larger than the
     * local file, or not what the job wrote). BG_E_LOCAL_FILE_CHANGED when the local file changed (the temporary
     * file is deleted and the session forgotten first).
     */
    private static long resumePoint(CIFSContext cifs, SmbNames.Location dest, UploadSession session,
            UploadSource source, long size) throws TransferException {
        SmbNames.Location temp = temporary(dest, session);
        long held;
        try (SmbFile f = file(cifs, temp)) {
            if (!f.exists()) {
                log.info("{}: the temporary file {} is gone; uploading from byte 0", dest.unc(), temp.name());
                return -1;
            }
            held = f.length();
        } catch (IOException e) {
            throw SmbErrors.map(e, dest, "looking up the temporary file of");
        }
        try {
            source.checkUnchanged();
        } catch (TransferException e) {
            deleteQuietly(cifs, temp);
            source.sessionLost();
            throw e;
        }
        if (held > size) {
            log.info("{}: the temporary file {} holds {} bytes, more than the {} to upload; uploading from byte 0",
                    dest.unc(), temp.name(), held, size);
            return -1;
        }
        long start = Math.min(held, Math.max(source.acknowledged(), held - (long) WINDOW * BLOCK));
        start = Math.max(0, start);
        if (start > 0 && !sameBytes(cifs, temp, source, start)) {
            log.info("{}: the temporary file {} does not hold what the job wrote; uploading from byte 0", dest.unc(),
                    temp.name());
            return -1;
        }
        log.info("{}: continuing at byte {} of {} ({} on the share)", dest.unc(), start, size, held);
        return start;
    }

    /** Whether the {@link #VERIFY} bytes before {@code end} are the same on the share and in the local file. */
    private static boolean sameBytes(CIFSContext cifs, SmbNames.Location temp, UploadSource source, long end)
            throws TransferException {
        int n = (int) Math.min(VERIFY, end);
        long from = end - n;
        byte[] local = new byte[n];
        ByteBuffer dst = ByteBuffer.wrap(local);
        while (dst.hasRemaining()) {
            if (source.read(dst, from + dst.position()) < 0) {
                return false;
            }
        }
        byte[] remote = new byte[n];
        try (SmbFile f = file(cifs, temp); SmbRandomAccessFile in = f.openRandomAccess("r", SHARING)) {
            in.seek(from);
            in.readFully(remote);
        } catch (IOException e) {
            throw SmbErrors.map(e, temp, "reading back");
        }
        return Arrays.equals(local, remote);
    }

    private void write(SmbNames.Location temp, SmbNames.Location dest, UploadSource source, CIFSContext cifs,
            CIFSContext second, long start, long size, TransferContext context) throws TransferException {
        if (start >= size) {
            return;
        }
        SmbFile onFirst = file(cifs, temp);
        SmbFile onSecond = file(second, temp);
        SmbBlockWriter.Stream first;
        try {
            first = stream(onFirst);
        } catch (IOException e) {
            onFirst.close();
            onSecond.close();
            throw SmbErrors.map(e, dest, "opening the temporary file of");
        }
        try {
            // Opening it creates it if it went away since it was looked at: then what it held is gone too.
            if (start > 0 && onFirst.length() < start) {
                first.close();
                onFirst.close();
                onSecond.close();
                throw TransferException.transientError(HResult.BG_E_REMOTE_FILE_CHANGED, ErrorContext.REMOTE_FILE,
                        "the temporary file of " + dest.unc() + " was deleted or truncated on the share; the retry "
                                + "continues from what it holds", null);
            }
        } catch (IOException e) {
            first.close();
            onFirst.close();
            onSecond.close();
            throw SmbErrors.map(e, dest, "looking up the temporary file of");
        }
        long blocks = (size - start + BLOCK - 1) / BLOCK;
        int writers = (int) Math.min(WRITERS, blocks);
        AtomicInteger opened = new AtomicInteger();
        SmbBlockWriter writer = new SmbBlockWriter(first,
                () -> stream(opened.incrementAndGet() % 2 == 0 ? onFirst : onSecond),
                () -> {
                    onFirst.close();
                    onSecond.close();
                }, start, writers, BLOCK, WINDOW, threads);
        context.onStop(writer::abort);
        Pacer pacer = context.pacer();
        long pos = start;
        long recorded = start;
        long lastCheck = System.nanoTime();
        long lastRecord = Long.MIN_VALUE / 2;
        try {
            while (pos < size && !context.isStopped()) {
                ByteBuffer buf = writer.buffer(pos);
                if (buf == null) {
                    break;
                }
                int len = (int) Math.min(BLOCK, size - pos);
                readFully(source, buf, len, pos);
                writer.submit(pos, buf.flip());
                pos += len;
                pacer.pace(len);
                long w = writer.written();
                long now = System.nanoTime();
                // At most every RECORD_NANOS: each record is a store commit, and a resume starts from what the share
                // holds anyway, so a record behind costs nothing but progress shown a moment late.
                if (w > recorded && now - lastRecord >= RECORD_NANOS) {
                    recorded = w;
                    lastRecord = now;
                    source.acknowledgedUpTo(w);
                }
                if (now - lastCheck > RECHECK_NANOS) {
                    lastCheck = System.nanoTime();
                    source.checkUnchanged();
                }
            }
            if (!context.isStopped()) {
                writer.drain();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.GENERAL_TRANSPORT,
                    "interrupted while writing " + dest.unc(), e);
        } catch (java.io.InterruptedIOException e) {
            if (!context.isStopped()) {
                throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.GENERAL_TRANSPORT,
                        "interrupted while writing " + dest.unc(), e);
            }
        } catch (IOException e) {
            if (!context.isStopped()) {
                throw SmbErrors.map(e, dest, "writing");
            }
        } finally {
            if (context.isStopped()) {
                writer.abort();
            }
            writer.close();
            long w = writer.written();
            if (w > recorded) {
                try {
                    source.acknowledgedUpTo(w);
                } catch (TransferException e) {
                    log.debug("{}: recording byte {} failed: {}", dest.unc(), w, e.toString());
                }
            }
        }
    }

    /**
     * {@code len} bytes of the local file at {@code pos} into {@code dst} (cleared); a file that got shorter is
     * BG_E_LOCAL_FILE_CHANGED.
     */
    private static void readFully(UploadSource source, ByteBuffer dst, int len, long pos) throws TransferException {
        dst.limit(len);
        while (dst.hasRemaining()) {
            if (source.read(dst, pos + dst.position()) < 0) {
                source.checkUnchanged();
                throw TransferException.fatal(HResult.BG_E_LOCAL_FILE_CHANGED, ErrorContext.LOCAL_FILE,
                        "the file to upload, " + source.name() + ", got shorter during the upload", null);
            }
        }
    }

    /** The last look before the upload counts as done: its size on the share, and the local file's time on it. */
    private static void finishFile(CIFSContext cifs, SmbNames.Location temp, SmbNames.Location dest,
            UploadSource source, long size) throws TransferException {
        try (SmbFile f = file(cifs, temp)) {
            long held = f.length();
            if (held != size) {
                throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.REMOTE_FILE,
                        "the temporary file of " + dest.unc() + " holds " + held + " bytes, not " + size
                                + "; the retry continues it", null);
            }
            long modified = source.modifiedMillis();
            if (modified > 0) {
                // BITS propagates an SMB upload's time stamps: the file's last-write time is the local file's.
                f.setLastModified(modified);
            }
        } catch (IOException e) {
            throw SmbErrors.map(e, dest, "finishing");
        }
    }

    /**
     * Complete: the temporary file renamed to the destination, replacing a file of that name (as BITS' Complete does:
     * it replaces the destination of each file). A temporary file that is gone while the destination holds the
     * upload's size is taken as renamed already (a crash between the rename and the commit of Acknowledged).
     * ERROR_FILE_NOT_FOUND when the temporary file is gone otherwise.
     */
    static void commit(CIFSContext cifs, SmbNames.Location dest, UploadSession session, long size)
            throws TransferException {
        SmbNames.Location temp = temporary(dest, session);
        try (SmbFile t = file(cifs, temp); SmbFile d = file(cifs, dest)) {
            if (!t.exists()) {
                if (d.exists() && d.isFile() && d.length() == size) {
                    log.info("{}: already renamed into place", dest.unc());
                    return;
                }
                throw TransferException.fatal(HResult.ERROR_FILE_NOT_FOUND, ErrorContext.REMOTE_FILE,
                        "the uploaded data of " + dest.unc() + " (" + temp.name() + ") was deleted from the share "
                                + "before the job was completed; resume the job to upload it again", null);
            }
            if (t.length() != size) {
                throw TransferException.fatal(HResult.ERROR_FILE_NOT_FOUND, ErrorContext.REMOTE_FILE,
                        "the uploaded data of " + dest.unc() + " (" + temp.name() + ") was changed on the share "
                                + "before the job was completed; resume the job to upload it again", null);
            }
            try {
                // Visible under its own name: the hidden attribute goes before the rename.
                t.setAttributes(SmbConstants.ATTR_ARCHIVE);
            } catch (IOException e) {
                log.debug("{}: cannot clear its hidden attribute: {}", temp.unc(), e.toString());
            }
            t.renameTo(d, true);
            log.info("{}: renamed into place from {}", dest.unc(), temp.name());
        } catch (IOException e) {
            throw SmbErrors.map(e, dest, "renaming into place");
        }
    }

    /** Cancel: the session's temporary file deleted, best effort (failures logged). */
    static void cancel(CIFSContext cifs, SmbNames.Location dest, UploadSession session) {
        if (!isTemporaryName(session.id())) {
            return;
        }
        SmbNames.Location temp = temporary(dest, session);
        deleteQuietly(cifs, temp);
    }

    private static void deleteQuietly(CIFSContext cifs, SmbNames.Location temp) {
        try (SmbFile f = file(cifs, temp)) {
            f.delete();
            log.debug("{}: deleted", temp.unc());
        } catch (SmbException e) {
            if (e.getNtStatus() != NtStatus.NT_STATUS_OBJECT_NAME_NOT_FOUND) {
                log.info("{}: cannot delete it: {}", temp.unc(), e.getMessage());
            }
        } catch (IOException | TransferException e) {
            log.info("{}: cannot delete it: {}", temp.unc(), e.getMessage());
        }
    }

    private static SmbFile file(CIFSContext cifs, SmbNames.Location where) throws TransferException {
        try {
            return new SmbFile(where.shareUrl() + where.path(), cifs);
        } catch (IOException e) {
            throw TransferException.fatal(HResult.E_INVALIDARG, ErrorContext.REMOTE_FILE,
                    "not a valid SMB name: " + where.unc() + ": " + e.getMessage(), e);
        }
    }

    /** A stream with its own handle on the temporary file; each write goes in requests of at most 1 MiB. */
    private static SmbBlockWriter.Stream stream(SmbFile file) throws IOException {
        JbitsBulkIo out = JbitsBulkIo.openForWriting(
                new SmbFile(file.getLocator().getURL().toString(), file.getContext()), SHARING);
        return new SmbBlockWriter.Stream() {
            @Override
            public void write(long position, ByteBuffer data) throws IOException {
                out.write(position, data);
            }

            @Override
            public void close() {
                try {
                    out.close();
                } catch (IOException e) {
                    log.debug("closing an SMB stream failed: {}", e.toString());
                }
            }
        };
    }
}
