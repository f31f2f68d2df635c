import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jbits.BitsJob;
import org.jbits.BitsManager;
import org.jbits.BitsOptions;
import org.jbits.JobError;
import org.jbits.JobListener;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.agent.AgentLog;

/**
 * The Java-API side of bench/upload-vs-curl.sh: an application that uploads through jbits' portable engine in its own,
 * already running JVM (as a Java app that embeds jbits does), on {@code JBITS_HOME}. For each line "upload" on stdin
 * it makes one Foreground upload job of FILE to URL, waits for Transferred (the engine's event, no polling), completes
 * it and prints the seconds from createJob to the end of Complete; "quit" ends it.
 *
 * <pre>usage: UploadBench FILE URL</pre>
 */
public final class UploadBench {
    public static void main(String[] args) throws Exception {
        Path home = BitsOptions.defaultStateDirectory();
        Files.createDirectories(home);
        AgentLog.toFile(home.resolve("upload-bench.log"));
        Path file = Path.of(args[0]).toAbsolutePath();
        String url = args[1];
        ConcurrentHashMap<UUID, CountDownLatch> waiting = new ConcurrentHashMap<>();
        try (BitsManager bits = BitsManager.open(BitsOptions.defaults().withBackend("portable").withStateDirectory(home))) {
            bits.addListener(new JobListener() {
                @Override
                public void jobTransferred(BitsJob job) {
                    CountDownLatch l = waiting.get(job.id());
                    if (l != null) {
                        l.countDown();
                    }
                }

                @Override
                public void jobError(BitsJob job, JobError error) {
                    System.err.println("upload-bench: job " + job.id() + " failed: " + error);
                    CountDownLatch l = waiting.get(job.id());
                    if (l != null) {
                        l.countDown();
                    }
                }
            });
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("quit")) {
                long start = System.nanoTime();
                BitsJob job = bits.createJob("upload-bench", JobType.UPLOAD);
                CountDownLatch done = new CountDownLatch(1);
                waiting.put(job.id(), done);
                job.setPriority(JobPriority.FOREGROUND);
                job.addFile(url, file.toString());
                job.resume();
                if (!done.await(10, TimeUnit.MINUTES) || job.state() != JobState.TRANSFERRED) {
                    System.out.println("error " + job.state());
                    System.out.flush();
                    job.cancel();
                    continue;
                }
                long transferred = System.nanoTime();
                job.complete();
                waiting.remove(job.id());
                System.err.println(String.format(Locale.ROOT, "upload-bench: Transferred after %.3f s, completed %.3f s later",
                        (transferred - start) / 1e9, (System.nanoTime() - transferred) / 1e9));
                System.out.println(String.format(Locale.ROOT, "%.6f", (System.nanoTime() - start) / 1e9));
                System.out.flush();
            }
        }
    }
}
