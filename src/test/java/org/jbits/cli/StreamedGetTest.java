package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jbits.BitsJob;
import org.jbits.FileInfo;
import org.jbits.JobPriority;
import org.jbits.JobType;
import org.jbits.agent.Caller;
import org.jbits.agent.Protocol;
import org.jbits.agent.Request;
import org.jbits.agent.RequestHandler;
import org.jbits.engine.PortableEngine;
import org.jbits.testing.Engines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code get} streamed job by job (the agent's side) and copied through (the CLI's {@code --json}) gives exactly the
 * bytes the tree path gave: the reply line of {@link Protocol#line} and the pretty output of {@link Output#json},
 * on a fixture of jobs with names that need escaping, several files, every type and priority.
 */
class StreamedGetTest {
    @TempDir
    Path dir;
    private PortableEngine engine;
    private RequestHandler handler;

    @BeforeEach
    void fixture() {
        // 303 jobs: past BITS' MaxJobsPerUser of 60, which this engine lifts.
        engine = Engines.open(dir.resolve("state"), "engine.maxJobsPerUser", "1000");
        handler = new RequestHandler(engine);
        BitsJob plain = engine.createJob("plain", JobType.DOWNLOAD);
        plain.addFile("http://127.0.0.1:9/a", dir.resolve("a").toString());
        BitsJob odd = engine.createJob("quote \" backslash \\ tab \t é ✓ \u0001 </script>", JobType.DOWNLOAD);
        odd.setDescription("line\nbreak and a 😀");
        odd.setPriority(JobPriority.FOREGROUND);
        odd.addFileSet(List.of(new FileInfo("http://127.0.0.1:9/b?x=1&y=%20", dir.resolve("b b").toString()),
                new FileInfo("http://127.0.0.1:9/c", dir.resolve("c").toString())));
        engine.createJob("empty", JobType.DOWNLOAD);
        for (int i = 0; i < 300; i++) {
            engine.createJob("many " + i, JobType.DOWNLOAD).addFile("http://127.0.0.1:9/m" + i,
                    dir.resolve("m" + i).toString());
        }
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private byte[] streamed(Request.Get get) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.get(get, new Caller(0, "test"), out);
        return out.toByteArray();
    }

    @Test
    void theStreamedReplyLineIsTheTreesByteForByte() throws Exception {
        Request.Get all = new Request.Get(List.of());
        byte[] line = streamed(all);
        assertArrayEquals(Protocol.line(handler.get(all)), line);
        assertTrue(line.length > 300 * 500, "the fixture's reply is " + line.length + " bytes");
        Request.Get some = new Request.Get(List.of(engine.jobs().get(1).id().toString(), "plain"));
        assertArrayEquals(Protocol.line(handler.get(some)), streamed(some));
    }

    /** The streamed reply selects as the tree's does: a display name is every job of it, each job once. */
    @Test
    void aNameNamesEveryJobOfItOnceInTheStreamedReplyToo() throws Exception {
        BitsJob first = engine.createJob("twin", JobType.DOWNLOAD);
        BitsJob second = engine.createJob("twin", JobType.DOWNLOAD);
        Request.Get twins = new Request.Get(List.of("twin", first.id().toString(), "twin"));
        byte[] line = streamed(twins);
        assertArrayEquals(Protocol.line(handler.get(twins)), line);
        com.fasterxml.jackson.databind.JsonNode jobs = org.jbits.agent.Json.parse(
                new String(line, StandardCharsets.UTF_8)).path("jobs");
        assertEquals(2, jobs.size(), "each job of the name once");
        assertEquals(first.id().toString(), jobs.get(0).path("jobId").asText());
        assertEquals(second.id().toString(), jobs.get(1).path("jobId").asText());
    }

    @Test
    void theCopiedThroughJsonIsWhatPrettyPrintingTheTreePrinted() throws Exception {
        for (Request.Get get : List.of(new Request.Get(List.of()), new Request.Get(List.of("empty")))) {
            byte[] line = streamed(get);
            ByteArrayOutputStream copied = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(copied, true, StandardCharsets.UTF_8)) {
                assertTrue(Output.jobsJson(Arrays.copyOf(line, line.length - 1), ps));
            }
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
                Output.json(ps, handler.get(get).path("jobs"));
            }
            assertEquals(printed.toString(StandardCharsets.UTF_8), copied.toString(StandardCharsets.UTF_8));
            assertArrayEquals(printed.toByteArray(), copied.toByteArray());
            // Both ways of copying, whichever this JVM's standard output picks.
            ByteArrayOutputStream indented = new ByteArrayOutputStream();
            JsonIndent.pretty(line, "{\"ok\":true,\"jobs\":".length(), indented);
            indented.write(System.lineSeparator().getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(printed.toByteArray(), indented.toByteArray());
            ByteArrayOutputStream tokens = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(tokens, true, StandardCharsets.UTF_8)) {
                assertTrue(Output.copyTokens(Arrays.copyOf(line, line.length - 1), ps));
            }
            assertArrayEquals(printed.toByteArray(), tokens.toByteArray());
        }
    }

    @Test
    void nestedAndEmptyValuesAreLaidOutAsThePrettyPrinterLaysThemOut() throws Exception {
        String compact = "[{\"a\":{},\"b\":[],\"c\":[1,-2500.0,true,null,\"x\\\"y\\\\\"],\"d\":[{\"e\":{\"f\":[[],[{}]]}}],"
                + "\"g\":\"\\u0001\\n\u00e9\u2713 \\uD83D\\uDE00 \\uD800 x\"},{}]";
        ByteArrayOutputStream indented = new ByteArrayOutputStream();
        JsonIndent.pretty(compact.getBytes(StandardCharsets.UTF_8), 0, indented);
        indented.write(System.lineSeparator().getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            Output.json(ps, org.jbits.agent.Json.parse(compact));
        }
        assertEquals(printed.toString(StandardCharsets.UTF_8), indented.toString(StandardCharsets.UTF_8));
        assertArrayEquals(printed.toByteArray(), indented.toByteArray());
    }

    @Test
    void aReplyThatIsNotTheExpectedJsonPrintsNothing() throws Exception {
        for (String bad : List.of("{\"ok\":true,\"jobs\":[{\"a\":1]}", "{\"ok\":true,\"jobs\":[\"x]}",
                "{\"ok\":true,\"jobs\":[1,2]} ", "{\"ok\":true,\"jobs\":[1],\"more\":2}")) {
            ByteArrayOutputStream nothing = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(nothing, true, StandardCharsets.UTF_8)) {
                try {
                    assertFalse(Output.jobsJson(bad.getBytes(StandardCharsets.UTF_8), ps), bad);
                } catch (java.io.IOException expected) {
                    // malformed: refused
                }
            }
            assertEquals(0, nothing.size(), bad);
        }
    }

    @Test
    void noJobsAndAFailureReply() throws Exception {
        try (PortableEngine none = Engines.open(dir.resolve("none"))) {
            RequestHandler h = new RequestHandler(none);
            Request.Get all = new Request.Get(List.of());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            h.get(all, new Caller(0, "test"), out);
            assertEquals("{\"ok\":true,\"jobs\":[]}\n", out.toString(StandardCharsets.UTF_8));
            ByteArrayOutputStream copied = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(copied, true, StandardCharsets.UTF_8)) {
                assertTrue(Output.jobsJson("{\"ok\":true,\"jobs\":[]}".getBytes(StandardCharsets.UTF_8), ps));
            }
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
                Output.json(ps, h.get(all).path("jobs"));
            }
            assertEquals(printed.toString(StandardCharsets.UTF_8), copied.toString(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream nothing = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(nothing, true, StandardCharsets.UTF_8)) {
            assertFalse(Output.jobsJson(("{\"ok\":false,\"hresult\":-2145386477,\"error\":\"BG_E_NOT_FOUND\","
                    + "\"message\":\"no job\"}").getBytes(StandardCharsets.UTF_8), ps));
        }
        assertEquals(0, nothing.size());
    }
}
