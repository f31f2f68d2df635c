package org.jbits.agent;

/**
 * Who sent a request: the user of the process at the other end of the socket, as the kernel vouches for it
 * (SO_PEERCRED), or of this process when requests run in-process (native BITS).
 *
 * @param uid the numeric user id, or -1 where there is none (Windows)
 * @param user the user's name (the decimal uid when the user has no name in the user database)
 */
public record Caller(int uid, String user) {
    /** The user of this process. */
    public static Caller ofThisProcess() {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            return new Caller(-1, System.getProperty("user.name"));
        }
        // The real user, as the kernel has it; user.name can be set on the command line.
        com.sun.security.auth.module.UnixSystem me = new com.sun.security.auth.module.UnixSystem();
        return new Caller((int) me.getUid(), me.getUsername());
    }

    @Override
    public String toString() {
        return uid < 0 ? "'" + user + "'" : "uid " + uid + " ('" + user + "')";
    }
}
