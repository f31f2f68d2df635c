package org.jbits.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.power.PowerStatus;
import org.junit.jupiter.api.Test;

/** Which priorities wait on battery, and the two settings that govern it. */
class BatteryGateTest {
    private static final PowerStatus MAINS = new PowerStatus(false, true, Instant.EPOCH, "UPower: OnBattery false");
    private static final PowerStatus BATTERY = new PowerStatus(true, true, Instant.EPOCH, "UPower: OnBattery true");

    @Test
    void onBatteryBackgroundPrioritiesWaitAndForegroundNever() {
        AtomicReference<PowerStatus> power = new AtomicReference<>(MAINS);
        BatteryGate gate = new BatteryGate(null, power::get, true, EngineClock.SYSTEM);
        for (JobPriority p : JobPriority.values()) {
            assertFalse(gate.closed(p), p + " on mains");
        }
        power.set(BATTERY);
        assertFalse(gate.closed(JobPriority.FOREGROUND));
        assertTrue(gate.closed(JobPriority.HIGH));
        assertTrue(gate.closed(JobPriority.NORMAL));
        assertTrue(gate.closed(JobPriority.LOW));
        BatteryGate off = new BatteryGate(null, power::get, false, EngineClock.SYSTEM);
        for (JobPriority p : JobPriority.values()) {
            assertFalse(off.closed(p), p + " with power.pauseOnBattery = false");
        }
    }

    @Test
    void theSettingsTakeTheirValuesAndRefuseOthersWithTheirCode() {
        assertTrue(PortableBackendProvider.pauseOnBattery(Map.of()), "on by default");
        assertFalse(PortableBackendProvider.pauseOnBattery(Map.of("power.pauseOnBattery", " False ")));
        assertEquals("upower", PortableBackendProvider.powerDetection(Map.of()));
        assertEquals("none", PortableBackendProvider.powerDetection(Map.of("power.detection", "NONE")));
        BitsException e = assertThrows(BitsException.class,
                () -> PortableBackendProvider.pauseOnBattery(Map.of("power.pauseOnBattery", "sometimes")));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
        assertEquals("power.pauseOnBattery is 'sometimes': give true or false", e.detail());
        e = assertThrows(BitsException.class,
                () -> PortableBackendProvider.powerDetection(Map.of("power.detection", "acpi")));
        assertEquals("power.detection is 'acpi': give upower or none", e.detail());
    }
}
