package org.jbits.engine;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.JobType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file work of a job that has reached a final state: Acknowledged (transferred files renamed into place, the
 * others deleted) or Cancelled (every temporary file deleted); then the job leaves the store. The final state is
 * committed before this runs, so a crash in the middle is finished by the next start ({@link Recovery}).
 */
final class JobFinisher {
    private static final Logger log = LoggerFactory.getLogger(JobFinisher.class);

    private final JobStore store;

    JobFinisher(JobStore store) {
        this.store = store;
    }

    /** Does the file work and forgets the job; returns S_OK, BG_S_PARTIAL_COMPLETE or BG_S_UNABLE_TO_DELETE_FILES. */
    int finish(JobRecord rec) {
        boolean partial = false;
        boolean undeleted = false;
        for (FileRecord f : rec.files) {
            if (rec.type != JobType.DOWNLOAD) {
                // An upload's local file is its source: Complete and Cancel leave it alone.
                continue;
            }
            Path temp = Path.of(f.tempName);
            try {
                if (rec.state == JobState.ACKNOWLEDGED && f.completed) {
                    if (Files.exists(temp)) {
                        moveIntoPlace(temp, Path.of(f.localName));
                    }
                } else {
                    partial |= rec.state == JobState.ACKNOWLEDGED;
                    Files.deleteIfExists(temp);
                }
            } catch (IOException e) {
                log.warn("job {}: {} failed: {}", rec.id, temp, e.toString());
                partial = true;
                undeleted = true;
            }
        }
        store.deleteJob(rec.id);
        log.info("job {} {}", rec.id, rec.state == JobState.ACKNOWLEDGED ? "completed" : "cancelled");
        if (rec.state == JobState.CANCELLED) {
            return undeleted ? HResult.BG_S_UNABLE_TO_DELETE_FILES : HResult.S_OK;
        }
        return partial ? HResult.BG_S_PARTIAL_COMPLETE : HResult.S_OK;
    }

    private static void moveIntoPlace(Path temp, Path local) throws IOException {
        try {
            Files.move(temp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, local, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
