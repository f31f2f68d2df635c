package org.jbits.conformance;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs only the cases named in the system property {@value #PROPERTY} (case names, comma-separated), when it is
 * set; without it every case runs. native/run-wine-conformance.sh uses it to run again, in a fresh Wine session,
 * the cases that a crash of Wine's BITS service took down. Cases left out are not reported at all (not as skipped).
 */
public final class CaseFilter implements ExecutionCondition {
    static final String PROPERTY = "jbits.conformance.cases";
    /** The start of the reason a left-out case is disabled with; {@link ConformanceReporter} records none of these. */
    static final String NOT_SELECTED = "not selected by " + PROPERTY;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<Set<String>> wanted = selected(System.getProperty(PROPERTY));
        if (wanted.isEmpty()) {
            return ConditionEvaluationResult.enabled("no case filter");
        }
        Optional<Method> method = context.getTestMethod();
        if (method.isEmpty()) {
            return ConditionEvaluationResult.enabled("classes always run; their cases are filtered");
        }
        String name = ConformanceReporter.caseName(method.get());
        return wanted.get().contains(name)
                ? ConditionEvaluationResult.enabled("selected by " + PROPERTY)
                : ConditionEvaluationResult.disabled(NOT_SELECTED + ": " + name);
    }

    /** The case names a property value selects; empty (run everything) for a missing or blank value. */
    static Optional<Set<String>> selected(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet()));
    }
}
