package org.jbits.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jbits.file.DurableFile;
import org.jbits.file.FileErrors;
import org.jbits.file.FileStorage;
import org.jbits.file.SafeDirectory;
import org.jbits.file.SafeStorage;
import org.jbits.file.StagingPool;
import org.jbits.transport.TransferException;

/**
 * Opens the temporary file of a job's file as a {@link DurableFile} that reports to the store, with the engine's
 * staging buffers, I/O tasks and clock.
 */
final class TempFiles implements AutoCloseable {

    private final JobStore store;
    private final EngineClock clock;
    private final EngineSettings settings;
    /** Staging buffers of 1 MiB for all transfers: 64 MiB together, though each transfer always gets two. */
    private final StagingPool staging = new StagingPool(1 << 20, 64L << 20);
    /** The writer and checkpoint tasks of every durable file. */
    private final ExecutorService io;

    TempFiles(JobStore store, EngineClock clock, EngineSettings settings) {
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.io = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jbits-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The file's temporary file as a durable file. Where the platform has {@link SafeDirectory}, it lives in the
     * directory recorded at AddFile and is the file this job created (or is created new, 0600), whatever another
     * user did to the names meanwhile; a new file's identity is committed before a byte is written to it.
     */
    DurableFile open(Run run, FileRecord f) throws TransferException {
        Path temp = Path.of(f.tempName);
        FileStorage storage;
        if (SafeDirectory.supported()) {
            try {
                storage = SafeStorage.open(temp.getParent(), f.dirId, temp.getFileName().toString(), f.tempId,
                        settings.directIo(), id -> {
                            f.tempId = id;
                            store.saveTempFileIdentity(run.job.rec.id, f);
                        });
            } catch (IOException e) {
                throw FileErrors.toTransfer("cannot open the directory of " + f.localName, e);
            }
        } else {
            storage = FileStorage.at(temp, settings.directIo());
        }
        JobRecord rec = run.job.rec;
        return DurableFile.open(f.tempName, storage, new DurableFile.Recorded(f.checkpoint, f.bytesTotal, f.validator),
                staging, io, clock::nanoTime, options(rec), new StoreFileSink(store, run, f, rec.highPerformance));
    }

    /**
     * The engine's checkpoint cadence with the job's minimum notification interval (BITS'
     * JobModification rate). High performance forces and records a file only when it stops or is transferred.
     */
    private DurableFile.Options options(JobRecord rec) {
        long notifyNanos = rec.minNotifyIntervalMillis * 1_000_000L;
        if (rec.highPerformance) {
            return new DurableFile.Options(settings.checkpointBytes(), Long.MAX_VALUE / 4, Long.MAX_VALUE / 4,
                    notifyNanos, settings.directIo());
        }
        return new DurableFile.Options(settings.checkpointBytes(), settings.syncBytes(),
                settings.checkpointMillis() * 1_000_000L, notifyNanos, settings.directIo());
    }

    @Override
    public void close() {
        io.shutdownNow();
    }
}
