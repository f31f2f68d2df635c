package org.jbits.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jbits.BitsJob;
import org.jbits.JobType;
import org.jbits.testing.Engines;

/**
 * The child JVM of {@link GroupCommitCrashTest}: eight threads create jobs through the portable engine, add a file
 * to each and change a property, and print each step only once its call returned, until the JVM is killed. The
 * threads' writes share commits (the store's group commit); every printed step must be in the store.
 */
final class GroupCommitCrashChild {
    private GroupCommitCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        Path dest = Files.createDirectories(Path.of(args[1]));
        int threads = Integer.parseInt(args[2]);
        // Jobs without end, until the kill: past BITS' MaxJobsPerUser of 60, which this engine lifts.
        PortableEngine engine = Engines.open(state, "engine.maxJobsPerUser", String.valueOf(Integer.MAX_VALUE));
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                try {
                    for (int i = 0; ; i++) {
                        BitsJob job = engine.createJob("t" + thread + "-" + i, JobType.DOWNLOAD);
                        report("created", job);
                        job.addFile("http://127.0.0.1:9/f" + thread + "-" + i,
                                dest.resolve("f" + thread + "-" + i).toString());
                        report("added", job);
                        job.setDescription("described " + i);
                        report("described", job);
                    }
                } catch (RuntimeException e) {
                    // A call that fails ends the child, so the test fails at once instead of waiting on its output.
                    e.printStackTrace();
                    System.exit(3);
                }
            });
            worker.start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void report(String what, BitsJob job) {
        String line = what + " " + job.id();
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
