package org.jbits.dbus;

import java.nio.file.Path;
import java.util.Map;

/** Where the system D-Bus is: {@code DBUS_SYSTEM_BUS_ADDRESS}, else the D-Bus specification's standard socket. */
public final class SystemBus {
    /** The environment variable that names another system bus (tests point it at a private one). */
    public static final String ADDRESS_ENV = "DBUS_SYSTEM_BUS_ADDRESS";
    /** The specification's default system bus address. */
    public static final String DEFAULT_ADDRESS = "unix:path=/var/run/dbus/system_bus_socket";

    private SystemBus() {
    }

    /** The system bus address from {@code env}. */
    public static String address(Map<String, String> env) {
        String a = env.get(ADDRESS_ENV);
        return a == null || a.isBlank() ? DEFAULT_ADDRESS : a.trim();
    }

    /**
     * The socket file of a {@code unix:path=...} address (the first one of a list), or null for any other kind
     * (abstract sockets, TCP), which only the bus library can try.
     */
    static Path socketPath(String address) {
        String first = address.split(";", 2)[0];
        if (!first.startsWith("unix:")) {
            return null;
        }
        for (String kv : first.substring(5).split(",")) {
            if (kv.startsWith("path=")) {
                return Path.of(unescape(kv.substring(5)));
            }
        }
        return null;
    }

    /** D-Bus addresses escape bytes as {@code %XX}. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
