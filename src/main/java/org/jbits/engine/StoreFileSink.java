package org.jbits.engine;

import org.jbits.file.FileSink;

/**
 * The engine's side of a {@link org.jbits.file.DurableFile}: what the file reports becomes the file's record in the store and a
 * flag on the job's {@link Run}. Nothing here takes the engine's lock.
 */
final class StoreFileSink implements FileSink {
    private final JobStore store;
    private final Run run;
    private final FileRecord file;
    /** BITS' high performance: no periodic records (ranges, periodic checkpoints); a crash restarts the file. */
    private final boolean highPerformance;

    StoreFileSink(JobStore store, Run run, FileRecord file, boolean highPerformance) {
        this.store = store;
        this.run = run;
        this.file = file;
        this.highPerformance = highPerformance;
    }

    @Override
    public void begun(long offset, long total, String validator) {
        file.checkpoint = offset;
        file.bytesTransferred = offset;
        file.bytesTotal = total;
        file.validator = validator;
        // Ranges of an earlier body describe bytes that are gone: forgotten before the new offset is recorded.
        store.clearSegments(run.job.rec.id, file.index);
        // Durable when the body continues held bytes: their validator must be on disk before a byte of the rest
        // is. A body from 0 needs no fsync of its own: lost in a power cut, the file is fetched from 0 again.
        store.saveCheckpoint(run.job.rec.id, file, offset > 0);
        run.noteConnected();
    }

    @Override
    public void rangeWritten(long start, long end, long crc32c) {
        if (highPerformance) {
            return;
        }
        store.addSegment(run.job.rec.id, file.index, start, end, crc32c);
    }

    @Override
    public void checkpointed(long offset, boolean durable) {
        if (highPerformance && !durable) {
            return;
        }
        file.checkpoint = offset;
        store.saveCheckpoint(run.job.rec.id, file, durable);
    }

    @Override
    public void progressed(long written) {
        file.bytesTransferred = written;
        run.noteProgress();
    }

    @Override
    public void finished(long size) {
        file.checkpoint = size;
        file.bytesTransferred = size;
        if (file.bytesTotal < 0) {
            file.bytesTotal = size;
        }
        file.completed = true;
        // The file's bytes are forced; its record rides on the next durable commit (the next file's, or the job's
        // Transferred), which forces the log it is in: a job of 200 small files costs 200 fsyncs fewer. Lost in a
        // power cut before that, the file is verified against its ranges and fetched again where they fail.
        store.saveCheckpoint(run.job.rec.id, file, false);
        run.noteProgress();
    }
}
