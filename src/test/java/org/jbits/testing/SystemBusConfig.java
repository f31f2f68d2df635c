package org.jbits.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration of a private system bus for the tests' daemons: the system bus's type, default policy and the
 * daemons' installed policies ({@code system.d}), listening on a socket of the test's own, and no service
 * directories, so nothing is ever activated on it. With the stock system configuration a call to an installed
 * daemon's name starts it as root (NetworkManager itself asks for ModemManager so, which then probes the host's serial
 * ports); the tests start exactly the daemons they mean to.
 */
public final class SystemBusConfig {
    private SystemBusConfig() {
    }

    /** Writes the configuration to {@code file} for a bus listening on {@code socket}; returns {@code file}. */
    public static Path write(Path file, String socket) throws IOException {
        Files.writeString(file, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>system</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="*"/>
                    <deny own="*"/>
                    <deny send_type="method_call"/>
                    <allow send_type="signal"/>
                    <allow send_requested_reply="true" send_type="method_return"/>
                    <allow send_requested_reply="true" send_type="error"/>
                    <allow receive_type="method_call"/>
                    <allow receive_type="method_return"/>
                    <allow receive_type="error"/>
                    <allow receive_type="signal"/>
                    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
                    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
                    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
                  </policy>
                  <includedir>/usr/share/dbus-1/system.d</includedir>
                  <includedir>/etc/dbus-1/system.d</includedir>
                </busconfig>
                """.formatted(socket), StandardCharsets.UTF_8);
        return file;
    }
}
