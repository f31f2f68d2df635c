/**
 * Internal: files that neither lose a byte nor write through a name someone else can swap. Not part of jbits' API;
 * used by the portable engine and the upload server, and free to change between versions.
 *
 * <ul>
 *   <li>{@link org.jbits.file.DurableFile}: a file written in order, reported to a {@link org.jbits.file.FileSink}
 *       as checksummed ranges and forced checkpoints (its {@link org.jbits.file.WritePipeline} writes and forces on
 *       the caller's executor); {@link org.jbits.file.DirectWriter} writes block-aligned runs with O_DIRECT;
 *       {@link org.jbits.file.StagingPool} lends the page-aligned buffers; {@link org.jbits.file.Segments} verifies
 *       and cuts back after a crash.</li>
 *   <li>{@link org.jbits.file.SafeDirectory} and {@link org.jbits.file.SafeFile}: files opened, renamed and deleted
 *       relative to a directory handle, never following a link, checked by identity
 *       ({@link org.jbits.file.FileIdentity}) before anything is written; {@link org.jbits.file.SafeStorage} puts a
 *       durable file there. Linux calls through JNA ({@code Posix}).</li>
 *   <li>{@link org.jbits.file.StateDirectory} (0700/0600 state directories) and {@link org.jbits.file.Umask}.</li>
 * </ul>
 */
package org.jbits.file;
