package org.jbits.server;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.jbits.file.SafeDirectory;

/**
 * Walks from the upload directory to the directory an {@link UploadPath} puts its file in, one handle at a time
 * ({@code openat} with {@code O_NOFOLLOW}): a symbolic link or anything but a directory on the way is refused, so
 * the walk cannot leave the upload directory whatever another user planted in it.
 *
 * <p>Sub-directories must belong to the server's user and be writable by nobody else: such a directory cannot be
 * moved out of the tree under a held handle (moving a directory to another parent needs write access to it).
 * With {@code create}, missing ones are made (mode 0755) through their parent's handle; otherwise a missing one is
 * 404.
 */
final class TargetDirectories {
    private final SafeDirectory root;
    private final boolean create;

    TargetDirectories(SafeDirectory root, boolean create) {
        this.root = root;
        this.create = create;
    }

    /** A directory handle from the walk; closing it closes it unless it is the upload directory itself. */
    record Opened(SafeDirectory dir, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                dir.close();
            }
        }
    }

    SafeDirectory root() {
        return root;
    }

    Opened open(UploadPath path) throws BitsError {
        SafeDirectory current = root;
        boolean owned = false;
        String walked = "";
        try {
            for (String segment : path.directories()) {
                walked = walked.isEmpty() ? segment : walked + "/" + segment;
                SafeDirectory next = step(current, segment, walked);
                if (owned) {
                    current.close();
                }
                current = next;
                owned = true;
                String why = current.untrustedReason();
                if (why != null) {
                    throw BitsError.forbidden("the directory " + walked + " " + why + "; uploads go only into "
                            + "directories of the server's user that nobody else may write");
                }
            }
            return new Opened(current, owned);
        } catch (BitsError | RuntimeException e) {
            if (owned) {
                current.close();
            }
            throw e;
        } catch (IOException e) {
            if (owned) {
                current.close();
            }
            throw BitsError.local("cannot open the directory " + walked, e);
        }
    }

    private SafeDirectory step(SafeDirectory dir, String segment, String walked) throws BitsError, IOException {
        try {
            return dir.openSubdirectory(segment);
        } catch (NoSuchFileException e) {
            if (!create) {
                throw BitsError.notFound("the directory " + walked + " does not exist");
            }
            try {
                return dir.createSubdirectory(segment, 0755);
            } catch (FileAlreadyExistsException raced) {
                return step(dir, segment, walked);
            }
        } catch (NotDirectoryException e) {
            throw BitsError.forbidden(walked + " is not a directory");
        } catch (AccessDeniedException e) {
            throw BitsError.forbidden("the server may not open the directory " + walked);
        } catch (FileSystemException e) {
            // ELOOP: a symbolic link, which the walk never follows.
            throw BitsError.forbidden(walked + " is " + (e.getReason() != null ? e.getReason() : "not a plain directory"));
        }
    }
}
