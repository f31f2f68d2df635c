package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report writer and the result mapping (not conformance cases themselves). */
class ConformanceReportTest {
    @TempDir
    Path dir;

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void writesTheContractFormat() throws Exception {
        ConformanceReport r = new ConformanceReport(dir, "portable", "run-1");
        r.record(CaseResult.passed("b-case"));
        r.record(new CaseResult("a-case", CaseResult.FAILED, "expected: <1> but was: <2>"));
        r.record(CaseResult.skipped("c-case", "portable lacks nothing"));
        r.flush();

        JsonNode root = new ObjectMapper().readTree(dir.resolve("portable.json").toFile());
        assertEquals(List.of("backend", "cases"), fieldNames(root));
        assertEquals("portable", root.get("backend").asText());
        assertEquals(3, root.get("cases").size());
        for (JsonNode c : root.get("cases")) {
            assertEquals(List.of("name", "result", "reason"), fieldNames(c));
        }
        assertEquals("a-case", root.get("cases").get(0).get("name").asText(), "sorted by name");
        assertEquals("failed", root.get("cases").get(0).get("result").asText());
        assertEquals("expected: <1> but was: <2>", root.get("cases").get(0).get("reason").asText());
        assertEquals("passed", root.get("cases").get(1).get("result").asText());
        assertEquals("", root.get("cases").get(1).get("reason").asText(), "a pass has an empty reason");
        assertEquals("skipped", root.get("cases").get(2).get("result").asText());
    }

    @Test
    void flushesOfOneRunAddUp() throws Exception {
        // One JVM: a flush after each class.
        ConformanceReport jvm1 = new ConformanceReport(dir, "portable", "run-1");
        jvm1.record(CaseResult.passed("class-a-case"));
        jvm1.flush();
        jvm1.record(CaseResult.passed("class-b-case"));
        jvm1.flush();
        // A second surefire fork of the same run.
        ConformanceReport jvm2 = new ConformanceReport(dir, "portable", "run-1");
        jvm2.record(new CaseResult("class-c-case", CaseResult.FAILED, "boom"));
        jvm2.flush();

        List<String> names = ConformanceReport.read(dir.resolve("portable.json")).cases().stream().map(CaseResult::name).toList();
        assertEquals(List.of("class-a-case", "class-b-case", "class-c-case"), names);
    }

    @Test
    void aLaterRunReplacesTheFile() throws Exception {
        ConformanceReport old = new ConformanceReport(dir, "portable", "run-1");
        old.record(CaseResult.passed("renamed-since"));
        old.record(new CaseResult("flaky", CaseResult.FAILED, "once"));
        old.flush();
        ConformanceReport now = new ConformanceReport(dir, "portable", "run-2");
        now.record(CaseResult.passed("flaky"));
        now.flush();

        assertEquals(List.of(CaseResult.passed("flaky")), ConformanceReport.read(dir.resolve("portable.json")).cases());
    }

    @Test
    void aLaterResultForTheSameCaseWins() throws Exception {
        ConformanceReport r = new ConformanceReport(dir, "portable", "run-1");
        r.record(new CaseResult("case", CaseResult.FAILED, "first attempt"));
        r.flush();
        ConformanceReport again = new ConformanceReport(dir, "portable", "run-1");
        again.record(CaseResult.passed("case"));
        again.flush();
        assertEquals(List.of(CaseResult.passed("case")), ConformanceReport.read(dir.resolve("portable.json")).cases());
    }

    @Test
    void backendsHaveTheirOwnFiles() throws Exception {
        new ConformanceReport(dir, "portable", "r").record(CaseResult.passed("x"));
        ConformanceReport wine = new ConformanceReport(dir, "native-wine", "r");
        wine.record(CaseResult.passed("y"));
        wine.flush();
        assertEquals("native-wine", ConformanceReport.read(dir.resolve("native-wine.json")).backend());
        assertTrue(!dir.resolve("portable.json").toFile().exists(), "nothing flushed for portable");
    }

    @Test
    void aFailureUnderWineWithAKnownDeviationIsAWineDeviation() {
        BitsException observed = new BitsException(HResult.E_NOTIMPL, "Suspend is a stub");
        CaseResult r = CaseResult.failure("native-wine", "suspend-case", observed,
                Optional.of("Wine's Suspend returns E_NOTIMPL"));
        assertEquals(CaseResult.WINE_DEVIATION, r.result());
        assertTrue(r.reason().contains("E_NOTIMPL (0x80004001): Suspend is a stub"), "observed behaviour: " + r.reason());
        assertTrue(r.reason().contains("Wine's Suspend returns E_NOTIMPL"), "known behaviour: " + r.reason());
    }

    @Test
    void aFailureWithoutADeclaredDeviationStaysAFailure() {
        AssertionError observed = new AssertionError("expected: <600> but was: <30>");
        assertEquals(CaseResult.FAILED, CaseResult.failure("native-wine", "c", observed, Optional.empty()).result());
        CaseResult portable = CaseResult.failure("portable", "c", observed, Optional.of("Wine returns 30"));
        assertEquals(CaseResult.FAILED, portable.result(), "the deviation only applies under Wine");
        assertEquals("expected: <600> but was: <30>", portable.reason());
        assertEquals(CaseResult.FAILED,
                CaseResult.failure("native-windows", "c", observed, Optional.of("Wine returns 30")).result());
    }

    @Test
    void aSetUpFailureUnderWineIsNoDeviation() {
        CaseResult r = CaseResult.failure("native-wine", "c",
                new ConformanceSetupException("the native-wine backend did not open", new IllegalStateException("no COM")),
                Optional.of("Wine returns 30"));
        assertEquals(CaseResult.FAILED, r.result());
        assertEquals("the native-wine backend did not open: no COM", r.reason());
    }

    @Test
    void aLostBitsServiceIsNeverTheDeclaredDeviation() {
        BitsException died = new BitsException(HResult.RPC_S_CALL_FAILED, "IBackgroundCopyJob::GetState failed");
        CaseResult r = CaseResult.failure("native-wine", "c", died, Optional.of("Wine never calls JobError"));
        assertEquals(CaseResult.FAILED, r.result(), r.reason());
        assertTrue(r.reason().startsWith("RPC_S_CALL_FAILED (0x800706BE)"), r.reason());

        AssertionError multiple = new AssertionError("Multiple Failures (1 failure)");
        multiple.addSuppressed(new AssertionError("AddFile", new BitsException(HResult.RPC_S_SERVER_UNAVAILABLE, "gone")));
        assertEquals(CaseResult.FAILED,
                CaseResult.failure("native-wine", "c", multiple, Optional.of("stubs return S_OK")).result(),
                "found among suppressed failures and their causes");

        BitsException refused = new BitsException(HResult.BG_E_INVALID_STATE, "Suspend");
        assertEquals(CaseResult.WINE_DEVIATION,
                CaseResult.failure("native-wine", "c", refused, Optional.of("Wine differs")).result(),
                "a refusal by a live service is still a deviation");
    }

    @Test
    void reasonsAreOneBoundedLine() {
        CaseResult multi = new CaseResult("c", CaseResult.FAILED, "Multiple Failures (2 failures)\n\tfirst\n\tsecond\n");
        assertEquals("Multiple Failures (2 failures) / first / second", multi.reason());
        CaseResult longOne = new CaseResult("c", CaseResult.FAILED, "x".repeat(5000));
        assertEquals(CaseResult.MAX_REASON, longOne.reason().length());
        assertEquals(NullPointerException.class.getName(),
                CaseResult.failure("portable", "c", new NullPointerException(), Optional.empty()).reason(),
                "an exception without a message is named by its class");
    }
}
