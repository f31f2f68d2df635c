package org.jbits.engine;

/**
 * The account an engine's jobs belong to: its name (as {@link OwnerName} reads it) and whether BITS would count it
 * an administrator, which BITS' per-user job limit does not apply to.
 *
 * @param name the user's name, as jobs show their owner
 * @param uid the numeric user id, or -1 where there is none (Windows)
 */
public record EngineOwner(String name, long uid) {

    /** The operating system's user this process runs as (its real user id). */
    public static EngineOwner current() {
        long uid;
        try {
            uid = new com.sun.security.auth.module.UnixSystem().getUid();
        } catch (LinkageError | RuntimeException notUnix) {
            uid = -1;
        }
        return new EngineOwner(OwnerName.current(), uid);
    }

    /**
     * {@code true} for root (uid 0), the Linux counterpart of BITS' administrators: "these limits do not apply to
     * administrators or services" (MaxJobsPerUser).
     */
    public boolean administrator() {
        return uid == 0;
    }
}
