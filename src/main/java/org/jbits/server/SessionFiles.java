package org.jbits.server;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jbits.file.DirectWriter;
import org.jbits.file.DurableFile;
import org.jbits.file.FileIdentity;
import org.jbits.file.FileStorage;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeFile;
import org.jbits.file.Segments;

/**
 * The files of a session, every one reached through a directory handle: the hidden file its bytes are received
 * into (next to the destination, so the commit is a rename within one directory and never crosses a file system),
 * its reply file and its journal (in the server's private state directory). The commit renames the received file
 * onto its name in one call (with {@code RENAME_NOREPLACE} when files may not be overwritten) and checks that what
 * arrived there is the file received.
 */
final class SessionFiles {
    private static final String DIRECTORY = "a directory";

    private final TargetDirectories dirs;
    private final SafeDirectory state;
    private final boolean overwrite;
    private final boolean directIo;

    SessionFiles(TargetDirectories dirs, SafeDirectory state, boolean overwrite, boolean directIo) {
        this.dirs = dirs;
        this.state = state;
        this.overwrite = overwrite;
        this.directIo = directIo;
    }

    SafeDirectory state() {
        return state;
    }

    /** The identities a new session records: its directory's and its received file's. */
    record Created(FileIdentity directory, FileIdentity temp) {
    }

    /**
     * Checks the destination (a directory there is 400; an existing file is 409 unless files may be overwritten)
     * and creates the empty hidden file the session's bytes go into.
     */
    Created create(UploadPath path, String tempName) throws BitsError {
        try (TargetDirectories.Opened d = dirs.open(path)) {
            checkDestination(d.dir(), path);
            try (SafeFile f = d.dir().create(tempName, 0600)) {
                return new Created(d.dir().identity(), f.identity());
            }
        } catch (IOException e) {
            throw BitsError.local("cannot create the file for " + path.display(), e);
        }
    }

    private void checkDestination(SafeDirectory dir, UploadPath path) throws BitsError, IOException {
        String kind = dir.describe(path.name());
        if (DIRECTORY.equals(kind)) {
            throw BitsError.invalid("the URL names the directory " + path.display() + ", not a file");
        }
        if (kind != null && !overwrite) {
            throw BitsError.exists(path.display());
        }
        if (kind != null) {
            try {
                dir.refuseSpecial(path.name());
            } catch (FileSystemException e) {
                throw BitsError.forbidden(path.display() + " " + e.getReason());
            }
        }
    }

    /** The session's directory, walked again and checked to be the one it was created in. */
    TargetDirectories.Opened directoryOf(UploadSession s) throws BitsError {
        TargetDirectories.Opened d = dirs.open(s.path);
        if (!d.dir().identity().equals(s.directoryIdentity)) {
            d.close();
            throw BitsError.forbidden("the directory of " + s.path.display() + " was replaced since the session began");
        }
        return d;
    }

    /** Where a durable file of this session reads and writes, through the directory handle {@code dir}. */
    FileStorage storage(SafeDirectory dir, UploadSession s) {
        return new FileStorage() {
            @Override
            public long size() throws IOException {
                try (SafeFile f = dir.openExisting(s.tempName, s.tempIdentity)) {
                    return f.size();
                } catch (NoSuchFileException e) {
                    return -1;
                }
            }

            @Override
            public DirectWriter open() throws IOException {
                return DirectWriter.open(dir.openExisting(s.tempName, s.tempIdentity), directIo);
            }

            @Override
            public void close() {
                // the directory handle is the caller's
            }
        };
    }

    /** Whether the session's received file is still there (it was not deleted behind the server's back). */
    boolean tempExists(SafeDirectory dir, UploadSession s) throws IOException {
        return dir.describe(s.tempName) != null;
    }

    /**
     * After a restart: the bytes of the received file its journal vouches for ({@link Segments#recover}), or -1
     * when the file is gone. A file already moved onto its name (a crash between the commit and the journal's
     * deletion) is reported as {@link Long#MAX_VALUE}.
     */
    long recover(UploadSession s) throws BitsError {
        try (TargetDirectories.Opened d = directoryOf(s)) {
            SafeFile f;
            try {
                f = d.dir().openExisting(s.tempName, s.tempIdentity);
            } catch (NoSuchFileException gone) {
                return isCommitted(d.dir(), s) ? Long.MAX_VALUE : -1;
            }
            try (f) {
                return Segments.recover(f, s.recoveredCheckpoint, s.recoveredRanges);
            }
        } catch (IOException e) {
            throw BitsError.local("cannot read back the file of session " + s.id, e);
        }
    }

    private static boolean isCommitted(SafeDirectory dir, UploadSession s) {
        try (SafeFile f = dir.openExisting(s.path.name(), s.tempIdentity)) {
            return f.identity().equals(s.tempIdentity);
        } catch (IOException notOurs) {
            return false;
        }
    }

    /** Moves the complete file onto its name: 409 when something has the name and may not be replaced. */
    void commit(UploadSession s) throws BitsError {
        try (TargetDirectories.Opened d = directoryOf(s)) {
            if (DIRECTORY.equals(d.dir().describe(s.path.name()))) {
                throw BitsError.exists(s.path.display());
            }
            d.dir().rename(s.tempName, s.tempIdentity, s.path.name(), overwrite);
            d.dir().force();
        } catch (FileAlreadyExistsException e) {
            throw BitsError.exists(s.path.display());
        } catch (IOException e) {
            throw BitsError.local("cannot move the upload onto " + s.path.display(), e);
        }
    }

    /** Deletes the received file (best effort: a directory that is gone took it along). */
    void deleteTemp(UploadSession s) {
        deleteTemp(s.path, s.tempName, s.tempIdentity);
    }

    void deleteTemp(UploadPath path, String tempName, FileIdentity identity) {
        try (TargetDirectories.Opened d = dirs.open(path)) {
            d.dir().delete(tempName, identity);
        } catch (BitsError | IOException | RuntimeException e) {
            // nothing to delete, or not ours any more
        }
    }

    /** Deletes the session's reply file, if any. */
    void deleteReply(UploadSession s) {
        try {
            state.delete(s.replyName(), null);
        } catch (IOException | RuntimeException e) {
            // left for the next start-up's sweep
        }
    }

    /** The received file's absolute path, by name: what a back-end application is told to read. */
    Path tempPath(UploadSession s) {
        Path p = dirs.root().path().toAbsolutePath();
        for (String d : s.path.directories()) {
            p = p.resolve(d);
        }
        return p.resolve(s.tempName);
    }

    /** Opens the received file through its directory's handle, for reading. */
    SafeFile openTemp(SafeDirectory dir, UploadSession s) throws IOException {
        return dir.openExisting(s.tempName, s.tempIdentity);
    }

    /** The reply file's absolute path, by name: where a back-end application writes its reply. */
    Path replyPath(UploadSession s) {
        return state.path().toAbsolutePath().resolve(s.replyName());
    }

    /** The reply file, or null when the application wrote none. */
    SafeFile openReply(UploadSession s) throws IOException {
        try {
            return state.openExisting(s.replyName(), null);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A new, empty reply file (replacing one an earlier attempt left). */
    SafeFile createReply(UploadSession s) throws IOException {
        state.delete(s.replyName(), null);
        return state.create(s.replyName(), 0600);
    }
}
