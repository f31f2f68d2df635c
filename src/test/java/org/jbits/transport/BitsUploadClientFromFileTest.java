package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of {@link BitsUploadClientTest} with the local file in a file the client may send from: each fragment then goes
 * straight from the file to the socket ({@link FileFragmentSender}, plain HTTP without a proxy), and none is read
 * through {@link UploadSource#read}, which is checked after each case.
 */
class BitsUploadClientFromFileTest extends BitsUploadClientTest {
    @TempDir
    Path files;
    private final List<MemoryUploadSource> made = new ArrayList<>();

    @Override
    MemoryUploadSource source(byte[] content, boolean withReply) {
        MemoryUploadSource s = new MemoryUploadSource(content, withReply, files.resolve("upload-" + made.size()));
        made.add(s);
        return s;
    }

    @AfterEach
    void noFragmentWasReadThroughTheSource() {
        for (MemoryUploadSource s : made) {
            assertEquals(0, s.reads(), "fragments were read through UploadSource.read, not sent from the file");
        }
    }
}
