package org.jbits.transport;

import java.net.URI;

/** One protocol: HTTP(S), file, SMB. Stateless between calls; one call moves one file. */
public interface Transport {
    /** True for the URI schemes this transport moves. */
    boolean handles(URI uri);

    /** Downloads {@code source} into {@code target}, continuing from the target's offset where the source allows. */
    void download(URI source, DownloadTarget target, TransferControl control) throws TransferException;
}
