package org.jbits.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.JobState;
import org.jbits.file.Segments;
import org.jbits.transport.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engine does with its store at start-up, before anything runs: finishes a Complete or Cancel a crash
 * cut short, cuts every temporary file back to what its checkpoint and checksummed ranges vouch for (so no
 * unverified byte survives), and requeues the jobs that were transferring.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private final JobStore store;
    private final Transports transports;
    private final JobFinisher finisher;

    Recovery(JobStore store, Transports transports, JobFinisher finisher) {
        this.store = store;
        this.transports = transports;
        this.finisher = finisher;
    }

    /** The stored jobs that go on, in creation order, each ready to be scheduled. */
    List<JobRecord> recover() {
        List<JobRecord> live = new ArrayList<>();
        for (JobRecord rec : store.loadAll()) {
            if (rec.state.isFinal()) {
                finisher.finish(rec);
                continue;
            }
            for (FileRecord f : rec.files) {
                try {
                    f.uri = transports.parse(f.remoteName);
                } catch (BitsException e) {
                    f.uri = null;
                }
                recoverTempFile(rec, f);
            }
            if (rec.state == JobState.CONNECTING || rec.state == JobState.TRANSFERRING) {
                log.info("job {}: requeued: it was {} when the engine stopped", rec.id, rec.state.displayName());
                rec.state = JobState.QUEUED;
                store.saveJob(rec);
            }
            live.add(rec);
        }
        return live;
    }

    private void recoverTempFile(JobRecord rec, FileRecord f) {
        Path temp = Path.of(f.tempName);
        try {
            if (f.completed) {
                boolean intact = Files.exists(temp, LinkOption.NOFOLLOW_LINKS) && Files.size(temp) == f.checkpoint;
                if (!intact) {
                    log.info("job {}: {} is not the {} bytes it had when transferred; fetching it again",
                            rec.id, temp, f.checkpoint);
                    restart(f);
                    Segments.recover(temp, 0, List.of());
                }
            } else {
                long kept = Segments.recover(temp, f.checkpoint, store.segments(rec.id, f.index));
                if (kept > f.checkpoint) {
                    log.info("job {}: {} verified past its checkpoint up to {} bytes (checkpoint {})",
                            rec.id, temp, kept, f.checkpoint);
                    f.checkpoint = kept;
                } else if (kept < f.checkpoint) {
                    log.info("job {}: {} lost bytes it had ({} of {}); fetching it again", rec.id, temp,
                            Math.max(kept, 0), f.checkpoint);
                    restart(f);
                }
            }
            f.bytesTransferred = f.checkpoint;
            store.clearSegments(rec.id, f.index);
            store.saveCheckpoint(rec.id, f);
        } catch (IOException e) {
            log.warn("job {}: cannot check {}: {}", rec.id, temp, e.toString());
        }
    }

    private static void restart(FileRecord f) {
        f.completed = false;
        f.checkpoint = 0;
        f.validator = null;
    }
}
