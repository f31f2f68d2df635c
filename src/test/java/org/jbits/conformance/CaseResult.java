package org.jbits.conformance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Optional;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * One case of the report: {@code result} is {@code passed}, {@code failed}, {@code skipped} or
 * {@code wine-deviation}; {@code reason} says why (empty for a pass).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"name", "result", "reason"})
public record CaseResult(String name, String result, String reason) {
    public static final String PASSED = "passed";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";
    public static final String WINE_DEVIATION = "wine-deviation";

    /** Reasons are kept to one readable line of at most this many characters. */
    static final int MAX_REASON = 2000;

    public CaseResult {
        reason = reason == null ? "" : oneLine(reason);
    }

    static CaseResult passed(String name) {
        return new CaseResult(name, PASSED, "");
    }

    static CaseResult skipped(String name, String reason) {
        return new CaseResult(name, SKIPPED, reason);
    }

    /**
     * A failed case: {@code wine-deviation} when the backend is native-wine and the case declares Wine's known
     * behaviour (the observed failure and the known behaviour both go in the reason), else {@code failed}. A case
     * that could not be set up is always {@code failed}.
     */
    static CaseResult failure(String backend, String name, Throwable cause, Optional<String> wineDeviation) {
        String observed = describe(cause);
        if (NativeConformanceBackend.WINE.equals(backend) && wineDeviation.isPresent()
                && !(cause instanceof ConformanceSetupException) && !serviceLost(cause)) {
            return new CaseResult(name, WINE_DEVIATION,
                    "observed: " + observed + " -- known Wine behaviour: " + wineDeviation.get());
        }
        return new CaseResult(name, FAILED, observed);
    }

    /**
     * True when the case failed because the BITS service went away (see {@link HResult#isServiceLost}), anywhere in
     * the cause chain or among the suppressed failures: that is never the known Wine behaviour a case declares.
     */
    static boolean serviceLost(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BitsException b && HResult.isServiceLost(b.hresult())) {
                return true;
            }
            for (Throwable s : c.getSuppressed()) {
                if (serviceLost(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The failure's message, or its class when it has none. */
    static String describe(Throwable t) {
        if (t == null) {
            return "failed without an exception";
        }
        String m = t.getMessage();
        String d = m == null || m.isBlank() ? t.getClass().getName() : m;
        // JUnit's per-case limit (the Wine run sets one): native/wine-attempts.py takes this mark for a hung call.
        return t instanceof java.util.concurrent.TimeoutException ? "TIMED_OUT: " + d : d;
    }

    private static String oneLine(String s) {
        String t = s.strip().replaceAll("\\s*\\R\\s*", " / ");
        return t.length() <= MAX_REASON ? t : t.substring(0, MAX_REASON - 3) + "...";
    }
}
