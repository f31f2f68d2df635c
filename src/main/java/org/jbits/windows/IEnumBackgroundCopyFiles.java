package org.jbits.windows;

import com.sun.jna.Pointer;

/** {@code IEnumBackgroundCopyFiles} (IID ca51e165-c365-424c-8d41-24aaa4ff3c40; slots 3-7 in {@link ComEnumerator}). */
final class IEnumBackgroundCopyFiles extends ComEnumerator<IBackgroundCopyFile, IEnumBackgroundCopyFiles> {
    IEnumBackgroundCopyFiles(Pointer p) {
        super(p, "IEnumBackgroundCopyFiles", IBackgroundCopyFile::new, IEnumBackgroundCopyFiles::new);
    }
}
