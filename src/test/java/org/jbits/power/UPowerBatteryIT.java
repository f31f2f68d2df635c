package org.jbits.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jbits.testing.UPowerBus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@link UPowerBattery} against a real upowerd on a private system bus over umockdev's simulated mains adapter and
 * battery ({@link UPowerBus}): the production D-Bus path. Pulling the cable reaches the detector as UPower's
 * PropertiesChanged within a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class UPowerBatteryIT {
    private UPowerBus upower;

    @BeforeAll
    void start() throws Exception {
        String why = UPowerBus.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "no UPower here: " + why);
        upower = UPowerBus.start();
    }

    @AfterAll
    void stop() {
        if (upower != null) {
            upower.close();
        }
    }

    @Test
    @Order(1)
    void followsTheMainsCableThroughPropertiesChanged() throws Exception {
        try (UPowerBattery battery = UPowerBattery.start(upower.busAddress(), Clock.systemUTC())) {
            PowerStatus first = battery.current();
            assertTrue(first.known(), first.toString());
            assertFalse(first.onBattery(), first.toString());
            assertEquals("UPower: OnBattery false", first.detail());
            LinkedBlockingQueue<PowerStatus> changes = new LinkedBlockingQueue<>();
            battery.addListener(changes::add);

            long t0 = System.nanoTime();
            upower.unplug();
            PowerStatus unplugged = await(changes, PowerStatus::onBattery);
            long took = System.nanoTime() - t0;
            System.out.printf("on battery seen %d ms after the uevent%n", took / 1_000_000);
            assertEquals("UPower: OnBattery true", unplugged.detail());
            assertTrue(took <= Duration.ofSeconds(1).toNanos(), "seen after " + took / 1_000_000 + " ms");

            t0 = System.nanoTime();
            upower.plugIn();
            await(changes, s -> !s.onBattery() && s.known());
            took = System.nanoTime() - t0;
            System.out.printf("mains seen %d ms after the uevent%n", took / 1_000_000);
            assertTrue(took <= Duration.ofSeconds(1).toNanos(), "seen after " + took / 1_000_000 + " ms");
        }
    }

    @Test
    @Order(2)
    void followsUPowerLeavingAndRejoiningTheBusWithoutStartingIt() throws Exception {
        try (UPowerBattery battery = UPowerBattery.start(upower.busAddress(), Clock.systemUTC())) {
            LinkedBlockingQueue<PowerStatus> changes = new LinkedBlockingQueue<>();
            battery.addListener(changes::add);
            upower.stopUPower();
            PowerStatus gone = await(changes, s -> !s.known());
            assertEquals("UPower left the system bus at " + upower.busAddress() + "; taken as mains power", gone.detail());
        }
        // The bus would activate UPower for a call to its name (its .service file is installed): jbits asks first.
        try (UPowerBattery battery = UPowerBattery.start(upower.busAddress(), Clock.systemUTC())) {
            assertEquals("UPower is not on the system bus at " + upower.busAddress() + "; taken as mains power",
                    battery.current().detail());
            LinkedBlockingQueue<PowerStatus> changes = new LinkedBlockingQueue<>();
            battery.addListener(changes::add);
            upower.startUPower();
            PowerStatus back = await(changes, PowerStatus::known);
            assertFalse(back.onBattery(), back.toString());
        }
    }

    private static PowerStatus await(LinkedBlockingQueue<PowerStatus> changes, Predicate<PowerStatus> want)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            PowerStatus s = changes.poll(100, TimeUnit.MILLISECONDS);
            if (s != null) {
                System.out.println("  change: " + s);
                if (want.test(s)) {
                    return s;
                }
            }
        }
        throw new AssertionError("no such change within 30 s");
    }
}
