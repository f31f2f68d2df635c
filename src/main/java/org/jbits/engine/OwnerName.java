package org.jbits.engine;

/**
 * The account a job belongs to: the operating system's user this process runs as (its real user id), not the
 * {@code user.name} property, which any {@code -Duser.name=} or a changed {@code HOME} could set.
 */
final class OwnerName {
    private OwnerName() {
    }

    static String current() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUsername();
        } catch (LinkageError | RuntimeException notUnix) {
            // Windows (and any JVM without the Unix login module): the name the JVM was started as.
            return System.getProperty("user.name");
        }
    }
}
