package org.jbits;

import java.util.Objects;

/**
 * One file to add to a job ({@code BG_FILE_INFO}): the remote name (URL or path) and the local name (a full path).
 */
public record FileInfo(String remoteName, String localName) {
    /** Both names are required. */
    public FileInfo {
        Objects.requireNonNull(remoteName, "remoteName");
        Objects.requireNonNull(localName, "localName");
    }
}
