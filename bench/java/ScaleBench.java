import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jbits.BitsJob;
import org.jbits.BitsManager;
import org.jbits.BitsOptions;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.agent.AgentLog;

/**
 * The Java-API side of bench/run's scale and concurrency benches. It opens the portable engine on {@code JBITS_HOME}
 * as the agent does (bench/run starts this JVM with the agent's flags) and prints one JSON line per result.
 *
 * <pre>
 * create N THREADS URL DESTDIR      N suspended jobs of one file each, from THREADS threads; every call returns
 *                                    only once it is committed (synchronous=FULL), so after the JSON line the driver
 *                                    kills this JVM with kill -9 and counts the jobs the agent then finds
 * concurrent N URLPREFIX DESTDIR SIZE  N Foreground jobs of one file each (URLPREFIX + index), resumed at once; samples
 *                                    progress, threads and memory every 100 ms until all are Transferred
 * </pre>
 */
public final class ScaleBench {
    public static void main(String[] args) throws Exception {
        Path home = BitsOptions.defaultStateDirectory();
        Files.createDirectories(home);
        AgentLog.toFile(home.resolve("bench-engine.log"));
        switch (args[0]) {
            case "create" -> create(home, Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3], Path.of(args[4]));
            case "concurrent" -> concurrent(home, Integer.parseInt(args[1]), args[2], Path.of(args[3]),
                    Long.parseLong(args[4]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static BitsManager open(Path home) {
        return BitsManager.open(BitsOptions.defaults().withBackend("portable").withStateDirectory(home));
    }

    private static void create(Path home, int n, int threads, String url, Path dest) throws Exception {
        Files.createDirectories(dest);
        long openStart = System.nanoTime();
        BitsManager bits = open(home);
        double openSeconds = (System.nanoTime() - openStart) / 1e9;
        long[] latencyNanos = new long[n];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    long s = System.nanoTime();
                    BitsJob job = bits.createJob("scale-" + i, JobType.DOWNLOAD);
                    job.addFile(url, dest.resolve("f" + i + ".bin").toString());
                    latencyNanos[i] = System.nanoTime() - s;
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long suspended = bits.jobs().stream().filter(j -> j.state() == JobState.SUSPENDED).count();
        long[] sorted = latencyNanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "RESULT {\"mode\":\"create\",\"jobs\":%d,\"threads\":%d,\"seconds\":%.4f,"
                        + "\"jobs_per_s\":%.1f,\"call_ms_p50\":%.3f,\"call_ms_p99\":%.3f,\"call_ms_max\":%.3f,"
                        + "\"suspended\":%d,\"open_seconds\":%.3f,\"rss_kib\":%d,\"hwm_kib\":%d}%n",
                n, threads, seconds, n / seconds, sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6,
                sorted[n - 1] / 1e6, suspended, openSeconds, status("VmRSS"), status("VmHWM"));
        System.out.flush();
        // The driver kills this JVM with kill -9 now: whatever a call had returned must be in the store.
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        bits.close();
    }

    private static void concurrent(Path home, int n, String urlPrefix, Path dest, long fileBytes) throws Exception {
        Files.createDirectories(dest);
        BitsManager bits = open(home);
        List<BitsJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BitsJob job = bits.createJob("concurrent-" + i, JobType.DOWNLOAD);
            job.setPriority(JobPriority.FOREGROUND);
            job.addFile(urlPrefix + i, dest.resolve("c" + i + ".bin").toString());
            jobs.add(job);
        }
        int threadsBefore = status("Threads");
        long rssBefore = status("VmRSS");
        // Resuming 100 jobs one call at a time takes a while (each is a durable commit), so a sampler thread reads
        // progress every 100 ms from the first resume on; each job's own time runs from its resume.
        double[] resumed = new double[n];
        double[] done = new double[n];
        Arrays.fill(done, -1);
        long total = n * fileBytes;
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicIntegerArray started = new java.util.concurrent.atomic.AtomicIntegerArray(n);
        int[] maxThreads = {0};
        long[] maxRss = {0};
        double[] halfTime = {-1};
        long[][] atHalf = {null};
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread sampler = new Thread(() -> {
            int remaining = n;
            while (remaining > 0) {
                double now = (System.nanoTime() - start) / 1e9;
                if (now > 600) {
                    errors.add("jobs still running after 600 s");
                    return;
                }
                long[] bytes = new long[n];
                long sum = 0;
                remaining = 0;
                for (int i = 0; i < n; i++) {
                    BitsJob j = jobs.get(i);
                    bytes[i] = j.progress().bytesTransferred();
                    sum += bytes[i];
                    if (done[i] < 0) {
                        JobState s = started.get(i) == 1 ? j.state() : JobState.SUSPENDED;
                        if (s == JobState.TRANSFERRED || s == JobState.ERROR) {
                            done[i] = now;
                            if (s == JobState.ERROR) {
                                errors.add(j.error().map(e -> e.errorName() + " " + e.description()).orElse("error"));
                            }
                        } else {
                            remaining++;
                        }
                    }
                }
                if (atHalf[0] == null && sum * 2 >= total) {
                    atHalf[0] = bytes;
                    halfTime[0] = now;
                }
                maxThreads[0] = Math.max(maxThreads[0], status("Threads"));
                maxRss[0] = Math.max(maxRss[0], status("VmRSS"));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-sampler");
        sampler.start();
        for (int i = 0; i < n; i++) {
            resumed[i] = (System.nanoTime() - start) / 1e9;
            jobs.get(i).resume();
            started.set(i, 1);
        }
        double resumeSeconds = (System.nanoTime() - start) / 1e9;
        sampler.join();
        double wall = (System.nanoTime() - start) / 1e9;
        for (BitsJob j : jobs) {
            if (j.state() == JobState.TRANSFERRED) {
                j.complete();
            }
        }
        // Each job's own transfer time (resume to Transferred, to the 100 ms of the sampler) and its throughput.
        double[] own = new double[n];
        long[] rate = new long[n];
        for (int i = 0; i < n; i++) {
            own[i] = done[i] - resumed[i];
            rate[i] = (long) (fileBytes / Math.max(0.05, own[i]));
        }
        double[] sortedOwn = own.clone();
        Arrays.sort(sortedOwn);
        System.out.printf(Locale.ROOT, "RESULT {\"mode\":\"concurrent\",\"jobs\":%d,\"wall_seconds\":%.3f,\"resume_all_seconds\":%.3f,"
                        + "\"job_seconds_min\":%.3f,\"job_seconds_median\":%.3f,\"job_seconds_max\":%.3f,\"jain_of_job_rates\":%.4f,"
                        + "\"half_time_seconds\":%.3f,\"jain_at_half\":%.4f,\"min_over_mean_at_half\":%.4f,"
                        + "\"threads_before\":%d,\"threads_max\":%d,\"rss_before_kib\":%d,\"rss_max_kib\":%d,\"hwm_kib\":%d,"
                        + "\"errors\":%d}%n",
                n, wall, resumeSeconds, sortedOwn[0], sortedOwn[n / 2], sortedOwn[n - 1], jain(rate), halfTime[0],
                atHalf[0] == null ? -1 : jain(atHalf[0]), atHalf[0] == null ? -1 : minOverMean(atHalf[0]),
                threadsBefore, maxThreads[0], rssBefore, maxRss[0], status("VmHWM"), errors.size());
        if (!errors.isEmpty()) {
            System.err.println("errors: " + errors.subList(0, Math.min(5, errors.size())));
        }
        bits.close();
    }

    /** Jain's fairness index: 1 when every job has the same bytes, 1/n when one job has them all. */
    private static double jain(long[] x) {
        double s = 0;
        double s2 = 0;
        for (long v : x) {
            s += v;
            s2 += (double) v * v;
        }
        return s2 == 0 ? 1 : s * s / (x.length * s2);
    }

    private static double minOverMean(long[] x) {
        double s = 0;
        long min = Long.MAX_VALUE;
        for (long v : x) {
            s += v;
            min = Math.min(min, v);
        }
        return s == 0 ? 1 : min / (s / x.length);
    }

    /** A number from /proc/self/status (kB for the Vm* lines). */
    private static int status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Integer.parseInt(line.substring(key.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
