package org.jbits.engine;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.jbits.JobState;
import org.jbits.JobType;

/**
 * The child JVM of {@link StoreCrashTest}: writes to a store what an engine writes, a job's state changes through
 * one connection and its progress records through the other, and prints each record only once its call returned
 * (the engine reports a change only then), until it is killed.
 */
final class StoreCrashChild {
    private StoreCrashChild() {
    }

    public static void main(String[] args) {
        try (JobStore store = new JobStore(Path.of(args[0]))) {
            for (int i = 0; ; i++) {
                UUID id = UUID.randomUUID();
                JobRecord rec = new JobRecord(id, JobType.DOWNLOAD, "crash", "job " + i, Instant.now());
                rec.sequence = i;
                FileRecord f = new FileRecord(0, "http://h/" + i, URI.create("http://h/" + i), "/d/" + i, "/d/." + i);
                rec.files.add(f);
                store.insertJob(rec);
                report("created", id);
                store.addSegment(id, 0, 0, 4096, i);
                report("range", id);
                f.checkpoint = 1024;
                store.saveCheckpoint(id, f, false);
                report("checkpoint", id);
                rec.state = JobState.TRANSFERRED;
                store.saveJob(rec);
                report("transferred", id);
            }
        }
    }

    private static void report(String what, UUID id) {
        System.out.println(what + " " + id);
        System.out.flush();
    }
}
