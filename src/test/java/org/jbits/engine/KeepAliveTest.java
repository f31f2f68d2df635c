package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jbits.BitsJob;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.testing.Await;
import org.jbits.testing.Engines;
import org.jbits.testing.NginxServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keep-alive connection the server closed while it sat in the pool: the next job's request fails on it before
 * any byte arrives, and must be sent again at once on a fresh connection, not turned into a TransientError that
 * waits out the retry delay (600 s by default).
 */
class KeepAliveTest {
    private static NginxServer nginx;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        // nginx closes an idle keep-alive connection after 1 s (75 s by default; Apache 5 s).
        nginx = NginxServer.builder().extraServerConfig("keepalive_timeout 1s;").start();
    }

    @AfterAll
    static void stop() {
        nginx.close();
    }

    @Test
    void aJobAfterTheServerClosedTheIdleConnectionIsNotHeldUpByIt() throws Exception {
        nginx.put("first.bin", TestData.random(100_000, 1));
        byte[] second = TestData.random(100_000, 2);
        nginx.put("second.bin", second);
        Path dl = Files.createDirectories(tmp.resolve("dl"));
        try (PortableEngine engine = Engines.open(tmp.resolve("state"))) {
            download(engine, "first.bin", dl);
            Thread.sleep(2_500);
            assertEquals(0, download(engine, "second.bin", dl),
                    "no transient error: the stale connection was replaced at once");
        }
        assertEquals(TestData.sha256(second), TestData.sha256(dl.resolve("second.bin")));
        assertEquals(2, nginx.accessLog().size(), "one request per file reached nginx");
    }

    /** Downloads one file as a Foreground job; returns the job's error count before Complete. */
    private static int download(PortableEngine engine, String name, Path dir) {
        BitsJob job = engine.createJob(name, JobType.DOWNLOAD);
        job.setPriority(JobPriority.FOREGROUND);
        job.addFile(nginx.url(name).toString(), dir.resolve(name).toString());
        job.resume();
        // Within 10 s: a TransientError would wait the retry delay (600 s).
        Await.state(job, Duration.ofSeconds(10), JobState.TRANSFERRED);
        int errors = job.errorCount();
        job.complete();
        return errors;
    }
}
