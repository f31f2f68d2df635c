package org.jbits.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where a {@link DurableFile}'s bytes live. The file is looked at when the durable file opens, and opened (created
 * when it does not exist) only when a body begins, so a transfer that fails before its first byte leaves no file.
 */
public interface FileStorage extends AutoCloseable {
    /** The file's size now, or -1 when it does not exist. */
    long size() throws IOException;

    /** Opens the file for writing, creating it empty when it does not exist. */
    DirectWriter open() throws IOException;

    /** Lets go of what the storage holds (a directory handle); the writer it opened is closed already. */
    @Override
    void close();

    /** The file at {@code path}, opened by name: for tests, and platforms without {@link SafeDirectory}. */
    static FileStorage at(Path path, boolean directIo) {
        return new FileStorage() {
            @Override
            public long size() throws IOException {
                return Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? Files.size(path) : -1;
            }

            @Override
            public DirectWriter open() throws IOException {
                return DirectWriter.open(path, directIo);
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }
}
