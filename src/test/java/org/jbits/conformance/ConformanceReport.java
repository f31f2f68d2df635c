package org.jbits.conformance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The results of one run against one backend, written to {@code DIR/BACKEND.json} in the CONTRACT.md format
 * ({@code {"backend": ..., "cases": [{"name", "result", "reason"}]}}, cases sorted by name).
 *
 * <p>Results accumulate in memory and every {@link #flush()} rewrites the file. So that several JVMs of one run
 * (surefire forks) add up rather than overwrite each other, a flush merges in the cases already in the file when
 * they belong to the same run: the run id sits in a side file {@code .BACKEND.run}, and the file is rewritten
 * under a lock. A file left by an earlier run is replaced, not merged.
 */
final class ConformanceReport {
    /** The system property carrying the run id (the pom sets it); without it each JVM is a run of its own. */
    static final String RUN_ID_PROPERTY = "jbits.conformance.runId";
    /** The system property for the report directory; default {@code target/conformance}. */
    static final String DIR_PROPERTY = "jbits.conformance.reportDir";

    /** The file's shape (fields added later, such as the Wine run's {@code serviceCrashes}, are read past). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"backend", "cases"})
    record ReportFile(String backend, List<CaseResult> cases) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final String backend;
    private final String runId;
    private final Map<String, CaseResult> cases = new LinkedHashMap<>();

    ConformanceReport(Path dir, String backend, String runId) {
        this.dir = dir;
        this.backend = backend;
        this.runId = runId;
    }

    /** The report of this JVM's run, from the system properties. */
    static ConformanceReport forThisRun(String backend) {
        String id = System.getProperty(RUN_ID_PROPERTY);
        return new ConformanceReport(Path.of(System.getProperty(DIR_PROPERTY, "target/conformance")), backend,
                id == null || id.isBlank() ? UUID.randomUUID().toString() : id.trim());
    }

    /** The report file. */
    Path file() {
        return dir.resolve(backend + ".json");
    }

    /** Records a case; a later result for the same name replaces the earlier one. */
    synchronized void record(CaseResult result) {
        cases.put(result.name(), result);
    }

    /** True when a case of that name has a result in this run. */
    synchronized boolean has(String name) {
        return cases.containsKey(name);
    }

    /** Writes the file: this run's cases, merged with those other JVMs of the same run wrote. */
    synchronized void flush() throws IOException {
        Files.createDirectories(dir);
        Path file = file();
        Path runFile = dir.resolve("." + backend + ".run");
        try (FileChannel lockChannel = FileChannel.open(dir.resolve("." + backend + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            Map<String, CaseResult> merged = new LinkedHashMap<>();
            if (Files.exists(file) && Files.exists(runFile)
                    && Files.readString(runFile, StandardCharsets.UTF_8).trim().equals(runId)) {
                for (CaseResult c : read(file).cases()) {
                    merged.put(c.name(), c);
                }
            }
            merged.putAll(cases);
            List<CaseResult> sorted = new ArrayList<>(merged.values());
            sorted.sort(Comparator.comparing(CaseResult::name));
            writeAtomically(file, JSON.writeValueAsBytes(new ReportFile(backend, sorted)));
            writeAtomically(runFile, (runId + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Reads a report file. */
    static ReportFile read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ReportFile.class);
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
