package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.testing.Engines;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store jbits cannot write fails at open with E_ACCESSDENIED and the reason, not at the first state change (SQLite
 * opens such a file read-only without a word). Read-only file systems are real ones: a read-only bind mount, which
 * needs root, as CI runs; an unwritable file is an immutable one as root ({@code chattr +i}), mode 0400 otherwise.
 */
class UnwritableStoreTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path dir;

    private Path storeWithAJob(Path state) throws IOException {
        Files.createDirectories(state);
        Path db = state.resolve("jobs.db");
        try (JobStore store = new JobStore(db)) {
            store.insertJob(StoreMigrationTest.job(UUID.randomUUID(), "kept"));
        }
        return db;
    }

    @Test
    void aStoreOnAReadOnlyFileSystemIsRefusedAtOpenAndLeftAsItWas() throws Exception {
        Path state = dir.resolve("state");
        Path db = storeWithAJob(state);
        String before = TestData.sha256(db);
        try (ReadOnlyMount ro = ReadOnlyMount.of(state, dir.resolve("ro"))) {
            Path roDb = ro.path().resolve("jobs.db");
            BitsException e = assertThrows(BitsException.class, () -> new JobStore(roDb).close());
            assertEquals(HResult.E_ACCESSDENIED, e.hresult(), e.getMessage());
            assertTrue(e.getMessage().contains("the job store " + roDb + " is in the state directory " + ro.path()
                    + ", which user " + System.getProperty("user.name") + " cannot write (Read-only file system"), e.getMessage());
            assertTrue(e.getMessage().contains("so it does not start. Remount it read-write"), e.getMessage());
            // Through the engine the state directory is the first thing it cannot write; the same code, at open.
            BitsException engine = assertThrows(BitsException.class, () -> Engines.open(ro.path()).close());
            assertEquals(HResult.E_ACCESSDENIED, engine.hresult(), engine.getMessage());
            assertTrue(engine.getMessage().contains("Read-only file system"), engine.getMessage());
        }
        assertEquals(before, TestData.sha256(db));
    }

    @Test
    void aMissingStoreOnAReadOnlyFileSystemIsRefusedNotCreated() throws Exception {
        Path state = Files.createDirectories(dir.resolve("empty"));
        try (ReadOnlyMount ro = ReadOnlyMount.of(state, dir.resolve("ro"))) {
            BitsException e = assertThrows(BitsException.class, () -> new JobStore(ro.path().resolve("jobs.db")).close());
            assertEquals(HResult.E_ACCESSDENIED, e.hresult(), e.getMessage());
            assertTrue(e.getMessage().contains("Read-only file system"), e.getMessage());
        }
        try (var files = Files.list(state)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void anUnwritableStoreIsRefusedAtOpenByTheStoreAndTheEngine() throws Exception {
        Path state = dir.resolve("state");
        Path db = storeWithAJob(state);
        String before = TestData.sha256(db);
        try (Unwritable u = Unwritable.file(db)) {
            BitsException e = assertThrows(BitsException.class, () -> new JobStore(db).close());
            assertEquals(HResult.E_ACCESSDENIED, e.hresult(), e.getMessage());
            assertTrue(e.getMessage().contains("the job store " + db + " cannot be written by user "
                    + System.getProperty("user.name") + " (" + u.reason()), e.getMessage());
            assertTrue(e.getMessage().contains("so it does not start. Give back write permission"), e.getMessage());
            BitsException engine = assertThrows(BitsException.class, () -> Engines.open(state).close());
            assertEquals(HResult.E_ACCESSDENIED, engine.hresult(), engine.getMessage());
            assertTrue(engine.getMessage().contains("the job store " + db + " cannot be written"), engine.getMessage());
        }
        assertEquals(before, TestData.sha256(db));
    }

    @Test
    void aStateDirectoryThatCannotBeWrittenIsRefusedAtOpen() throws Exception {
        Path state = dir.resolve("state");
        Path db = storeWithAJob(state);
        try (Unwritable u = Unwritable.directory(state)) {
            BitsException e = assertThrows(BitsException.class, () -> new JobStore(db).close());
            assertEquals(HResult.E_ACCESSDENIED, e.hresult(), e.getMessage());
            assertTrue(e.getMessage().contains("is in the state directory " + state + ", which user "
                    + System.getProperty("user.name") + " cannot write (" + u.reason()), e.getMessage());
        }
    }

    @Test
    void aStoreWhoseWriteAheadLogCannotBeWrittenIsRefusedAtOpen() throws Exception {
        // The file and its directory are writable; only the log a crash left is not: SQLite opens the store
        // read-only, and the write jbits makes at open finds out.
        Path state = Files.createDirectories(dir.resolve("state"));
        Path db = state.resolve("jobs.db");
        Path crashed = Files.createDirectories(dir.resolve("crashed"));
        try (JobStore store = new JobStore(crashed.resolve("jobs.db"))) {
            store.insertJob(StoreMigrationTest.job(UUID.randomUUID(), "in the log"));
            Files.copy(crashed.resolve("jobs.db"), db);
            Files.copy(crashed.resolve("jobs.db-wal"), state.resolve("jobs.db-wal"));
        }
        try (Unwritable u = Unwritable.file(state.resolve("jobs.db-wal"))) {
            BitsException e = assertThrows(BitsException.class, () -> new JobStore(db).close());
            assertEquals(HResult.E_ACCESSDENIED, e.hresult(), e.getMessage());
            assertTrue(e.getMessage().contains("the job store " + db + " cannot be written ("), e.getMessage());
        }
    }

    /** A read-only bind mount of a directory: a real read-only file system (EROFS), without a device to make. */
    record ReadOnlyMount(Path path) implements AutoCloseable {
        static ReadOnlyMount of(Path source, Path mountPoint) throws IOException, InterruptedException {
            assertTrue(ROOT, "this test mounts a read-only file system (mount -o bind,ro) and must run as root, as CI does");
            Files.createDirectories(mountPoint);
            run("mount", "--bind", source.toString(), mountPoint.toString());
            try {
                run("mount", "-o", "remount,bind,ro", mountPoint.toString());
            } catch (AssertionError e) {
                run("umount", mountPoint.toString());
                throw e;
            }
            return new ReadOnlyMount(mountPoint);
        }

        /** Unmounts; a file left open on it (a store that failed to close) must not leave the mount behind. */
        @Override
        public void close() throws IOException, InterruptedException {
            try {
                run("umount", path.toString());
            } catch (AssertionError busy) {
                run("umount", "--lazy", path.toString());
                throw busy;
            }
        }
    }

    /** A file or directory made unwritable: immutable as root (whom modes do not stop), mode 0400/0500 otherwise. */
    record Unwritable(Path path, boolean directory, String reason) implements AutoCloseable {
        static Unwritable file(Path p) throws IOException, InterruptedException {
            return make(p, false);
        }

        static Unwritable directory(Path p) throws IOException, InterruptedException {
            return make(p, true);
        }

        private static Unwritable make(Path p, boolean directory) throws IOException, InterruptedException {
            if (ROOT) {
                run("chattr", "+i", p.toString());
                return new Unwritable(p, directory, "Operation not permitted");
            }
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(directory ? "r-x------" : "r--------"));
            return new Unwritable(p, directory, "Permission denied");
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (ROOT) {
                run("chattr", "-i", path.toString());
            } else {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }
}
