package org.jbits.windows;

import org.jbits.BitsException;
import org.jbits.BitsFile;
import org.jbits.ErrorContext;
import org.jbits.FileProgress;
import org.jbits.HResult;
import org.jbits.JobError;
import org.jbits.windows.BitsStructures.BG_FILE_PROGRESS;

/** Reads BITS objects into the API's records; runs on the thread that may use the pointers. */
final class ComReads {
    private ComReads() {
    }

    /** {@code MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT)}: the user's default language. */
    static final int LANG_USER_DEFAULT = 0x0400;

    /** A file's names, progress and (IBackgroundCopyFile3, when offered) temporary name. Does not release {@code f}. */
    static BitsFile file(IBackgroundCopyFile f) {
        BG_FILE_PROGRESS p = f.getProgress();
        String temporary = null;
        IBackgroundCopyFile.IBackgroundCopyFile3 f3 = f.queryFile3();
        if (f3 != null) {
            try {
                temporary = f3.getTemporaryName();
            } catch (BitsException e) {
                temporary = null; // before the transfer starts there may be none
            } finally {
                f3.release();
            }
        }
        return new BitsFile(f.getRemoteName(), f.getLocalName(),
                new FileProgress(p.BytesTotal, p.BytesTransferred, p.Completed != 0), temporary);
    }

    /**
     * The error's context, code, file and description. BITS' own description when it has one; when it fails
     * (Wine's GetErrorDescription is E_NOTIMPL) the manager's description of the code, else the code's name.
     * Does not release {@code e}.
     */
    static JobError error(IBackgroundCopyError e, IBackgroundCopyManager manager) {
        IBackgroundCopyError.Code code = e.getError();
        BitsFile file = null;
        IBackgroundCopyFile f = e.getFile();
        if (f != null) {
            try {
                file = file(f);
            } finally {
                f.release();
            }
        }
        String description = null;
        try {
            description = e.getErrorDescription(LANG_USER_DEFAULT);
        } catch (BitsException ignored) {
            try {
                description = manager == null ? null : manager.getErrorDescription(code.hresult(), LANG_USER_DEFAULT);
            } catch (BitsException alsoIgnored) {
                description = null;
            }
        }
        if (description == null || description.isBlank()) {
            description = HResult.name(code.hresult()) + " (" + HResult.hex(code.hresult()) + ")"
                    + (file != null ? " for " + file.remoteName() : "");
        }
        return new JobError(ErrorContext.of(code.context()), code.hresult(), description.strip(), file);
    }
}
