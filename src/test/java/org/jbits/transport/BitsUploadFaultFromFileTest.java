package org.jbits.transport;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of {@link BitsUploadFaultTest} with the local file in a file the client may send from: each fragment then goes
 * straight from the file to the socket ({@link FileFragmentSender}, plain HTTP without a proxy), and none is read
 * through {@link UploadSource#read}, which is checked after each case.
 */
class BitsUploadFaultFromFileTest extends BitsUploadFaultTest {
    @TempDir
    Path files;
    private final FileBackedSources sources = new FileBackedSources();

    @Override
    MemoryUploadSource source(byte[] content, boolean withReply) {
        return sources.make(content, withReply, files);
    }

    @AfterEach
    void noFragmentWasReadThroughTheSource() {
        sources.assertNoneRead();
    }
}
