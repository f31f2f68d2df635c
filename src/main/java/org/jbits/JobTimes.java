package org.jbits;

import java.time.Instant;

/** {@code BG_JOB_TIMES}; {@code transferCompletion} is null until the job is transferred. */
public record JobTimes(Instant creation, Instant modification, Instant transferCompletion) {
}
