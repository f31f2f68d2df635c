package org.jbits.engine;

import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.transport.TransferContext;
import org.jbits.transport.TransferException;
import org.jbits.transport.Transport;
import org.jbits.transport.Transports;
import org.jbits.transport.UploadSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upload job's turn at its one file: the local file opened as a {@link StoreUploadSource} over the store, handed
 * to the transport for the destination's scheme, which speaks the upload protocol and records into it. Also the
 * best-effort Cancel-Session of a job that is cancelled (or completed before it was uploaded).
 */
final class UploadRunner {
    private static final Logger log = LoggerFactory.getLogger(UploadRunner.class);

    private final JobStore store;
    private final TempFiles tempFiles;
    private final Transports transports;
    private final EngineClock clock;

    UploadRunner(JobStore store, TempFiles tempFiles, Transports transports, EngineClock clock) {
        this.store = store;
        this.clock = clock;
        this.tempFiles = tempFiles;
        this.transports = transports;
    }

    /** One attempt at the upload of {@code f}, the job's file; returns when it is done, or stopped. */
    void transfer(Run run, FileRecord f) throws TransferException {
        Transport transport = transports.forUri(f.uri);
        if (!transport.uploads()) {
            throw TransferException.fatal(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, ErrorContext.GENERAL_QUEUE_MANAGER,
                    "no transport uploads to '" + f.uri.getScheme() + "' URLs", null);
        }
        try (StoreUploadSource source = StoreUploadSource.open(store, tempFiles, clock, run, f)) {
            transport.upload(f.uri, source, run.context.withServerCredentials(f.urlCredentials));
        }
    }

    /**
     * Complete of an upload whose destination takes its bytes only at Complete (an SMB upload: the temporary file on
     * the share renamed into place), before Acknowledged is committed; the session is forgotten once it is done.
     * Nothing for an upload the server already committed (Close-Session) or one not uploaded yet.
     */
    void commit(JobRecord rec) throws TransferException {
        UploadRecord u = rec.upload;
        UploadSession s = u == null ? null : u.session;
        if (s == null || rec.files.isEmpty() || !rec.files.get(0).completed) {
            return;
        }
        FileRecord f = rec.files.get(0);
        Transport t = transports.forUri(f.uri);
        t.commitUpload(f.uri, s, f.bytesTotal, context(rec, f));
        u.session = null;
        store.saveUpload(rec.id, u);
    }

    /**
     * The upload's bytes are gone from the destination before Complete: the session is forgotten and the file is to
     * be uploaded again from byte 0 (Resume).
     */
    void lost(JobRecord rec) {
        if (rec.upload != null) {
            rec.upload.session = null;
            store.saveUpload(rec.id, rec.upload);
        }
    }

    private static TransferContext context(JobRecord rec, FileRecord f) {
        // The job's credentials too: an SMB upload's Complete (rename) and Cancel (delete) log on as the upload did.
        return TransferContext.builder().proxy(rec.proxy)
                .serverCredentials(JobCredentials.forTarget(rec, org.jbits.AuthTarget.SERVER))
                .proxyCredentials(JobCredentials.forTarget(rec, org.jbits.AuthTarget.PROXY))
                .build().withServerCredentials(f.urlCredentials);
    }

    /**
     * Cancel-Session for the session the job holds, if any, best effort (the server expires it otherwise); the job's
     * run has stopped. The session is forgotten either way.
     */
    void cancelSession(JobRecord rec) {
        UploadRecord u = rec.upload;
        UploadSession s = u == null ? null : u.session;
        if (s == null || rec.files.isEmpty()) {
            return;
        }
        FileRecord f = rec.files.get(0);
        try {
            Transport t = transports.forUri(s.url());
            t.cancelUpload(s, context(rec, f));
        } catch (RuntimeException e) {
            log.info("job {}: Cancel-Session of {} failed: {}", rec.id, s, e.toString());
        }
        u.session = null;
    }
}
