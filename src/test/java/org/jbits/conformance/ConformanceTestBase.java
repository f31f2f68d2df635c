package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.BitsManager;
import org.jbits.HResult;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * What every conformance class shares: the selected backend, one {@link ConformanceServer} per class, and per case a
 * fresh {@link BitsManager} with an empty directory for local files. Only the public API (package {@code org.jbits})
 * is used, so the same classes run against the portable engine and, in a Windows JVM, against native BITS.
 */
@ExtendWith({CaseFilter.class, ConformanceReporter.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 40, unit = TimeUnit.SECONDS)
abstract class ConformanceTestBase {
    /** Long enough for any transfer of the suite, short enough that a hang costs little. */
    static final Duration WAIT = Duration.ofSeconds(15);
    /** A small file that transfers at once. */
    static final int SMALL = 100_000;
    /** A throttled file: about two seconds, so its transfer is observably in progress. */
    static final int SLOW_SIZE = 600_000;
    static final int SLOW_RATE = 300_000;

    final ConformanceBackend backend = ConformanceBackend.selected();
    ConformanceServer server;
    BitsManager bits;
    /** The case's directory for local files; empty at the start. */
    Path dir;
    private Path scratch;
    private final List<BitsJob> created = new ArrayList<>();

    @BeforeAll
    void startServer() {
        try {
            server = ConformanceServer.start();
        } catch (IOException | RuntimeException e) {
            throw new ConformanceSetupException("the test server did not start", e);
        }
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void openBackend() throws IOException {
        scratch = Files.createTempDirectory("jbits-conformance-");
        dir = Files.createDirectory(scratch.resolve("files"));
        try {
            bits = backend.open(scratch);
        } catch (RuntimeException e) {
            throw new ConformanceSetupException("the " + backend.name() + " backend did not open", e);
        }
    }

    /** Cancels what the case left behind (native BITS keeps jobs across managers), then closes the backend. */
    @AfterEach
    void closeBackend() throws IOException {
        try {
            for (BitsJob j : created) {
                try {
                    if (!j.state().isFinal()) {
                        j.cancel();
                    }
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        } finally {
            created.clear();
            if (bits != null) {
                bits.close();
                bits = null;
            }
            deleteTree(scratch);
        }
    }

    /** Creates a job through the manager and remembers it for clean-up. */
    BitsJob createJob(String displayName, JobType type) {
        BitsJob job = bits.createJob(displayName, type);
        created.add(job);
        return job;
    }

    BitsJob download(String displayName) {
        return createJob(displayName, JobType.DOWNLOAD);
    }

    /** A full path in the case's directory. */
    String local(String name) {
        return dir.resolve(name).toString();
    }

    /** Skips the case unless the backend has {@code capability}; the skip reason is the backend's. */
    void requires(Capability capability) {
        Assumptions.assumeTrue(backend.has(capability),
                () -> backend.name() + " lacks " + capability + ": " + backend.missing().get(capability));
    }

    /** Runs {@code call}, which must fail with {@code hresult}; returns the error. */
    static BitsException assertBitsError(int hresult, Executable call, String what) {
        BitsException e = assertThrows(BitsException.class, call, what + " must fail with " + code(hresult));
        assertEquals(code(hresult), code(e.hresult()), what + " failed with the wrong code: " + e.getMessage());
        return e;
    }

    /** {@code BG_E_EMPTY (0x80200003)}. */
    static String code(int hresult) {
        return HResult.name(hresult) + " (" + HResult.hex(hresult) + ")";
    }

    JobState awaitState(BitsJob job, JobState... targets) {
        return Await.state(job, WAIT, targets);
    }

    /** The names in the case's directory, sorted: what a user would see there. */
    List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
