package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** native/wine-attempts.py: which cases a crash of Wine's BITS took down, and the merge of the attempt that re-ran them. */
class WineAttemptsScriptTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String run(String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("python3", Path.of("native/wine-attempts.py").toAbsolutePath().toString());
        pb.command().addAll(List.of(args));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.strip();
    }

    private Path write(String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name), json.replace('\'', '"'));
    }

    @Test
    void findsTheLostCasesAndMergesTheirSecondAttempt() throws Exception {
        Path report = write("native-wine.json", "{'backend': 'native-wine', 'cases': ["
                + "{'name': 'a-passed', 'result': 'passed', 'reason': ''},"
                + "{'name': 'b-died', 'result': 'failed', 'reason': 'RPC_S_CALL_FAILED (0x800706BE): GetState failed'},"
                + "{'name': 'c-lost', 'result': 'failed', 'reason': 'the native-wine backend did not open: "
                + "RPC_S_SERVER_UNAVAILABLE (0x800706BA): CoCreateInstance failed'},"
                + "{'name': 'd-real-failure', 'result': 'failed', 'reason': 'expected: <5> but was: <30>'},"
                + "{'name': 'e-deviation', 'result': 'wine-deviation', 'reason': 'observed: E_NOTIMPL'}]}");
        assertEquals("b-died,c-lost", run("lost", report.toString()));

        Path attempt = write("attempt.json", "{'backend': 'native-wine', 'cases': ["
                + "{'name': 'b-died', 'result': 'passed', 'reason': ''},"
                + "{'name': 'c-lost', 'result': 'wine-deviation', 'reason': 'observed: x'},"
                + "{'name': 'd-real-failure', 'result': 'passed', 'reason': ''}]}");
        Path log = Files.writeString(dir.resolve("first.log"), "wine: Unhandled page fault on read access to "
                + "FFFFFFFFFFFFFFFF at address 000000017000EBE4 (thread 0190), starting debugger...\nFailures (3):\n");
        run("merge", report.toString(), attempt.toString(), "2", log.toString());

        JsonNode merged = JSON.readTree(report.toFile());
        JsonNode cases = merged.get("cases");
        assertEquals(5, cases.size());
        assertEquals("passed", cases.get(1).get("result").asText());
        assertEquals(2, cases.get(1).get("attempt").asInt());
        assertEquals("wine-deviation", cases.get(2).get("result").asText());
        assertEquals("failed", cases.get(3).get("result").asText(), "a case that was not lost keeps its first result");
        assertEquals(null, cases.get(3).get("attempt"));
        JsonNode crash = merged.get("serviceCrashes").get(0);
        assertEquals(1, crash.get("attempt").asInt());
        assertEquals("b-died", crash.get("during").asText());
        assertEquals(2, crash.get("casesLost").asInt());
        assertEquals("wine: Unhandled page fault on read access to FFFFFFFFFFFFFFFF at address 000000017000EBE4 "
                + "(thread 0190), starting debugger...", crash.get("wine").asText());
        assertEquals("", run("lost", report.toString()), "nothing is lost after the merge");

        ConformanceReport.ReportFile read = ConformanceReport.read(report);
        assertEquals(5, read.cases().size(), "the Java reader reads past the added fields");
    }

    @Test
    void aCaseThatHungOrNeverReportedIsLostAndRunAgain() throws Exception {
        Path report = write("native-wine.json", "{'backend': 'native-wine', 'cases': ["
                + "{'name': 'a-passed', 'result': 'passed', 'reason': ''},"
                + "{'name': 'b-timed-out', 'result': 'wine-deviation', 'reason': 'observed: "
                + "TIMED_OUT: jobWaits() timed out after 120 seconds'},"
                + "{'name': 'd-real-failure', 'result': 'failed', 'reason': 'expected: <5> but was: <30>'},"
                + "{'name': 'f-deviation-that-waits', 'result': 'wine-deviation', 'reason': 'observed: timed out after "
                + "15000 ms waiting for FileTransferred -- known Wine behaviour: never called'}]}");
        // c-never-reported and e-never-reported were expected (the portable run has them) and are not in the report.
        assertEquals("2", run("fill", report.toString(), "a-passed,b-timed-out,c-never-reported,d-real-failure,"
                + "e-never-reported", "124"));
        JsonNode filled = JSON.readTree(report.toFile()).get("cases");
        assertEquals(6, filled.size());
        assertEquals("c-never-reported", filled.get(2).get("name").asText(), "sorted by name");
        assertEquals("failed", filled.get(2).get("result").asText(), "a case that never reported is no pass");
        assertEquals(true, filled.get(2).get("reason").asText().startsWith("NO_RESULT: the run ended (the 'timeout' "
                + "command's limit, launcher exit 124)"), filled.get(2).toString());
        assertEquals("b-timed-out,c-never-reported,e-never-reported", run("lost", report.toString()),
                "a declared deviation whose own wait ran out is a result, not a hang");
        assertEquals("0", run("fill", report.toString(), "a-passed,c-never-reported", "0"), "nothing twice");

        Path attempt = write("attempt.json", "{'backend': 'native-wine', 'cases': ["
                + "{'name': 'b-timed-out', 'result': 'wine-deviation', 'reason': 'observed: E_NOTIMPL'},"
                + "{'name': 'c-never-reported', 'result': 'passed', 'reason': ''}]}");
        // The attempt did not report e-never-reported either: it stays lost, for the next attempt.
        assertEquals("1", run("fill", attempt.toString(), "b-timed-out,c-never-reported,e-never-reported", "124"));
        Path log = Files.writeString(dir.resolve("first.log"), "Failures (1):\n");
        run("merge", report.toString(), attempt.toString(), "2", log.toString());
        JsonNode merged = JSON.readTree(report.toFile());
        JsonNode crash = merged.get("serviceCrashes").get(0);
        assertEquals("hang", crash.get("kind").asText());
        assertEquals("b-timed-out", crash.get("during").asText());
        assertEquals(3, crash.get("casesLost").asInt());
        assertEquals("e-never-reported", run("lost", report.toString()));
        assertEquals("passed", merged.get("cases").get(2).get("result").asText());
        assertEquals("failed", merged.get("cases").get(3).get("result").asText(), "d keeps its first result");
    }
}
