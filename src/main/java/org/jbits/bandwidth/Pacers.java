package org.jbits.bandwidth;

import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jbits.JobPriority;
import org.jbits.transport.Pacer;

/**
 * Makes the pacer of each transfer from the {@link BandwidthPolicy}: nothing for Foreground (never throttled),
 * else an {@link IdlePacer} with the delay controller (unless {@code idle.enabled=false}) and the priority's cap
 * as its schedule has it at each moment.
 */
public final class Pacers {
    private final BandwidthPolicy policy;
    private final LongSupplier nanoClock;
    private final Supplier<Instant> wallClock;
    private final IdlePacer.Sleeper sleeper;

    public Pacers(BandwidthPolicy policy, LongSupplier nanoClock, Supplier<Instant> wallClock, IdlePacer.Sleeper sleeper) {
        this.policy = policy;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.sleeper = sleeper;
    }

    public BandwidthPolicy policy() {
        return policy;
    }

    /** The pacer of a transfer of a job of {@code priority}: {@link Pacer#UNLIMITED} when nothing paces it. */
    public Pacer forPriority(JobPriority priority) {
        if (!policy.paces(priority)) {
            return Pacer.UNLIMITED;
        }
        DelayController c = policy.idle() ? new DelayController(policy.controller(), nanoClock) : null;
        return new IdlePacer(c, () -> policy.capAt(priority, wallClock.get()), nanoClock, sleeper,
                policy.probeIntervalNanos(), policy.receiveBuffer(), policy.controller().targetNanos());
    }
}
