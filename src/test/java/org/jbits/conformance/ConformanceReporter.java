package org.jbits.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Records every case of the conformance classes in {@code target/conformance/BACKEND.json}. A case's name is its
 * {@link DisplayName} (else the method name). Passed, failed (or {@code wine-deviation}, see {@link WineDeviation}),
 * skipped with the assumption's message. The report is kept once per JVM in the root extension store, so all
 * classes of a run add up; it is written after each class and when the run ends.
 */
public final class ConformanceReporter implements TestWatcher, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ConformanceReporter.class);

    /** Holds the run's report in the root store; JUnit closes it (and so writes the file) when the run ends. */
    private static final class Holder implements ExtensionContext.Store.CloseableResource {
        final ConformanceReport report;

        Holder(ConformanceReport report) {
            this.report = report;
        }

        @Override
        public void close() throws IOException {
            report.flush();
        }
    }

    private static ConformanceReport report(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(Holder.class,
                k -> new Holder(ConformanceReport.forThisRun(ConformanceBackend.selected().name())), Holder.class).report;
    }

    /** The stable name of the case a test method is. */
    static String caseName(Method m) {
        DisplayName d = m.getAnnotation(DisplayName.class);
        return d != null ? d.value() : m.getName();
    }

    private static String caseName(ExtensionContext context) {
        return context.getTestMethod().map(ConformanceReporter::caseName).orElse(context.getDisplayName());
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        report(context).record(CaseResult.passed(caseName(context)));
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Optional<String> wine = context.getTestMethod()
                .map(m -> m.getAnnotation(WineDeviation.class)).map(WineDeviation::value);
        report(context).record(CaseResult.failure(ConformanceBackend.selected().name(), caseName(context), cause, wine));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        String reason = CaseResult.describe(cause).replaceFirst("^Assumption failed: ", "");
        report(context).record(CaseResult.skipped(caseName(context), reason));
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        if (reason.filter(r -> r.startsWith(CaseFilter.NOT_SELECTED)).isPresent()) {
            return; // left out of this run on purpose (CaseFilter): not a result
        }
        report(context).record(CaseResult.skipped(caseName(context), reason.orElse("disabled")));
    }

    /** Writes the file; a class whose set-up failed reports each of its cases as failed with that error. */
    @Override
    public void afterAll(ExtensionContext context) {
        ConformanceReport report = report(context);
        context.getExecutionException().ifPresent(error -> context.getTestClass().ifPresent(c -> {
            for (Class<?> k = c; k != null; k = k.getSuperclass()) {
                for (Method m : k.getDeclaredMethods()) {
                    if (m.isAnnotationPresent(Test.class) && !report.has(caseName(m))) {
                        report.record(new CaseResult(caseName(m), CaseResult.FAILED,
                                "the class could not run: " + CaseResult.describe(error)));
                    }
                }
            }
        }));
        try {
            report.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + report.file(), e);
        }
    }
}
