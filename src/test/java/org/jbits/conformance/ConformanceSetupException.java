package org.jbits.conformance;

/**
 * The harness could not set a case up (the backend did not open, the server did not start). Reported as a plain
 * failure, never as a {@link WineDeviation}: it says nothing about how the backend behaves.
 */
final class ConformanceSetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConformanceSetupException(String message, Throwable cause) {
        super(message + ": " + CaseResult.describe(cause), cause);
    }
}
