package org.jbits;

/**
 * {@code IBackgroundCopyError}: what went wrong, where, and in which file.
 *
 * @param context where the error happened
 * @param hresult the BITS code ({@code 0x80190194} for HTTP 404)
 * @param description a readable explanation
 * @param file the file being transferred, or null when the error is not about one file
 */
public record JobError(ErrorContext context, int hresult, String description, BitsFile file) {
    /** The symbolic name of {@link #hresult()}. */
    public String errorName() {
        return HResult.name(hresult);
    }
}
