package org.jbits.power;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether the machine runs on battery, as its power daemon says.
 *
 * @param onBattery true while the machine draws on a battery (UPower's {@code OnBattery})
 * @param known false when nothing could tell (no bus, no UPower): taken as on mains power
 * @param changed when this reading began
 * @param detail what the source said, for people, or why nothing could be read
 */
public record PowerStatus(boolean onBattery, boolean known, Instant changed, String detail) {
    /** Checks the fields. */
    public PowerStatus {
        Objects.requireNonNull(changed, "changed");
        detail = detail == null ? "" : detail;
    }

    /** True when {@code other} says the same (the time aside). */
    public boolean sameAs(PowerStatus other) {
        return other != null && onBattery == other.onBattery && known == other.known && detail.equals(other.detail);
    }
}
