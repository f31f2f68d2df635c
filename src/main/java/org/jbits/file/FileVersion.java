package org.jbits.file;

/**
 * What tells one version of a file's content from another without reading it, as BITS tells them apart ("size and
 * date"): its size and its modification time. A file written in place gets a new version; one whose name was given
 * to another file is told apart by its {@link FileIdentity}.
 *
 * @param size the size in bytes
 * @param modifiedNanos the modification time in nanoseconds since the epoch
 */
public record FileVersion(long size, long modifiedNanos) {
    /** The form the job store keeps: {@code "size:modifiedNanos"}. */
    @Override
    public String toString() {
        return size + ":" + modifiedNanos;
    }

    /** The version {@link #toString()} wrote; null for null or anything else. */
    public static FileVersion parse(String text) {
        if (text == null) {
            return null;
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            return new FileVersion(Long.parseLong(text.substring(0, colon)), Long.parseLong(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
