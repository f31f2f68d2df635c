package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jbits.JobState;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 while a store is written through both its connections (state changes at synchronous=FULL, progress
 * records at NORMAL): whatever was reported before the kill is in the store the next open reads, and the store
 * passes its integrity check. (A kill loses nothing the file system was given, so this checks that every call
 * commits before it returns, on either connection; a power cut, which only the FULL commits survive, is beyond a test.)
 */
class StoreCrashTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "killed after {0} reported records")
    @ValueSource(ints = {37, 158, 403})
    void everyRecordReportedBeforeAKillIsInTheStore(int reported) throws Exception {
        Path db = dir.resolve("jobs.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StoreCrashChild.class.getName(), db.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<UUID, String> last = new LinkedHashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (int n = 0; n < reported; n++) {
                String line = out.readLine();
                if (line == null) {
                    fail("the child ended after " + n + " records (exit " + child.waitFor() + ")");
                }
                String[] w = line.split(" ");
                last.put(UUID.fromString(w[1]), w[0]);
            }
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        try (JobStore store = new JobStore(db)) {
            Map<UUID, JobRecord> jobs = store.loadAll().stream().collect(Collectors.toMap(j -> j.id, Function.identity()));
            for (Map.Entry<UUID, String> e : last.entrySet()) {
                JobRecord rec = jobs.get(e.getKey());
                assertNotNull(rec, "job " + e.getKey() + " was reported " + e.getValue() + " and is gone");
                List<String> order = List.of("created", "range", "checkpoint", "transferred");
                int reached = order.indexOf(e.getValue());
                if (reached >= order.indexOf("range")) {
                    assertEquals(1, store.segments(rec.id, 0).size(), "the range of " + rec.displayName);
                }
                if (reached >= order.indexOf("checkpoint")) {
                    assertEquals(1024, rec.files.get(0).checkpoint, "the checkpoint of " + rec.displayName);
                }
                if (reached >= order.indexOf("transferred")) {
                    assertEquals(JobState.TRANSFERRED, rec.state, rec.displayName);
                }
            }
        }
    }
}
