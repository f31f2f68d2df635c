package org.jbits.engine;

import static org.jbits.JobPriority.FOREGROUND;
import static org.jbits.JobPriority.HIGH;
import static org.jbits.JobPriority.LOW;
import static org.jbits.JobPriority.NORMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.jbits.JobPriority;
import org.jbits.engine.SchedulePolicy.Candidate;
import org.jbits.engine.SchedulePolicy.Decision;
import org.junit.jupiter.api.Test;

/** The scheduling rule as a pure function of the jobs, the time and the slice length. */
class SchedulePolicyTest {
    private static final long SLICE = 1_000;
    private static final long NEVER = Long.MIN_VALUE;

    private static Candidate<String> queued(String key, JobPriority p, long lastStart) {
        return new Candidate<>(key, p, false, true, lastStart);
    }

    private static Candidate<String> running(String key, JobPriority p, long startedAt) {
        return new Candidate<>(key, p, true, false, startedAt);
    }

    @SafeVarargs
    private static Decision<String> decide(long now, Candidate<String>... jobs) {
        return SchedulePolicy.decide(List.of(jobs), now, SLICE);
    }

    @Test
    void everyForegroundJobStartsAlongsideOneBackgroundJob() {
        Decision<String> d = decide(0, queued("f1", FOREGROUND, NEVER), queued("f2", FOREGROUND, NEVER),
                running("f3", FOREGROUND, 0), queued("n1", NORMAL, NEVER), queued("n2", NORMAL, NEVER));
        assertEquals(Set.of("f1", "f2", "n1"), Set.copyOf(d.start()));
        assertEquals(List.of(), d.preempt());
    }

    @Test
    void onlyOneBackgroundJobRunsAtATime() {
        Decision<String> d = decide(0, queued("h", HIGH, NEVER), queued("n", NORMAL, NEVER), queued("l", LOW, NEVER));
        assertEquals(List.of("h"), d.start(), "the best priority goes first");
        d = decide(10, running("h", HIGH, 0), queued("n", NORMAL, NEVER));
        assertEquals(List.of(), d.start());
        assertEquals(List.of(), d.preempt());
        assertEquals(Long.MAX_VALUE, d.nextDecisionNanos(), "a lower priority never interrupts: nothing to time");
    }

    @Test
    void higherPriorityPreemptsARunningLowerOne() {
        Decision<String> d = decide(10, running("l", LOW, 0), queued("h", HIGH, NEVER));
        assertEquals(List.of("l"), d.preempt());
        assertEquals(List.of("h"), d.start());
    }

    @Test
    void foregroundJobsDoNotPreemptTheBackgroundJob() {
        Decision<String> d = decide(10, running("n", NORMAL, 0), queued("f", FOREGROUND, NEVER));
        assertEquals(List.of("f"), d.start());
        assertEquals(List.of(), d.preempt());
    }

    @Test
    void equalPriorityWaitsUntilTheRunningSliceEnds() {
        Decision<String> d = decide(400, running("a", NORMAL, 0), queued("b", NORMAL, NEVER));
        assertEquals(List.of(), d.start());
        assertEquals(List.of(), d.preempt());
        assertEquals(SLICE, d.nextDecisionNanos(), "look again when a's slice ends");
    }

    @Test
    void equalPriorityTakesOverWhenTheSliceIsOver() {
        Decision<String> d = decide(SLICE, running("a", NORMAL, 0), queued("b", NORMAL, NEVER));
        assertEquals(List.of("a"), d.preempt());
        assertEquals(List.of("b"), d.start());
    }

    @Test
    void roundRobinPicksTheJobThatWaitedLongest() {
        Decision<String> d = decide(5 * SLICE, running("a", NORMAL, 4 * SLICE - SLICE),
                queued("b", NORMAL, 2 * SLICE), queued("c", NORMAL, SLICE));
        assertEquals(List.of("a"), d.preempt());
        assertEquals(List.of("c"), d.start(), "c ran longest ago");
        d = decide(0, queued("b", NORMAL, 2 * SLICE), queued("new", NORMAL, NEVER), queued("c", NORMAL, SLICE));
        assertEquals(List.of("new"), d.start(), "a job that never ran goes before those that did");
    }

    @Test
    void aSecondRunningBackgroundJobIsSentBack() {
        Decision<String> d = decide(10, running("n", NORMAL, 0), running("h", HIGH, 5));
        assertEquals(List.of("n"), d.preempt());
        assertEquals(List.of(), d.start());
    }

    @Test
    void jobsThatAreNotRunnableAreNeverStarted() {
        Decision<String> d = decide(0, new Candidate<>("f", FOREGROUND, false, false, NEVER),
                new Candidate<>("n", NORMAL, false, false, NEVER));
        assertEquals(List.of(), d.start());
        assertEquals(List.of(), d.preempt());
    }

    @Test
    void aJobWhosePolicyExcludesTheNetworksCostNeitherStartsNorKeepsRunning() {
        int notRoaming = org.jbits.TransferPolicy.NOT_ROAMING.flags();
        List<Candidate<String>> jobs = List.of(
                new Candidate<>("home-only", FOREGROUND, false, true, NEVER, notRoaming),
                new Candidate<>("running-home-only", NORMAL, true, false, 0, notRoaming),
                new Candidate<>("anywhere", LOW, false, true, NEVER, org.jbits.TransferPolicy.ALWAYS.flags()));
        Decision<String> roaming = SchedulePolicy.decide(jobs, 10, SLICE, org.jbits.CostState.ROAMING);
        assertEquals(Set.of("home-only", "running-home-only"), Set.copyOf(roaming.blocked()));
        assertEquals(List.of("anywhere"), roaming.start(), "the blocked background job no longer holds the slot");
        Decision<String> home = SchedulePolicy.decide(jobs, 10, SLICE, org.jbits.CostState.UNRESTRICTED);
        assertEquals(List.of(), home.blocked());
        assertEquals(List.of("home-only"), home.start(), "the running Normal job keeps the background slot");
    }
}
