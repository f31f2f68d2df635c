package org.jbits.file;

import java.io.IOException;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.transport.TransferException;

/** What a local file's failure means to a job: its BITS code, and whether a retry can cure it. */
public final class FileErrors {
    private FileErrors() {
    }

    /**
     * A local-file error for {@code e}. A temporary file deleted while it was written is transient (the retry
     * creates it anew and fetches it again); its directory deleted, or a name that now holds something that is
     * not the job's own file (a planted link, another user's file, a replaced directory), is fatal: nothing is
     * written there until the user acts. Anything else as {@link TransferException#localFile}.
     */
    public static TransferException toTransfer(String message, IOException e) {
        if (e instanceof SafeFile.VanishedException v && !v.isDirectory()) {
            return TransferException.transientError(HResult.ERROR_FILE_NOT_FOUND, ErrorContext.LOCAL_FILE,
                    message + ": " + e.getMessage() + "; it is fetched again", e);
        }
        if (e instanceof SafeDirectory.NotOursException) {
            return TransferException.fatal(HResult.E_ACCESSDENIED, ErrorContext.LOCAL_FILE,
                    message + ": " + e.getMessage(), e);
        }
        return TransferException.localFile(message, e);
    }
}
