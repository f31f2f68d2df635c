package org.jbits.file;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A durable file's storage in a {@link SafeDirectory}: the directory is opened only if it is the one recorded, the
 * file only if it is the one this job created (or created new, 0600, when there is none), and a new file's
 * identity is handed to the caller to record before a byte is written to it.
 */
public final class SafeStorage implements FileStorage {
    /** New files are private until their job completes (the job then gives them their final mode). */
    public static final int PRIVATE = 0600;

    private final SafeDirectory dir;
    private final String name;
    private final FileIdentity expected;
    private final boolean directIo;
    private final Consumer<FileIdentity> created;

    private SafeStorage(SafeDirectory dir, String name, FileIdentity expected, boolean directIo,
            Consumer<FileIdentity> created) {
        this.dir = dir;
        this.name = name;
        this.expected = expected;
        this.directIo = directIo;
        this.created = created;
    }

    /**
     * @param directory the file's directory; with {@code expectedDirectory}, only if it is still that one
     * @param name the file's name in it
     * @param expectedFile the identity recorded when the file was created, or null (none recorded yet)
     * @param created told the identity of a file this storage creates, before anything is written to it
     */
    public static SafeStorage open(Path directory, FileIdentity expectedDirectory, String name, FileIdentity expectedFile,
            boolean directIo, Consumer<FileIdentity> created) throws IOException {
        return new SafeStorage(SafeDirectory.open(directory, expectedDirectory), name, expectedFile, directIo, created);
    }

    /** -1 when nothing has the name, or when what has it is not this job's file (it is then not trusted). */
    @Override
    public long size() throws IOException {
        Posix.Stat st = dir.stat(name);
        if (st == null || (expected != null && !expected.equals(st.identity())) || !st.isRegular()) {
            return -1;
        }
        return st.size();
    }

    @Override
    public DirectWriter open() throws IOException {
        SafeFile f = openFile();
        try {
            return DirectWriter.open(f, directIo);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /**
     * The job's file under the name: the one with the recorded identity (made anew when it is gone), else a new one
     * (0600) or, when something is already there, that one checked as any file found under the name (a regular
     * file of this user, one link). A file other than the recorded one has its identity told to {@code created}
     * before this returns, so before a byte is written to it.
     */
    public SafeFile openFile() throws IOException {
        SafeFile f;
        if (expected != null) {
            f = dir.openOrCreate(name, expected, PRIVATE);
        } else {
            try {
                f = dir.create(name, PRIVATE);
            } catch (java.nio.file.FileAlreadyExistsException there) {
                f = dir.openExisting(name, null);
            }
        }
        try {
            if (!f.identity().equals(expected)) {
                created.accept(f.identity());
            }
            return f;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    @Override
    public void close() {
        dir.close();
    }
}
