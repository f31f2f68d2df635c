package org.jbits.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The shared waits fail fast and say what they saw; the job is a Mockito stand-in for any backend's. */
class AwaitTest {
    private final BitsJob job = mock(BitsJob.class);

    AwaitTest() {
        when(job.id()).thenReturn(new UUID(0, 1));
        when(job.displayName()).thenReturn("n");
        when(job.progress()).thenReturn(new JobProgress(10, 4, 1, 0));
        when(job.error()).thenReturn(Optional.empty());
    }

    @Test
    void describeShowsAPartTheBackendCannotGiveAsItsFailureOnce() {
        when(job.state()).thenReturn(JobState.TRANSFERRING);
        when(job.errorCount()).thenThrow(new BitsException(HResult.E_NOTIMPL, "GetErrorCount"));
        String d = Await.describe(job);
        assertEquals("job 00000000-0000-0000-0000-000000000001 'n' TRANSFERRING, 4/10 bytes, 0/1 files, error count ("
                + new BitsException(HResult.E_NOTIMPL, "GetErrorCount").getMessage() + ")", d);
    }

    @Test
    void stateFailsAtOnceWhenTheJobRestsInAnotherState() {
        when(job.state()).thenReturn(JobState.ERROR);
        long start = System.nanoTime();
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Await.state(job, Duration.ofSeconds(30), JobState.TRANSFERRED));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "no wait for the timeout");
        assertTrue(e.getMessage().startsWith("the job stopped in ERROR while waiting for [TRANSFERRED]"), e.getMessage());
    }

    @Test
    void untilReturnsTheValueThatSatisfiedItOrNamesTheLastOneSeen() {
        assertEquals(3, Await.until(Duration.ofSeconds(5), "three", () -> 3, n -> n == 3));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Await.until(Duration.ofMillis(100), "four", () -> 3, n -> n == 4));
        assertTrue(e.getMessage().endsWith("waiting for four; last seen: 3"), e.getMessage());
    }
}
