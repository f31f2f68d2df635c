package org.jbits.transport;

import java.net.URI;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * One protocol: HTTP(S), file, SMB. Stateless between calls; one call moves one file, one way. Everything a call
 * needs from its job comes in its {@link TransferContext}.
 */
public interface Transport {
    /** True for the URI schemes this transport moves. */
    boolean handles(URI uri);

    /** Downloads {@code source} into {@code target}, continuing from the target's offset where the source allows. */
    void download(URI source, DownloadTarget target, TransferContext context) throws TransferException;

    /**
     * Downloads only {@code ranges} of {@code source} into {@code target}, one after another in their order
     * (AddFileWithRanges): the target's offset counts bytes of the ranges, and its total is their sum once the
     * remote file's size is known. Transports without range support fail with E_INVALIDARG, which the engine's
     * AddFileWithRanges checks before it gets here.
     */
    default void downloadRanges(URI source, java.util.List<org.jbits.BitsFileRange> ranges, DownloadTarget target,
            TransferContext context) throws TransferException {
        throw TransferException.fatal(HResult.E_INVALIDARG, ErrorContext.GENERAL_QUEUE_MANAGER,
                "'" + source.getScheme() + "' URLs take no file ranges", null);
    }

    /**
     * Fetches bytes {@code first} to {@code last} (inclusive) of {@code source} into {@code sink} at their offsets,
     * for on-demand mode; {@code ifRange} is the validator the bytes already held were fetched under (or null).
     * Transports without random access fail with BG_E_RANDOM_ACCESS_NOT_SUPPORTED, which the engine checks when
     * the job is made on-demand.
     */
    default RangeSink.Outcome fetchRange(URI source, long first, long last, String ifRange, RangeSink sink,
            TransferContext context) throws TransferException {
        throw TransferException.fatal(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, ErrorContext.GENERAL_QUEUE_MANAGER,
                "'" + source.getScheme() + "' URLs have no random access", null);
    }

    /** True when this transport can upload to its URIs ({@link #upload}). */
    default boolean uploads() {
        return false;
    }

    /**
     * Uploads {@code source} to {@code destination}, continuing the source's session where the server allows.
     * Transports that cannot upload fail with BG_E_PROTOCOL_NOT_AVAILABLE.
     */
    default void upload(URI destination, UploadSource source, TransferContext context) throws TransferException {
        throw TransferException.fatal(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, ErrorContext.GENERAL_QUEUE_MANAGER,
                "'" + destination.getScheme() + "' URLs take no uploads", null);
    }

    /**
     * Asks the server to discard {@code session} (a job was cancelled), best effort: failures are logged, not
     * thrown, since the server expires an abandoned session anyway.
     */
    default void cancelUpload(UploadSession session, TransferContext context) {
    }

    /**
     * Complete of an upload whose destination takes the bytes only then ({@link UploadSource#uploadedAwaitingComplete}:
     * an SMB upload's temporary file is renamed into place); nothing for protocols whose server commits the file
     * itself (BITS' Close-Session). Fails when the bytes are no longer there or the destination refuses them.
     */
    default void commitUpload(URI destination, UploadSession session, long size, TransferContext context)
            throws TransferException {
    }
}
