package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbits.CostState;
import org.jbits.JobPriority;
import org.jbits.TransferPolicy;
import org.jbits.engine.SchedulePolicy.Candidate;
import org.jbits.engine.SchedulePolicy.Decision;
import org.junit.jupiter.api.Test;

/**
 * Every BITS transfer policy against every cost state, as reference §5.2 words them (written out here, not computed
 * from the masks the code uses): a job may be scheduled iff its policy allows the current cost; otherwise it is
 * blocked whether it is waiting or already running, at every priority.
 */
class CostPolicyMatrixTest {
    private static final Set<CostState> ALL = EnumSet.allOf(CostState.class);
    /** §5.2's "transfers when network is ..." column. */
    private static final Map<TransferPolicy, Set<CostState>> ALLOWED = new EnumMap<>(Map.of(
            TransferPolicy.ALWAYS, ALL,
            TransferPolicy.NOT_ROAMING, EnumSet.complementOf(EnumSet.of(CostState.ROAMING)),
            TransferPolicy.NO_SURCHARGE, EnumSet.complementOf(EnumSet.of(CostState.OVER_CAP_CHARGED, CostState.ROAMING)),
            TransferPolicy.STANDARD, EnumSet.complementOf(EnumSet.of(CostState.OVER_CAP_CHARGED, CostState.ROAMING,
                    CostState.NEAR_CAP)),
            TransferPolicy.UNRESTRICTED, EnumSet.of(CostState.UNRESTRICTED, CostState.OVER_CAP_THROTTLED)));

    @Test
    void everyPolicyAgainstEveryCostStateIsBlockedOrAllowedAsBitsSays() {
        List<String> wrong = new ArrayList<>();
        int cases = 0;
        for (TransferPolicy policy : TransferPolicy.values()) {
            for (CostState cost : CostState.values()) {
                boolean allowed = ALLOWED.get(policy).contains(cost);
                for (JobPriority p : JobPriority.values()) {
                    for (boolean running : new boolean[] {false, true}) {
                        cases++;
                        Candidate<String> c = new Candidate<>("job", p, running, !running, Long.MIN_VALUE, policy.flags());
                        Decision<String> d = SchedulePolicy.decide(List.of(c), 0, 1_000, cost);
                        boolean blocked = d.blocked().contains("job");
                        boolean started = d.start().contains("job");
                        if (blocked == allowed || (!running && started != allowed)) {
                            wrong.add(policy + " on " + cost + " (" + p + (running ? ", running" : ", queued")
                                    + "): blocked " + blocked + ", started " + started);
                        }
                        assertEquals(allowed, cost.allowedBy(policy.flags()), policy + " on " + cost);
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, "of " + cases + " cases");
        assertEquals(5 * 8 * 4 * 2, cases);
    }

    @Test
    void aCustomMaskWithoutTheCurrentBitIsBlockedAndTheCongestionOptionAllowsNothingByItself() {
        int cappedOnly = CostState.CAPPED.bit();
        assertEquals(List.of("job"), SchedulePolicy.decide(List.of(new Candidate<>("job", JobPriority.NORMAL, false,
                true, 0, cappedOnly)), 0, 1, CostState.USAGE_BASED).blocked());
        assertEquals(List.of("job"), SchedulePolicy.decide(List.of(new Candidate<>("job", JobPriority.NORMAL, false,
                true, 0, cappedOnly)), 0, 1, CostState.CAPPED).start());
        assertEquals(List.of("job"), SchedulePolicy.decide(List.of(new Candidate<>("job", JobPriority.NORMAL, false,
                true, 0, 0x80000000)), 0, 1, CostState.UNRESTRICTED).blocked());
    }
}
