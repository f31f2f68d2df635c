package org.jbits.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jbits.JobPriority;

/**
 * BITS' scheduling rule as a pure function: every Foreground job runs; one background job (High, Normal, Low)
 * runs at a time; a higher priority preempts a lower one; jobs of equal priority take turns in time slices.
 */
final class SchedulePolicy {
    /** What the scheduler sees of a job. */
    record Candidate(Object key, JobPriority priority, boolean running, boolean runnable, long lastStartNanos) {
    }

    /** Jobs to start, jobs to send back to Queued, and when to look again (Long.MAX_VALUE: only on change). */
    record Decision(List<Object> start, List<Object> preempt, long nextDecisionNanos) {
    }

    private SchedulePolicy() {
    }

    /**
     * @param jobs every job that is running or could run ({@code runnable}: Queued and free to start)
     * @param now the monotonic time
     * @param sliceNanos the length of a time slice
     */
    static Decision decide(List<Candidate> jobs, long now, long sliceNanos) {
        List<Object> start = new ArrayList<>();
        List<Object> preempt = new ArrayList<>();
        long next = Long.MAX_VALUE;
        List<Candidate> background = new ArrayList<>();
        for (Candidate c : jobs) {
            if (c.priority() == JobPriority.FOREGROUND) {
                if (c.runnable() && !c.running()) {
                    start.add(c.key());
                }
            } else {
                background.add(c);
            }
        }
        // The longest-waiting job of the best priority goes first: round-robin among equals.
        Comparator<Candidate> order = Comparator.comparing(Candidate::priority).thenComparingLong(Candidate::lastStartNanos);
        List<Candidate> running = background.stream().filter(Candidate::running).sorted(order).toList();
        Candidate waiting = background.stream().filter(c -> c.runnable() && !c.running()).min(order).orElse(null);
        Candidate keep = running.isEmpty() ? null : running.get(0);
        for (int i = 1; i < running.size(); i++) {
            preempt.add(running.get(i).key());
        }
        if (keep == null) {
            if (waiting != null) {
                start.add(waiting.key());
            }
        } else if (waiting != null) {
            int cmp = waiting.priority().compareTo(keep.priority());
            long sliceEnd = keep.lastStartNanos() + sliceNanos;
            if (cmp < 0 || (cmp == 0 && now - sliceEnd >= 0)) {
                preempt.add(keep.key());
                start.add(waiting.key());
            } else if (cmp == 0) {
                next = sliceEnd;
            }
        }
        return new Decision(start, preempt, next);
    }
}
