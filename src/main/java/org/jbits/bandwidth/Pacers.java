package org.jbits.bandwidth;

import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jbits.JobPriority;
import org.jbits.transport.Pacer;

/**
 * Makes the pacer of each transfer from the {@link BandwidthPolicy}: nothing for Foreground (never throttled),
 * else an {@link IdlePacer} with the delay controller (unless {@code idle.enabled=false}), the priority's cap as its
 * schedule has it at each moment, and the one {@link SharedCap} of {@code bandwidth.all} that all of them pay into.
 */
public final class Pacers {
    private final BandwidthPolicy policy;
    private final LongSupplier nanoClock;
    private final Supplier<Instant> wallClock;
    private final IdlePacer.Sleeper sleeper;
    private final SharedCap shared;

    public Pacers(BandwidthPolicy policy, LongSupplier nanoClock, Supplier<Instant> wallClock, IdlePacer.Sleeper sleeper) {
        this.policy = policy;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.sleeper = sleeper;
        // One bucket for every background transfer of this engine: bandwidth.all caps their sum.
        this.shared = policy.all().isUnlimited() ? null
                : new SharedCap(() -> policy.allCapAt(wallClock.get()), nanoClock, 2_000_000L, 2048);
    }

    /** The cap over all background transfers, or null when {@code bandwidth.all} caps nothing. */
    public SharedCap shared() {
        return shared;
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
        return new IdlePacer(c, () -> policy.capAt(priority, wallClock.get()), shared, nanoClock, sleeper,
                policy.probeIntervalNanos(), policy.receiveBuffer(), policy.controller().targetNanos());
    }
}
