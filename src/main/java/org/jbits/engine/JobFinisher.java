package org.jbits.engine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.file.FileIdentity;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeFile;
import org.jbits.file.Umask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file work of Complete and Cancel. Complete first checks that every transferred file is still the one the
 * job wrote and that its destination may be replaced ({@link #check}): only then is Acknowledged committed and
 * are the files renamed into place ({@link #finish}), each given the job's file mode, through the directory
 * recorded at AddFile and never through a name another user swapped. A crash in the middle is finished by the
 * next start ({@link Recovery}); a file already renamed is recognised by its identity and not moved twice.
 */
final class JobFinisher {
    private static final Logger log = LoggerFactory.getLogger(JobFinisher.class);

    private final JobStore store;

    /** Why one file cannot be completed. {@code refetch}: its temporary file is gone; resuming fetches it again. */
    record Problem(FileRecord file, int hresult, String message, boolean refetch) {
    }

    /** The result of Complete or Cancel: S_OK, BG_S_PARTIAL_COMPLETE or BG_S_UNABLE_TO_DELETE_FILES, or failures. */
    record Outcome(int hresult, List<Problem> failures) {
    }

    JobFinisher(JobStore store) {
        this.store = store;
    }

    /**
     * The files the job writes, each into a temporary file renamed into place at Complete: a download's files, an
     * upload-reply job's reply. An upload's own file is its source: Complete and Cancel leave it alone.
     */
    static List<FileRecord> written(JobRecord rec) {
        if (rec.type == JobType.DOWNLOAD) {
            return rec.files;
        }
        FileRecord reply = rec.upload == null ? null : rec.upload.reply;
        return reply == null ? List.of() : List.of(reply);
    }

    /** The first transferred file that cannot be completed as it stands, or null when all can. */
    Problem check(JobRecord rec) {
        for (FileRecord f : written(rec)) {
            if (!f.completed) {
                continue;
            }
            Path temp = Path.of(f.tempName);
            Path local = Path.of(f.localName);
            if (!SafeDirectory.supported()) {
                if (!Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
                    return vanished(f);
                }
                continue;
            }
            try (SafeDirectory dir = SafeDirectory.open(temp.getParent(), f.dirId)) {
                if (alreadyInPlace(dir, f)) {
                    continue;
                }
                String kind = dir.describe(temp.getFileName().toString());
                if (kind == null) {
                    return vanished(f);
                }
                dir.openExisting(temp.getFileName().toString(), f.tempId).close();
                dir.refuseSpecial(local.getFileName().toString());
            } catch (NoSuchFileException e) {
                return new Problem(f, HResult.ERROR_PATH_NOT_FOUND, "the directory of " + f.localName
                        + " is gone: " + e.getMessage(), false);
            } catch (IOException e) {
                return new Problem(f, HResult.E_ACCESSDENIED, "cannot complete " + f.localName + ": "
                        + e.getMessage(), false);
            }
        }
        return null;
    }

    private static Problem vanished(FileRecord f) {
        if (f.index == UploadRecord.REPLY_INDEX) {
            // The server deleted the reply at Close-Session: it cannot come again. A resumed job completes without it.
            return new Problem(f, HResult.ERROR_FILE_NOT_FOUND, "the reply " + f.localName + " (" + f.tempName
                    + ") was deleted before the job was completed; the server no longer has it: resume and complete"
                    + " the job to end it without its reply", true);
        }
        return new Problem(f, HResult.ERROR_FILE_NOT_FOUND, "the transferred data of " + f.localName + " ("
                + f.tempName + ") was deleted before the job was completed; resume the job to fetch it again", true);
    }

    /**
     * Does the file work of a job whose final state is committed and forgets the job; when a file cannot be moved
     * into place, the job is not forgotten (the caller puts it back) and the failures are returned.
     */
    Outcome finish(JobRecord rec) {
        boolean partial = false;
        boolean undeleted = false;
        List<Problem> failures = new ArrayList<>();
        int mode = rec.fileMode != null ? rec.fileMode : Umask.fileMode(Umask.current());
        if (rec.type != JobType.DOWNLOAD && rec.state == JobState.ACKNOWLEDGED) {
            partial = rec.files.stream().anyMatch(f -> !f.completed);
        }
        for (FileRecord f : written(rec)) {
            try {
                if (rec.state == JobState.ACKNOWLEDGED && f.completed) {
                    moveIntoPlace(f, mode);
                } else {
                    partial |= rec.state == JobState.ACKNOWLEDGED;
                    delete(f);
                }
            } catch (IOException e) {
                log.warn("job {}: {}: {}", rec.id, f.tempName, e.toString());
                if (rec.state == JobState.ACKNOWLEDGED && f.completed) {
                    int hr = e instanceof AccessDeniedException || e instanceof SafeDirectory.NotOursException
                            ? HResult.E_ACCESSDENIED : e instanceof NoSuchFileException ? HResult.ERROR_FILE_NOT_FOUND
                            : HResult.E_FAIL;
                    failures.add(new Problem(f, hr, "cannot move " + f.tempName + " into place as " + f.localName
                            + ": " + e.getMessage(), false));
                }
                partial = true;
                undeleted = true;
            }
        }
        if (!failures.isEmpty()) {
            return new Outcome(HResult.E_FAIL, failures);
        }
        store.deleteJob(rec.id);
        log.info("job {} {}", rec.id, rec.state == JobState.ACKNOWLEDGED ? "completed" : "cancelled");
        if (rec.state == JobState.CANCELLED) {
            return new Outcome(undeleted ? HResult.BG_S_UNABLE_TO_DELETE_FILES : HResult.S_OK, List.of());
        }
        return new Outcome(partial ? HResult.BG_S_PARTIAL_COMPLETE : HResult.S_OK, List.of());
    }

    private static boolean alreadyInPlace(SafeDirectory dir, FileRecord f) throws IOException {
        if (f.tempId == null || dir.describe(Path.of(f.tempName).getFileName().toString()) != null) {
            return false;
        }
        return f.tempId.equals(identityOf(dir, Path.of(f.localName).getFileName().toString()));
    }

    private static FileIdentity identityOf(SafeDirectory dir, String name) throws IOException {
        try (SafeFile file = dir.openExisting(name, null)) {
            return file.identity();
        } catch (IOException e) {
            return null;
        }
    }

    /** The job's file, its mode set, renamed over the destination (a link there is replaced, not followed). */
    private static void moveIntoPlace(FileRecord f, int mode) throws IOException {
        Path temp = Path.of(f.tempName);
        Path local = Path.of(f.localName);
        if (!SafeDirectory.supported()) {
            if (Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.move(temp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, local, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return;
        }
        try (SafeDirectory dir = SafeDirectory.open(temp.getParent(), f.dirId)) {
            if (alreadyInPlace(dir, f)) {
                return;
            }
            String tempName = temp.getFileName().toString();
            FileIdentity id;
            try (SafeFile file = dir.openExisting(tempName, f.tempId)) {
                file.chmod(mode);
                id = file.identity();
            }
            dir.rename(tempName, id, local.getFileName().toString());
        }
    }

    /** Deletes a temporary file the job no longer needs (a reply file renamed before it was used); failures logged. */
    void deleteTemporary(FileRecord f) {
        try {
            delete(f);
        } catch (IOException e) {
            log.warn("{}: {}", f.tempName, e.toString());
        }
    }

    /** Deletes the job's temporary file, and only it: another file put under its name is left alone. */
    private static void delete(FileRecord f) throws IOException {
        Path temp = Path.of(f.tempName);
        if (!SafeDirectory.supported()) {
            Files.deleteIfExists(temp);
            return;
        }
        try (SafeDirectory dir = SafeDirectory.open(temp.getParent(), f.dirId)) {
            dir.delete(temp.getFileName().toString(), f.tempId);
        } catch (NoSuchFileException dirGone) {
            // nothing left to delete
        }
    }

    /** The exception a failed Complete throws: the first failure's code and message. */
    static BitsException failure(List<Problem> failures, String kept) {
        Problem p = failures.get(0);
        return new BitsException(p.hresult(), p.message() + "; " + kept);
    }
}
