package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sources a "…FromFileTest" makes: each {@link MemoryUploadSource} with its content in a file of {@code dir}, so
 * the client sends its fragments straight from the file; {@link #assertNoneRead} checks that none was read through
 * {@link UploadSource#read} instead.
 */
final class FileBackedSources {
    private final List<MemoryUploadSource> made = new ArrayList<>();

    MemoryUploadSource make(byte[] content, boolean withReply, Path dir) {
        MemoryUploadSource s = new MemoryUploadSource(content, withReply, dir.resolve("upload-" + made.size()));
        made.add(s);
        return s;
    }

    void assertNoneRead() {
        for (MemoryUploadSource s : made) {
            assertEquals(0, s.reads(), "fragments were read through UploadSource.read, not sent from the file");
        }
    }
}
