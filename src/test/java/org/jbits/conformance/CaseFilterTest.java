package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The case filter the Wine run uses to run again the cases a crash of Wine's BITS took down. */
class CaseFilterTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(CaseFilter.PROPERTY);
    }

    @DisplayName("named-case")
    void named() {
    }

    void unnamed() {
    }

    private static ConditionEvaluationResult evaluate(String method) throws NoSuchMethodException {
        ExtensionContext context = mock(ExtensionContext.class);
        Optional<Method> m = method == null ? Optional.empty()
                : Optional.of(CaseFilterTest.class.getDeclaredMethod(method));
        when(context.getTestMethod()).thenReturn(m);
        return new CaseFilter().evaluateExecutionCondition(context);
    }

    @Test
    void parsesCommaSeparatedNames() {
        assertEquals(Optional.empty(), CaseFilter.selected(null));
        assertEquals(Optional.empty(), CaseFilter.selected("  "));
        assertEquals(Optional.of(Set.of("a-case", "b-case")), CaseFilter.selected(" a-case,,b-case ,"));
    }

    @Test
    void withoutThePropertyEveryCaseRuns() throws Exception {
        assertFalse(evaluate("named").isDisabled());
        assertFalse(evaluate("unnamed").isDisabled());
    }

    @Test
    void withThePropertyOnlyTheNamedCasesRunByDisplayNameOrMethodName() throws Exception {
        System.setProperty(CaseFilter.PROPERTY, "named-case,other");
        assertFalse(evaluate("named").isDisabled());
        ConditionEvaluationResult left = evaluate("unnamed");
        assertTrue(left.isDisabled());
        assertTrue(left.getReason().orElseThrow().startsWith(CaseFilter.NOT_SELECTED), left.getReason().orElseThrow());
        System.setProperty(CaseFilter.PROPERTY, "unnamed");
        assertFalse(evaluate("unnamed").isDisabled(), "a case without a display name goes by its method name");
        assertTrue(evaluate("named").isDisabled(), "a display name, not the method name, names a case that has one");
        assertFalse(evaluate(null).isDisabled(), "a class is never disabled by the filter");
    }
}
