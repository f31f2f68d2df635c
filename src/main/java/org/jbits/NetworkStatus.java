package org.jbits;

import java.time.Instant;
import java.util.Objects;

/**
 * The network cost state a backend schedules by, where it comes from, and since when.
 *
 * @param cost the cost state jobs are checked against (unknown reads as {@link CostState#UNRESTRICTED}, as in BITS)
 * @param source where {@code cost} comes from
 * @param changed when {@code cost} or {@code source} last changed (or when the backend started watching)
 * @param detail what the source said, for people ({@code "Metered: GUESS_YES (3)"}, or why nothing could be read)
 * @param detected under an override, what detection says meanwhile; otherwise null
 */
public record NetworkStatus(CostState cost, CostSource source, Instant changed, String detail, NetworkStatus detected) {
    /** Checks the fields. */
    public NetworkStatus {
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(changed, "changed");
        detail = detail == null ? "" : detail;
    }

    /** A status without an override beneath it. */
    public NetworkStatus(CostState cost, CostSource source, Instant changed, String detail) {
        this(cost, source, changed, detail, null);
    }

    /** True when {@code other} has the same cost, source and detail (the time aside). */
    public boolean sameAs(NetworkStatus other) {
        return other != null && cost == other.cost && source == other.source && detail.equals(other.detail);
    }
}
