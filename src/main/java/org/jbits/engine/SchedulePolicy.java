package org.jbits.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jbits.CostState;
import org.jbits.JobPriority;
import org.jbits.TransferPolicy;

/**
 * BITS' scheduling rule as a pure function: every Foreground job runs; one background job (High, Normal, Low)
 * runs at a time; a higher priority preempts a lower one; jobs of equal priority take turns in time slices. A job
 * whose transfer policy (its cost flags) excludes the network's current cost state neither starts nor keeps running.
 *
 * @param <K> what identifies a job to the caller
 */
final class SchedulePolicy<K> {
    /**
     * What the scheduler sees of a job.
     *
     * @param running it has a transfer going
     * @param runnable it is Queued and free to start
     * @param costFlags its transfer policy: the cost states it may transfer on ({@code BITS_COST_STATE_*} bits)
     */
    record Candidate<K>(K key, JobPriority priority, boolean running, boolean runnable, long lastStartNanos,
                        int costFlags) {
        /** A job that may transfer on any network. */
        Candidate(K key, JobPriority priority, boolean running, boolean runnable, long lastStartNanos) {
            this(key, priority, running, runnable, lastStartNanos, TransferPolicy.ALWAYS.flags());
        }

        boolean allowedOn(CostState cost) {
            return (costFlags & cost.bit()) != 0;
        }
    }

    /**
     * Jobs to start, jobs to send back to Queued, jobs the network's cost keeps from transferring (running or
     * not), and when to look again (Long.MAX_VALUE: only on change).
     */
    record Decision<K>(List<K> start, List<K> preempt, List<K> blocked, long nextDecisionNanos) {
    }

    private SchedulePolicy() {
    }

    /** {@link #decide(List, long, long, CostState)} on an unrestricted network. */
    static <K> Decision<K> decide(List<Candidate<K>> jobs, long now, long sliceNanos) {
        return decide(jobs, now, sliceNanos, CostState.UNRESTRICTED);
    }

    /**
     * @param jobs every job that is running or could run
     * @param now the monotonic time
     * @param sliceNanos the length of a time slice
     * @param cost the network's current cost state
     */
    static <K> Decision<K> decide(List<Candidate<K>> jobs, long now, long sliceNanos, CostState cost) {
        List<K> start = new ArrayList<>();
        List<K> preempt = new ArrayList<>();
        List<K> blocked = new ArrayList<>();
        long next = Long.MAX_VALUE;
        List<Candidate<K>> background = new ArrayList<>();
        for (Candidate<K> c : jobs) {
            if (!c.allowedOn(cost)) {
                blocked.add(c.key());
            } else if (c.priority() == JobPriority.FOREGROUND) {
                if (c.runnable() && !c.running()) {
                    start.add(c.key());
                }
            } else {
                background.add(c);
            }
        }
        // The longest-waiting job of the best priority goes first: round-robin among equals.
        Comparator<Candidate<K>> order = Comparator.<Candidate<K>, JobPriority>comparing(Candidate::priority)
                .thenComparingLong(Candidate::lastStartNanos);
        List<Candidate<K>> running = background.stream().filter(Candidate::running).sorted(order).toList();
        Candidate<K> waiting = background.stream().filter(c -> c.runnable() && !c.running()).min(order).orElse(null);
        Candidate<K> keep = running.isEmpty() ? null : running.get(0);
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
        return new Decision<>(start, preempt, blocked, next);
    }
}
