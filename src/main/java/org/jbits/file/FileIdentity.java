package org.jbits.file;

/**
 * A file's identity on its machine: its device and inode numbers, and its birth time where the file system keeps
 * one (an inode number is reused as soon as its file is deleted; the birth time tells the new file from the old).
 * What a name points to can be changed by anyone who may write the directory; the file an identity names cannot.
 *
 * @param birthNanos the file's creation time in nanoseconds since the epoch, 0 where the file system has none
 */
public record FileIdentity(long device, long inode, long birthNanos) {
    @Override
    public String toString() {
        return Long.toHexString(device) + ":" + inode + "@" + birthNanos;
    }
}
