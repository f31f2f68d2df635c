package org.jbits.file;

/**
 * Where a {@link DurableFile} reports what it has made safe. Calls come from the producer's thread ({@link #begun},
 * {@link #finished}), the writer task ({@link #rangeWritten}, {@link #progressed}) and the checkpoint task
 * ({@link #checkpointed}); an implementation must take them from several threads. A sink that throws fails the
 * file (the transfer then stops with a local-file error).
 */
public interface FileSink {
    /**
     * The file holds exactly {@code [0, offset)} of the version {@code validator} (null: none known) whose size is
     * {@code total} (-1: unknown), forced to disk; no range past {@code offset} counts any more. Recorded durably
     * before it returns: the first byte of a new body is written only after.
     */
    void begun(long offset, long total, String validator);

    /** {@code [start, end)} was handed to the file system, not forced, with this CRC-32C of its bytes. */
    void rangeWritten(long start, long end, long crc32c);

    /**
     * {@code [0, offset)} is forced to disk.
     *
     * @param durable record with an fsync of its own (a stop, a close); false for the periodic checkpoints, whose
     *     loss in a power cut costs only a re-fetch from an older one
     */
    void checkpointed(long offset, boolean durable);

    /** Bytes reached the file since the last call ({@code written} in all); at most every notify interval. */
    void progressed(long written);

    /** All {@code size} bytes are forced to disk: the file is complete. Recorded durably before it returns. */
    void finished(long size);
}
