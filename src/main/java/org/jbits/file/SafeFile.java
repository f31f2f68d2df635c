package org.jbits.file;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file opened by {@link SafeDirectory}, held by its handle: its channels are opened from the handle (through
 * {@code /proc/self/fd}, which names the open file itself, never a path), so they write the file that was checked,
 * whatever happens to its name meanwhile.
 */
public final class SafeFile implements AutoCloseable {
    private final SafeDirectory dir;
    private final String name;
    private final int fd;
    private final FileIdentity identity;

    SafeFile(SafeDirectory dir, String name, int fd, FileIdentity identity) {
        this.dir = dir;
        this.name = name;
        this.fd = fd;
        this.identity = identity;
    }

    public String name() {
        return name;
    }

    public FileIdentity identity() {
        return identity;
    }

    public SafeDirectory directory() {
        return dir;
    }

    /** A channel on this very file, for writing; {@code direct}: with {@code O_DIRECT}. */
    FileChannel channel(boolean direct) throws IOException {
        Path self = Path.of("/proc/self/fd/" + fd);
        return direct ? FileChannel.open(self, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)
                : FileChannel.open(self, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** A channel on this very file for reading and writing (positioned I/O; the file's handle stays open). */
    public FileChannel openChannel() throws IOException {
        return channel(false);
    }

    /** A channel on this very file, for reading only. */
    public FileChannel readChannel() throws IOException {
        return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
    }

    /** The file's size and modification time now, from its handle. */
    public FileVersion version() throws IOException {
        Posix.Stat st = Posix.stat(fd);
        return new FileVersion(st.size(), st.modifiedNanos());
    }

    /** The file system's block size (the alignment of direct writes). */
    long blockSize() throws IOException {
        return Posix.blockSize(fd);
    }

    /** The file's size now. */
    public long size() throws IOException {
        return Posix.stat(fd).size();
    }

    /**
     * Fails when the file or its directory was deleted while it is being written (bytes written into a file that
     * no name reaches would be lost at Complete).
     */
    public void ensureLinked() throws IOException {
        if (!dir.isLinked()) {
            throw new VanishedException(dir.path().toString(), true);
        }
        if (Posix.stat(fd).nlink() == 0) {
            throw new VanishedException(dir.path().resolve(name).toString(), false);
        }
    }

    /** Sets the file's permission bits. */
    public void chmod(int mode) throws IOException {
        Posix.chmod(fd, mode);
    }

    @Override
    public void close() {
        Posix.close(fd);
    }

    /** A file (or its directory) that was deleted while it was written. */
    public static final class VanishedException extends NoSuchFileException {
        private static final long serialVersionUID = 1L;
        private final boolean directory;

        VanishedException(String file, boolean directory) {
            super(file, null, directory ? "the directory was deleted while a file in it was written"
                    : "was deleted while it was written");
            this.directory = directory;
        }

        /** True when the directory itself was deleted (the file cannot be recreated there). */
        public boolean isDirectory() {
            return directory;
        }
    }
}
