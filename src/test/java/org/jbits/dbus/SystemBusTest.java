package org.jbits.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the system bus is, and the socket file of an address. */
class SystemBusTest {
    @Test
    void systemBusAddressComesFromTheEnvironmentElseTheStandardSocket() {
        assertEquals("unix:path=/var/run/dbus/system_bus_socket", SystemBus.address(Map.of()));
        assertEquals("unix:path=/tmp/x/bus", SystemBus.address(Map.of("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/tmp/x/bus")));
        assertEquals(Path.of("/tmp/a b/bus"), SystemBus.socketPath("unix:path=/tmp/a%20b/bus,guid=1;tcp:host=x"));
        assertEquals(null, SystemBus.socketPath("unix:abstract=/tmp/dbus-x"));
    }
}
