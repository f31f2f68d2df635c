import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jbits.BitsJob;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;
import org.jbits.engine.EngineClock;
import org.jbits.engine.EngineSettings;
import org.jbits.engine.PortableEngine;
import org.jbits.testing.NginxServer;
import org.jbits.testing.Ports;
import org.sqlite.SQLiteConfig;

/**
 * Writes the schema-1 store fixture with the jbits that wrote schema 1: run by generate.sh on that jbits' jar and
 * test classes (for NginxServer), never on the current code. Uses only public API, as any program embedding the
 * engine could.
 *
 * <p>The parent starts nginx and a child JVM that runs the old engine; it kills the child with SIGKILL in the middle
 * of a transfer, once the store records a checkpoint and two checksummed ranges past it, and copies the store
 * (jobs.db and its write-ahead log, as the crash left them) and the temporary files into the fixture directory.
 */
public class Generate {
    static final long KIB = 1024;
    /** Served files: name and size (odd sizes, so that nothing lands on a block boundary by luck). */
    static final Map<String, Long> FILES = new TreeMap<>(Map.of(
            "small.bin", 65 * KIB + 1,
            "first.bin", 100 * KIB + 3,
            "big.bin", 3 * 1024 * KIB + 123,
            "queued.bin", 200 * KIB + 7));

    public static void main(String[] args) throws Exception {
        if (args[0].equals("child")) {
            child(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            parent(Path.of(args[0]), args.length > 1 ? args[1] : "unknown");
        }
    }

    /**
     * The content of every served file: 20-byte lines naming the file and their own offset, so any byte out of
     * place shows, and the fixture compresses in git. StoreV1FixtureTest has the same function.
     */
    static byte[] content(String name, long size) {
        StringBuilder b = new StringBuilder((int) size + 20);
        String tag = String.format("%-8.8s", name.substring(0, name.indexOf('.')));
        for (long off = 0; off < size; off += 20) {
            b.append(tag).append(' ').append(String.format("%010d", off)).append('\n');
        }
        return b.substring(0, (int) size).getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------------------------------------ parent

    static void parent(Path out, String commit) throws Exception {
        Path work = Files.createTempDirectory("jbits-store-v1-");
        Path state = work.resolve("state");
        int closedPort = Ports.free();
        Properties p = new Properties();
        try (NginxServer nginx = NginxServer.builder().limitRate("512k").start()) {
            for (Map.Entry<String, Long> f : FILES.entrySet()) {
                nginx.put(f.getKey(), content(f.getKey(), f.getValue()));
                p.setProperty("file." + f.getKey() + ".size", String.valueOf(f.getValue()));
                p.setProperty("file." + f.getKey() + ".mtime", String.valueOf(
                        Files.getLastModifiedTime(nginx.docroot().resolve(f.getKey())).toMillis() / 1000));
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    out.resolve("Generate.java").toString(),
                    "child", work.toString(), String.valueOf(nginx.port()), String.valueOf(closedPort))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            Map<String, String> ids = new HashMap<>();
            for (String line; (line = lines.readLine()) != null && !line.equals("FIXTURE READY"); ) {
                if (line.startsWith("FIXTURE job ")) {
                    String[] w = line.split(" ");
                    ids.put(w[2], w[3]);
                }
            }
            String crashing = ids.get("transferring-at-crash");
            if (crashing == null) {
                throw new IllegalStateException("the child did not set the jobs up (see its output above)");
            }
            long[] seen = awaitRangesPastCheckpoint(state.resolve("jobs.db"), crashing, Duration.ofSeconds(60));
            child.destroyForcibly();   // SIGKILL: the crash
            child.waitFor(10, TimeUnit.SECONDS);
            System.out.printf("killed the engine with checkpoint %d and %d ranges past it%n", seen[0], seen[1]);
            p.setProperty("nginx.port", String.valueOf(nginx.port()));
            ids.forEach((name, id) -> p.setProperty("job." + name, id));
        }
        p.setProperty("prefix", work.toString());
        p.setProperty("closed.port", String.valueOf(closedPort));
        p.setProperty("jbits.commit", commit);
        p.setProperty("generated", Instant.now().toString());
        copyInto(work, out);
        // Sorted, so that a regenerated fixture differs from the old one only where it must.
        StringBuilder text = new StringBuilder("# Written by Generate.java (see README.md); StoreV1FixtureTest reads it.\n");
        new TreeMap<>(p).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(out.resolve("fixture.properties"), text.toString(), StandardCharsets.ISO_8859_1);
        deleteTree(work);
    }

    /** Polls the store read-only (a reader never checkpoints the log) until it holds what the fixture needs. */
    static long[] awaitRangesPastCheckpoint(Path db, String jobId, Duration timeout) throws Exception {
        SQLiteConfig ro = new SQLiteConfig();
        ro.setReadOnly(true);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = ro.createConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SELECT f.checkpoint, (SELECT count(*) FROM segments s"
                        + " WHERE s.job_id=f.job_id AND s.idx=f.idx AND s.start_offset>=f.checkpoint)"
                        + " FROM files f WHERE f.job_id='" + jobId + "' AND f.idx=1")) {
                    if (rs.next() && rs.getLong(1) > 0 && rs.getLong(2) >= 2) {
                        return new long[] {rs.getLong(1), rs.getLong(2)};
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("no checkpoint with two ranges past it within " + timeout);
    }

    /** The store as the crash left it (no -shm: SQLite rebuilds it), and the temporary files. */
    static void copyInto(Path work, Path out) throws Exception {
        Path outState = Files.createDirectories(out.resolve("state"));
        Path outDl = Files.createDirectories(out.resolve("dl"));
        try (Stream<Path> old = Stream.concat(Files.list(outState), Files.list(outDl))) {
            for (Path f : (Iterable<Path>) old::iterator) {
                Files.delete(f);
            }
        }
        for (String name : List.of("jobs.db", "jobs.db-wal")) {
            Path f = work.resolve("state").resolve(name);
            if (Files.exists(f)) {
                Files.copy(f, outState.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        try (Stream<Path> s = Files.list(work.resolve("dl"))) {
            for (Path f : (Iterable<Path>) s::iterator) {
                if (f.getFileName().toString().endsWith(".jbits")) {
                    Files.copy(f, outDl.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ child

    /**
     * The old engine, in two runs on one store. The first puts five jobs in their states and takes the big file to
     * a durable checkpoint (suspend); the second resumes it with no checkpoint due for a minute, so that the
     * writer's ranges pile up past the checkpoint, and queues one more job behind it. Then it waits to be killed.
     */
    static void child(Path work, int port, int closedPort) throws Exception {
        Path state = work.resolve("state");
        Path dl = Files.createDirectories(work.resolve("dl"));
        String base = "http://127.0.0.1:" + port;
        UUID crashing;
        try (PortableEngine engine = engine(state, Map.of("engine.checkpointMillis", "500"))) {
            BitsJob suspended = engine.createJob("suspended-with-properties", JobType.DOWNLOAD);
            suspended.setDescription("every property set away from its default");
            suspended.setPriority(JobPriority.LOW);
            suspended.setMinimumRetryDelay(120);
            suspended.setNoProgressTimeout(7200);
            suspended.setMaximumDownloadTime(3600);
            suspended.setNotifyFlags(EnumSet.of(NotifyFlag.JOB_TRANSFERRED, NotifyFlag.FILE_TRANSFERRED));
            suspended.setProxySettings(new ProxySettings(ProxyUsage.OVERRIDE,
                    List.of("http://proxy.example:3128", "https=proxy2.example:8443"), List.of("<local>", "*.example.org")));
            suspended.setTransferPolicy(TransferPolicy.NOT_ROAMING);
            suspended.addFile(base + "/small.bin", dl.resolve("later-a.bin").toString());
            suspended.addFile(base + "/first.bin", dl.resolve("later-b.bin").toString());

            BitsJob transferred = engine.createJob("transferred", JobType.DOWNLOAD);
            transferred.setPriority(JobPriority.FOREGROUND);
            transferred.addFile(base + "/small.bin", dl.resolve("small.bin").toString());
            transferred.resume();
            await(transferred, JobState.TRANSFERRED);

            BitsJob error = engine.createJob("error-404", JobType.DOWNLOAD);
            error.setPriority(JobPriority.FOREGROUND);
            error.addFile(base + "/missing.bin", dl.resolve("missing.bin").toString());
            error.resume();
            await(error, JobState.ERROR);

            // Retried in a day: it is still waiting when the store is read back.
            BitsJob transientError = engine.createJob("transient-error", JobType.DOWNLOAD);
            transientError.setPriority(JobPriority.FOREGROUND);
            transientError.setMinimumRetryDelay(86_400);
            transientError.addFile("http://127.0.0.1:" + closedPort + "/nowhere.bin", dl.resolve("nowhere.bin").toString());
            transientError.resume();
            await(transientError, JobState.TRANSIENT_ERROR);

            BitsJob big = engine.createJob("transferring-at-crash", JobType.DOWNLOAD);
            big.setPriority(JobPriority.HIGH);
            big.addFile(base + "/first.bin", dl.resolve("first.bin").toString());
            big.addFile(base + "/slow/big.bin", dl.resolve("big.bin").toString());
            big.resume();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (big.files().get(1).progress().bytesTransferred() < 256 * KIB) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no progress: " + big.state() + " " + big.error());
                }
                Thread.sleep(20);
            }
            big.suspend();
            crashing = big.id();
            for (BitsJob j : List.of(suspended, transferred, error, transientError, big)) {
                System.out.println("FIXTURE job " + j.displayName() + " " + j.id());
            }
        }
        try (PortableEngine engine = engine(state, Map.of("engine.checkpointMillis", "60000",
                "engine.syncBytes", String.valueOf(1L << 30)))) {
            BitsJob big = engine.getJob(crashing);
            big.resume();
            await(big, JobState.TRANSFERRING);
            BitsJob queued = engine.createJob("queued-at-crash", JobType.DOWNLOAD);
            queued.addFile(base + "/queued.bin", dl.resolve("queued.bin").toString());
            queued.resume();
            Thread.sleep(500);
            if (queued.state() != JobState.QUEUED) {
                throw new IllegalStateException("the normal-priority job should wait behind the high one: " + queued.state());
            }
            System.out.println("FIXTURE job " + queued.displayName() + " " + queued.id());
            System.out.println("FIXTURE READY");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    static PortableEngine engine(Path state, Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.put("http.connectTimeoutMillis", "2000");
        return new PortableEngine(state, EngineSettings.from(s), EngineClock.SYSTEM);
    }

    static void await(BitsJob job, JobState wanted) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (job.state() != wanted) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(job.displayName() + " is " + job.state() + ", not " + wanted
                        + ": " + job.error());
            }
            Thread.sleep(20);
        }
    }
}
