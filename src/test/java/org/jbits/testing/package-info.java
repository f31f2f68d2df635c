/**
 * Test helpers shared by the engine, transport, crash and benchmark tests.
 *
 * <ul>
 *   <li>{@link org.jbits.testing.NginxServer}: a real nginx from a private prefix; {@code /NAME},
 *       {@code /slow/NAME} ({@code limit_rate}), {@code /rate/NAME?rate=R}; a parsed access log with Range,
 *       If-Range, status and body bytes. Fails (never skips) when nginx is missing.</li>
 *   <li>{@link org.jbits.testing.FaultServer}: MockWebServer with per-path route sequences for faults nginx will
 *       not produce (cut bodies, changed files, ignored Range or If-Range, 503 + Retry-After, 404/416 bodies,
 *       redirects), recording each request's arrival time, Range, If-Range and status.</li>
 *   <li>{@link org.jbits.testing.Await}: bounded 50 ms polling with descriptive failures.</li>
 *   <li>{@link org.jbits.testing.Engines}, {@link org.jbits.testing.TestData}, {@link org.jbits.testing.Ports}:
 *       engines with test settings, reproducible content and SHA-256, loopback ports.</li>
 * </ul>
 */
package org.jbits.testing;
