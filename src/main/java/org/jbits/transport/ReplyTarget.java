package org.jbits.transport;

import java.net.URI;

/**
 * Where an upload-reply job's reply goes: the URL the server named ({@code BITS-Reply-URL} on the final fragment's
 * ack), kept by the engine before the reply is fetched, and the reply's file, downloaded with a normal GET (and
 * Range, to continue) before Close-Session.
 */
public interface ReplyTarget {
    /** Downloads into the reply's file; the engine opens and closes the file around it. */
    @FunctionalInterface
    interface Download {
        void into(DownloadTarget file) throws TransferException;
    }

    /** The reply URL recorded from an earlier attempt, or null. */
    URI url();

    /** Records the reply URL (durably, before the reply is fetched); a new URL starts the reply's file anew. */
    void urlGiven(URI url) throws TransferException;

    /**
     * The final fragment's ack named no reply URL: the server application gave no reply, and the reply file is
     * empty (as in BITS). Recorded durably.
     */
    void none() throws TransferException;

    /** Whether the reply is in its file, whole and forced to disk. */
    boolean downloaded();

    /** Opens the reply's file, runs {@code download} into it, and closes it (keeping what arrived). */
    void download(Download download) throws TransferException;
}
