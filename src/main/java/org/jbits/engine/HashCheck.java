package org.jbits.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.file.FileErrors;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeFile;
import org.jbits.transport.Redacted;
import org.jbits.transport.TransferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --expected-sha256} check: once a file's bytes are all on disk, its temporary file is read once and
 * hashed (after the transfer, not while it writes: a resumed transfer would otherwise have to read back what earlier
 * attempts wrote, and the bytes are checked as they are on disk). A match is recorded with the file; a mismatch
 * discards the file's bytes (the temporary file is deleted and the file starts again from byte 0 on resume) and
 * fails the job with BG_E_VALIDATION_FAILED in RemoteFile context, which is what BITS reports for a file whose
 * validation state was set to invalid. The temporary file is opened through its directory handle and identity,
 * as every other open of it.
 */
final class HashCheck {
    private static final Logger log = LoggerFactory.getLogger(HashCheck.class);
    private static final int BUFFER = 1 << 20;

    private final JobStore store;

    HashCheck(JobStore store) {
        this.store = store;
    }

    /** Checks {@code f}, just transferred, against its expected hash. */
    void check(Run run, FileRecord f) throws TransferException {
        String actual;
        try {
            actual = sha256(f, run);
        } catch (IOException e) {
            throw FileErrors.toTransfer("cannot read " + f.tempName + " to check its SHA-256", e);
        }
        if (actual == null) {
            // Stopped while hashing: the file is checked again when the job runs next (its bytes stay).
            f.completed = false;
            store.saveFile(run.job.rec.id, f);
            return;
        }
        if (actual.equals(f.expectedSha256)) {
            f.sha256 = actual;
            store.saveFile(run.job.rec.id, f);
            log.info("job {}: {} has the expected SHA-256 {}", run.job.rec.id, Redacted.text(f.remoteName), actual);
            return;
        }
        discard(run, f);
        throw TransferException.fatal(HResult.BG_E_VALIDATION_FAILED, ErrorContext.REMOTE_FILE, "the SHA-256 of "
                + Redacted.text(f.remoteName) + " is " + actual + ", not the expected " + f.expectedSha256
                + "; its bytes were discarded and nothing was put at " + f.localName, null);
    }

    /** The file starts again from nothing: no checkpoint, no validator, no temporary file. */
    private void discard(Run run, FileRecord f) {
        f.completed = false;
        f.checkpoint = 0;
        f.bytesTransferred = 0;
        f.validator = null;
        Path temp = Path.of(f.tempName);
        try {
            if (SafeDirectory.supported() && f.dirId != null && f.tempId != null) {
                try (SafeDirectory dir = SafeDirectory.open(temp.getParent(), f.dirId)) {
                    dir.delete(temp.getFileName().toString(), f.tempId);
                }
            } else {
                java.nio.file.Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            // Kept: a restart from 0 cuts it back at its first byte anyway.
            log.warn("job {}: cannot delete {} after a failed SHA-256 check: {}", run.job.rec.id, temp, e.toString());
        }
        f.tempId = null;
        store.clearSegments(run.job.rec.id, f.index);
        store.saveFile(run.job.rec.id, f);
    }

    /** The hex SHA-256 of the file's temporary file, or null when the run was stopped meanwhile. */
    private static String sha256(FileRecord f, Run run) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        Path temp = Path.of(f.tempName);
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        if (SafeDirectory.supported() && f.dirId != null && f.tempId != null) {
            try (SafeDirectory dir = SafeDirectory.open(temp.getParent(), f.dirId);
                 SafeFile file = dir.openExisting(temp.getFileName().toString(), f.tempId);
                 FileChannel ch = file.readChannel()) {
                return digest(ch, md, buf, run);
            }
        }
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return digest(ch, md, buf, run);
        }
    }

    private static String digest(FileChannel ch, MessageDigest md, ByteBuffer buf, Run run) throws IOException {
        while (ch.read(buf) >= 0) {
            if (run.isStopped()) {
                return null;
            }
            buf.flip();
            md.update(buf);
            buf.clear();
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
