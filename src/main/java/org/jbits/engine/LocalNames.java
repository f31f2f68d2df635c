package org.jbits.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.HResult;

/** BITS' rules for a file's local name, and the name of its temporary file next to it. */
final class LocalNames {
    private LocalNames() {
    }

    /** An absolute path naming a file (not a directory) in a directory that exists; else E_INVALIDARG or ERROR_PATH_NOT_FOUND. */
    static Path check(String localName) {
        if (localName == null || localName.isBlank()) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name is empty");
        }
        Path p;
        try {
            p = Path.of(localName);
        } catch (RuntimeException e) {
            throw new BitsException(HResult.E_INVALIDARG, "'" + localName + "' is not a valid path");
        }
        if (!p.isAbsolute()) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' is not an absolute path");
        }
        p = p.normalize();
        if (p.getFileName() == null) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' names no file");
        }
        if (Files.isDirectory(p)) {
            throw new BitsException(HResult.E_INVALIDARG, "the local name '" + localName + "' is a directory");
        }
        Path parent = p.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the directory of '" + localName + "' does not exist");
        }
        return p;
    }

    /** A hidden file next to the destination, so the final rename stays on one file system. */
    static String tempNameFor(UUID jobId, int index, Path local) {
        String name = local.getFileName().toString();
        if (name.length() > 180) {
            name = name.substring(0, 180);
        }
        return local.resolveSibling("." + name + "." + jobId.toString().substring(0, 8) + "-" + index + ".jbits").toString();
    }
}
