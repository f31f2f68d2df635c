package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jbits.BitsJob;
import org.jbits.testing.Engines;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * kill -9 of an engine whose callers' writes share commits (the store's group commit, the engine lock released
 * before the fsync): every call that returned before the kill is in the store the next engine opens, on one thread
 * and on eight. The child prints a step only after its call returned, so a step printed and then missing is a
 * call that returned before its write was committed.
 */
class GroupCommitCrashTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{1} thread(s), killed after {0} reported calls")
    @CsvSource({"50, 1", "333, 8", "1200, 8"})
    void everyCallThatReturnedBeforeAKillIsInTheStore(int reported, int threads) throws Exception {
        Path state = dir.resolve("state");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                GroupCommitCrashChild.class.getName(), state.toString(), dir.resolve("dest").toString(),
                String.valueOf(threads))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<UUID, String> last = new LinkedHashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (int n = 0; n < reported; n++) {
                String line = out.readLine();
                if (line == null) {
                    fail("the child ended after " + n + " calls (exit " + child.waitFor() + ")");
                }
                String[] w = line.split(" ");
                last.put(UUID.fromString(w[1]), w[0]);
            }
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        List<String> order = List.of("created", "added", "described");
        try (PortableEngine engine = Engines.open(state)) {
            Map<UUID, BitsJob> jobs = new HashMap<>();
            for (BitsJob j : engine.jobs()) {
                jobs.put(j.id(), j);
            }
            for (Map.Entry<UUID, String> e : last.entrySet()) {
                BitsJob job = jobs.get(e.getKey());
                assertNotNull(job, "job " + e.getKey() + " was reported " + e.getValue() + " and is gone");
                int reached = order.indexOf(e.getValue());
                if (reached >= order.indexOf("added")) {
                    assertEquals(1, job.files().size(), "the file of " + job.displayName());
                }
                if (reached >= order.indexOf("described")) {
                    assertTrue(job.description().startsWith("described "), "the description of " + job.displayName());
                }
            }
        }
    }
}
