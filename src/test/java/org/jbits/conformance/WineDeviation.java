package org.jbits.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a case whose Windows behaviour Wine's BITS (dlls/qmgr) is known not to match. When the backend is
 * {@code native-wine} and the case fails, the report says {@code wine-deviation} instead of {@code failed}, with
 * what was observed; on every other backend the annotation changes nothing.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface WineDeviation {
    /** Wine's known behaviour, with its source (reference §6 or §8). */
    String value();
}
