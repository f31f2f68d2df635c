/**
 * The backend-independent BITS conformance suite: reference §7's checklist and the job model's round trips, written
 * against the public API only ({@code org.jbits}), so the same classes run against the portable engine here and,
 * in a Windows JVM, against native BITS (on Windows, or under Wine).
 *
 * <pre>
 * mvn -o -q -B test -Dtest='org.jbits.conformance.**'                                   # portable
 * ... -Djbits.conformance.backend=native-wine|native-windows                             # native, in a Windows JVM
 * ... -Djbits.conformance.reportDir=DIR                                                  # default target/conformance
 * </pre>
 *
 * <p>Each case is a test method of a {@code *ConformanceTest} class; its {@code @DisplayName} is its name in
 * {@code target/conformance/BACKEND.json} (CONTRACT.md, "Reports written by the tests"), written by
 * {@link org.jbits.conformance.ConformanceReporter}. A case is skipped only when the backend genuinely lacks a
 * {@link org.jbits.conformance.Capability} (the portable engine lacks none); a case whose Windows behaviour Wine
 * is known not to match carries {@link org.jbits.conformance.WineDeviation}, which turns its failure under
 * {@code native-wine} into {@code wine-deviation}. Every case gets a fresh manager; transfers go to
 * {@link org.jbits.conformance.ConformanceServer} on 127.0.0.1 in the same JVM; waits are bounded polls
 * ({@link org.jbits.testing.Await}).
 */
package org.jbits.conformance;
