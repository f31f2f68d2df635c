package org.jbits;

import java.util.Objects;

/**
 * One file to add to a job ({@code BG_FILE_INFO}): the remote name (URL or path) and the local name (a full path),
 * and, not a BITS field, the SHA-256 the file must have ({@link BitsJob#addFile(String, String, String)}) or null.
 */
public record FileInfo(String remoteName, String localName, String expectedSha256) {
    /** Both names are required. */
    public FileInfo {
        Objects.requireNonNull(remoteName, "remoteName");
        Objects.requireNonNull(localName, "localName");
    }

    /** A file without an expected hash. */
    public FileInfo(String remoteName, String localName) {
        this(remoteName, localName, null);
    }
}
