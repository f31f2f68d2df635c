package org.jbits.engine;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.jbits.JobType;

/**
 * Times the store's periodic progress path, the calls a transfer makes as it goes: {@code addSegment} once per
 * written batch and {@code saveCheckpoint(..., false)} once per forced checkpoint, 10,000 of each per run, in a
 * fresh store per run. Not a test: run by {@code bench/store-progress.sh}, which runs it against two builds of
 * {@link JobStore} in turn. Uses only methods every version of the store has, so one compiled copy runs against both.
 *
 * <p>Arguments: {@code [calls [runs [dir]]]}; prints one line per run and the medians.
 */
final class ProgressRecordTiming {
    private ProgressRecordTiming() {
    }

    public static void main(String[] args) throws IOException {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path base = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("jbits-progress-timing");
        double[] segments = new double[runs];
        double[] checkpoints = new double[runs];
        double[] pairs = new double[runs];
        for (int r = 0; r < runs; r++) {
            Path dir = Files.createDirectories(base.resolve("run" + r));
            try (JobStore store = new JobStore(dir.resolve("jobs.db"))) {
                UUID id = UUID.randomUUID();
                JobRecord rec = new JobRecord(id, JobType.DOWNLOAD, "timing", "timing", Instant.now());
                FileRecord ranged = new FileRecord(0, "http://h/f", URI.create("http://h/f"), "/d/f", "/d/.f.jbits");
                // The checkpoints go to a second file: 10,000 ranges left behind on one file is no transfer's case.
                FileRecord f = new FileRecord(1, "http://h/g", URI.create("http://h/g"), "/d/g", "/d/.g.jbits");
                rec.files.add(ranged);
                rec.files.add(f);
                store.insertJob(rec);
                long batch = 4L << 20;
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    store.addSegment(id, 0, i * batch, (i + 1) * batch, i);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    f.checkpoint = (i + 1) * batch;
                    store.saveCheckpoint(id, f, false);
                }
                long t2 = System.nanoTime();
                // What a transfer does: a range per batch, and a checkpoint that drops the ranges behind it.
                for (int i = 0; i < calls; i++) {
                    long start = (calls + i) * batch;
                    store.addSegment(id, 1, start, start + batch, i);
                    f.checkpoint = start + batch;
                    store.saveCheckpoint(id, f, false);
                }
                long t3 = System.nanoTime();
                segments[r] = (t1 - t0) / 1e6;
                checkpoints[r] = (t2 - t1) / 1e6;
                pairs[r] = (t3 - t2) / 1e6;
                System.out.printf(Locale.ROOT, "run %d: %d addSegment %.0f ms, %d saveCheckpoint %.0f ms, %d pairs %.0f ms%n",
                        r + 1, calls, segments[r], calls, checkpoints[r], calls, pairs[r]);
            }
        }
        System.out.printf(Locale.ROOT, "median of %d: addSegment %.0f ms, saveCheckpoint %.0f ms, pairs %.0f ms (%d calls each)%n",
                runs, median(segments), median(checkpoints), median(pairs), calls);
        deleteTree(base);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
