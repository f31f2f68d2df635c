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
        store.saveCheckpoint(run.job.rec.id, file, true);
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
        store.saveCheckpoint(run.job.rec.id, file, true);
        run.noteProgress();
    }
}
