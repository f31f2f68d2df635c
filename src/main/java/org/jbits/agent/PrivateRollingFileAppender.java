package org.jbits.agent;

import ch.qos.logback.core.rolling.RollingFileAppender;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jbits.file.StateDirectory;

/**
 * A rolling file appender whose files are 0600 from the moment they exist. Logback opens a new {@code agent.log}
 * after each roll-over with the process's umask (0644 here), so the log of a root agent on a shared machine was
 * readable by everyone from its first roll-over on; this one creates the file 0600 before Logback opens it (the
 * rolled-over files keep their mode when they are renamed).
 */
final class PrivateRollingFileAppender<E> extends RollingFileAppender<E> {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    @Override
    public void openFile(String fileName) throws IOException {
        Path file = Path.of(fileName);
        if (POSIX) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException exists) {
                StateDirectory.restrict(file);
            }
        }
        super.openFile(fileName);
    }
}
