package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.JobType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite job store on its own: what one store writes, the next one reads back. */
class JobStoreTest {
    @TempDir
    Path dir;

    @Test
    void savingTheJobRowKeepsItsFilesAndCheckpoints() {
        UUID id = UUID.randomUUID();
        try (JobStore store = new JobStore(dir.resolve("jobs.db"))) {
            JobRecord rec = new JobRecord(id, JobType.DOWNLOAD, "tester", "keep files", Instant.ofEpochMilli(1000));
            store.insertJob(rec);
            FileRecord f = new FileRecord(0, "http://h/a", URI.create("http://h/a"), "/d/a", "/d/.a.jbits");
            rec.files.add(f);
            store.saveJobAndFile(rec, f);
            // Every state change rewrites the job row; the files must survive that.
            rec.state = JobState.TRANSIENT_ERROR;
            rec.errorContext = ErrorContext.GENERAL_TRANSPORT;
            rec.errorHresult = HResult.BG_E_CONNECTION_CLOSED;
            rec.errorCount = 2;
            store.saveJob(rec);
            f.checkpoint = 42;
            f.bytesTotal = 100;
            f.validator = "\"v1\"";
            store.saveCheckpoint(id, f);
            store.saveJob(rec);
        }
        try (JobStore store = new JobStore(dir.resolve("jobs.db"))) {
            List<JobRecord> all = store.loadAll();
            assertEquals(1, all.size());
            JobRecord rec = all.get(0);
            assertEquals(JobState.TRANSIENT_ERROR, rec.state);
            assertEquals(ErrorContext.GENERAL_TRANSPORT, rec.errorContext);
            assertEquals(HResult.BG_E_CONNECTION_CLOSED, rec.errorHresult);
            assertEquals(2, rec.errorCount);
            assertEquals(1, rec.files.size(), "the job's files after a reload");
            FileRecord f = rec.files.get(0);
            assertEquals("http://h/a", f.remoteName);
            assertEquals(42, f.checkpoint);
            assertEquals(42, f.bytesTransferred);
            assertEquals(100, f.bytesTotal);
            assertEquals("\"v1\"", f.validator);
            assertNull(rec.noProgressSince);
        }
    }

    @Test
    void deletingAJobDeletesItsFiles() {
        UUID id = UUID.randomUUID();
        try (JobStore store = new JobStore(dir.resolve("jobs.db"))) {
            JobRecord rec = new JobRecord(id, JobType.DOWNLOAD, "tester", "gone", Instant.now());
            rec.files.add(new FileRecord(0, "http://h/a", URI.create("http://h/a"), "/d/a", "/d/.a.jbits"));
            store.insertJob(rec);
            store.deleteJob(id);
            assertEquals(List.of(), store.loadAll());
        }
    }
}
