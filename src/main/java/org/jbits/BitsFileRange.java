package org.jbits;

/**
 * {@code BG_FILE_RANGE}: a part of a remote file to download ({@link BitsJob#addFileWithRanges}). The ranges of a
 * file are written to its local file one after another, in the order given: ranges 100-199, 900-999 and 400-499
 * make a local file of 300 bytes.
 *
 * @param initialOffset the first byte, counted from 0
 * @param length how many bytes, or {@link #LENGTH_TO_EOF} for the rest of the file
 */
public record BitsFileRange(long initialOffset, long length) {
    /** {@code BG_LENGTH_TO_EOF}: {@code (UINT64) -1}, the range goes to the end of the remote file. */
    public static final long LENGTH_TO_EOF = -1L;

    /** True when the range goes to the end of the file. */
    public boolean toEndOfFile() {
        return length == LENGTH_TO_EOF;
    }

    /** {@code offset:length}, {@code offset:eof} for a range to the end: bitsadmin's spelling. */
    @Override
    public String toString() {
        return initialOffset + ":" + (toEndOfFile() ? "eof" : Long.toString(length));
    }
}
