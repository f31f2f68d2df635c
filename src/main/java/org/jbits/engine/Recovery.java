package org.jbits.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.JobState;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeFile;
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
        // Every record written here is committed in one go at the end (the store's group commit), not one fsync
        // per file: an engine opens before anything is reported to anyone, so nothing waits on a single one.
        store.beginDeferring();
        try {
            return recoverAll();
        } finally {
            store.endDeferring();
        }
    }

    private List<JobRecord> recoverAll() {
        List<JobRecord> live = new ArrayList<>();
        untouched = 0;
        checked = 0;
        refetched = 0;
        verified = 0;
        for (JobRecord rec : store.loadAll()) {
            if (rec.state.isFinal()) {
                JobFinisher.Outcome o = finisher.finish(rec);
                if (o.failures().isEmpty()) {
                    continue;
                }
                // A Complete the crash cut short cannot be finished: the job is kept, Transferred, with the reason.
                JobFinisher.Problem p = o.failures().get(0);
                log.warn("job {}: cannot finish its Complete: {}; kept in Transferred", rec.id, p.message());
                rec.state = JobState.TRANSFERRED;
                rec.errorContext = org.jbits.ErrorContext.LOCAL_FILE;
                rec.errorHresult = p.hresult();
                rec.errorDescription = p.message();
                rec.errorFile = p.file().index;
                store.saveJob(rec);
            }
            for (FileRecord f : rec.files) {
                try {
                    f.uri = transports.parse(f.remoteName);
                } catch (BitsException e) {
                    f.uri = null;
                }
                if (!f.uploadSource) {
                    recoverTempFile(rec, f);
                }
            }
            FileRecord reply = rec.upload == null ? null : rec.upload.reply;
            if (reply != null) {
                // An upload-reply job's reply: a temporary file like a download's, cut back to what is vouched for.
                reply.uri = reply.remoteName.isEmpty() ? null : java.net.URI.create(reply.remoteName);
                recoverTempFile(rec, reply);
            }
            if (rec.state == JobState.CONNECTING || rec.state == JobState.TRANSFERRING) {
                log.info("job {}: requeued: it was {} when the engine stopped", rec.id, rec.state.displayName());
                rec.state = JobState.QUEUED;
                store.saveJob(rec);
            }
            live.add(rec);
        }
        if (checked + untouched > 0) {
            log.info("recovery: {} job(s); {} file(s) never started, {} checked: {} to fetch again, {} verified past"
                    + " their checkpoint", live.size(), untouched, checked, refetched, verified);
        }
        return live;
    }

    /** What {@link #recoverAll} found, for its summary. */
    private int untouched;
    private int checked;
    private int refetched;
    private int verified;

    /**
     * A file that never started: nothing recorded past byte 0, no temporary file identity (recorded before the first
     * byte is written) and no temporary file. Nothing to check or to write: 100,000 suspended jobs cost a stat each.
     */
    private static boolean untouched(FileRecord f, Path temp) {
        return !f.completed && f.checkpoint == 0 && f.validator == null && f.tempId == null
                && !java.nio.file.Files.exists(temp, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    private void recoverTempFile(JobRecord rec, FileRecord f) {
        Path temp = Path.of(f.tempName);
        if (rec.onDemand && !f.completed) {
            recoverOnDemand(rec, f, temp);
            return;
        }
        if (untouched(f, temp)) {
            untouched++;
            f.bytesTransferred = 0;
            return;
        }
        checked++;
        try {
            long kept;
            if (SafeDirectory.supported()) {
                kept = recoverSafely(rec, f, temp);
            } else {
                kept = f.completed ? Segments.recover(temp, f.checkpoint, List.of())
                        : Segments.recover(temp, f.checkpoint, store.segments(rec.id, f.index));
            }
            if (f.completed && kept != f.checkpoint) {
                log.debug("job {}: {} is not the {} bytes it had when transferred; fetching it again",
                        rec.id, temp, f.checkpoint);
                refetched++;
                restart(f);
            } else if (!f.completed && kept > f.checkpoint) {
                log.debug("job {}: {} verified past its checkpoint up to {} bytes (checkpoint {})",
                        rec.id, temp, kept, f.checkpoint);
                verified++;
                f.checkpoint = kept;
            } else if (!f.completed && kept < f.checkpoint) {
                log.debug("job {}: {} lost bytes it had ({} of {}); fetching it again", rec.id, temp,
                        Math.max(kept, 0), f.checkpoint);
                if (f.checkpoint > 0) {
                    refetched++;
                }
                restart(f);
            }
            f.bytesTransferred = f.checkpoint;
            store.clearSegments(rec.id, f.index);
            store.saveCheckpoint(rec.id, f);
        } catch (IOException e) {
            // Left as recorded: the transfer checks the file again and fails with this reason if it still holds.
            log.warn("job {}: cannot check {}: {}", rec.id, temp, e.toString());
        }
    }

    /**
     * Recovery through the directory handle: only the file this job created is read and cut, never what another
     * user put under its name (a link, a hard link to someone's file); a file from a store that recorded no
     * identity yet is taken if it is a regular file of this user with one link, and its identity recorded now.
     *
     * @return the trusted length, -1 when there is no file
     */
    private long recoverSafely(JobRecord rec, FileRecord f, Path temp) throws IOException {
        try (SafeDirectory dir = SafeDirectory.open(temp.getParent(), f.dirId)) {
            if (f.dirId == null) {
                f.dirId = dir.identity();
            }
            SafeFile file;
            try {
                file = dir.openExisting(temp.getFileName().toString(), f.tempId);
            } catch (NoSuchFileException gone) {
                return -1;
            }
            try (file; FileChannel ch = file.openChannel()) {
                if (f.tempId == null) {
                    f.tempId = file.identity();
                    store.saveTempFileIdentity(rec.id, f);
                }
                if (f.completed) {
                    return ch.size() == f.checkpoint ? f.checkpoint : Segments.recover(ch, 0, List.of());
                }
                return Segments.recover(ch, f.checkpoint, store.segments(rec.id, f.index));
            }
        }
    }

    /**
     * An on-demand file is sparse: no prefix to cut back to. Its filled ranges were forced before they were recorded,
     * so they stand as long as the temporary file is the one this job created and reaches as far; otherwise they are
     * forgotten (and fetched again, being still requested).
     */
    private void recoverOnDemand(JobRecord rec, FileRecord f, Path temp) {
        checked++;
        long size = -1;
        try {
            if (SafeDirectory.supported()) {
                try (SafeDirectory dir = SafeDirectory.open(temp.getParent(), f.dirId);
                        SafeFile file = dir.openExisting(temp.getFileName().toString(), f.tempId)) {
                    size = f.tempId == null ? -1 : file.size();
                }
            } else if (java.nio.file.Files.isRegularFile(temp, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                size = java.nio.file.Files.size(temp);
            }
        } catch (IOException e) {
            log.debug("job {}: on-demand file {} is not there as written: {}", rec.id, temp, e.toString());
        }
        RangeSet kept = size < 0 ? RangeSet.EMPTY : f.filled.clip(size);
        if (!kept.equals(f.filled)) {
            refetched++;
            f.filled = kept;
        }
        f.bytesTransferred = kept.bytes(f.bytesTotal >= 0 ? f.bytesTotal : Long.MAX_VALUE);
        store.saveFile(rec.id, f);
    }

    private static void restart(FileRecord f) {
        f.completed = false;
        f.checkpoint = 0;
        f.validator = null;
    }
}
