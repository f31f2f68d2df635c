package org.jbits.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's file-mode creation mask, as Linux reports it in {@code /proc/self/status} (since 4.7). */
public final class Umask {
    /** What most systems use when nothing says otherwise. */
    public static final int DEFAULT = 022;

    private Umask() {
    }

    /** This process's umask, or {@link #DEFAULT} where the system does not say. */
    public static int current() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return Integer.parseInt(line.substring(6).trim(), 8) & 0777;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or no /proc: the usual default
        }
        return DEFAULT;
    }

    /** The mode a new file gets under {@code umask}: 0666 without the masked bits. */
    public static int fileMode(int umask) {
        return 0666 & ~umask;
    }
}
