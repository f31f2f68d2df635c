package org.jbits.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one Jetty handler: authentication, then {@code BITS_POST} packets (Ping, Create-Session, Fragment,
 * Close-Session, Cancel-Session), reply downloads ({@code GET}/{@code HEAD} under {@link ReplyServer#PREFIX}) and,
 * when enabled, plain {@code PUT}/{@code POST} uploads. Every reply is an Ack with a Content-Length; every refusal
 * carries its BITS code (see {@link BitsError}).
 */
final class BitsHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(BitsHandler.class);
    static final String BITS_POST = "BITS_POST";
    /** The largest refused fragment body still read to its end (Windows sends at most 13 MB). */
    private static final long MAX_DRAIN = 64L << 20;

    private final SessionStore store;
    private final FragmentReceiver receiver;
    private final BackendNotifier notifier;
    private final ReplyServer replies;
    private final PlainUpload plain;
    private final BasicAuth auth;
    private final long maxFileSize;
    /** How long a packet waits for another packet of its session to finish. */
    private final Duration lockWait;

    BitsHandler(SessionStore store, FragmentReceiver receiver, BackendNotifier notifier, PlainUpload plain,
            BasicAuth auth, long maxFileSize, Duration lockWait) {
        this.store = store;
        this.receiver = receiver;
        this.notifier = notifier;
        this.replies = new ReplyServer(store);
        this.plain = plain;
        this.auth = auth;
        this.maxFileSize = maxFileSize;
        this.lockWait = lockWait;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String rawPath = request.getHttpURI().getPath();
        Ack ack;
        try {
            if (auth != null && !auth.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                throw BitsError.unauthorized();
            }
            if (rawPath != null && rawPath.startsWith(ReplyServer.PREFIX)) {
                if (method.equals("GET") || method.equals("HEAD")) {
                    replies.serve(request, response, callback, rawPath);
                    return true;
                }
                throw BitsError.uploadsDisabled("uploads are not enabled at " + ReplyServer.PREFIX);
            }
            if (method.equalsIgnoreCase(BITS_POST)) {
                ack = packet(request, rawPath);
            } else if (plain != null && (method.equals("PUT") || method.equals("POST"))) {
                long n = plain.put(UploadPath.parse(rawPath), request, request.getLength());
                log.info("plain {} of {} bytes to {}", method, n, rawPath);
                ack = Ack.of(201);
            } else {
                ack = Ack.error(BitsError.methodNotAllowed(method), null)
                        .header("Allow", plain != null ? BITS_POST + ", PUT, POST" : BITS_POST);
            }
        } catch (BitsError e) {
            ack = refusal(request, e, null);
        } catch (RuntimeException e) {
            log.error("{} {}: {}", method, rawPath, e.toString(), e);
            ack = refusal(request, BitsError.internal(e.toString(), e), null);
        }
        ack.send(response, callback);
        return true;
    }

    private static Ack refusal(Request request, BitsError e, String sessionId) {
        log.debug("{} {} -> {} {}: {}", request.getMethod(), request.getHttpURI().getPath(), e.status,
                Ack.hex(e.hresult), e.getMessage());
        return Ack.error(e, sessionId);
    }

    private Ack packet(Request request, String rawPath) throws BitsError {
        HttpFields h = request.getHeaders();
        Packet.checkHeaderSizes(h);
        return switch (Packet.type(h)) {
            case PING -> Ack.ok();
            case CREATE_SESSION -> create(request, rawPath);
            case FRAGMENT -> fragment(request, rawPath);
            case CLOSE_SESSION -> close(request, rawPath);
            case CANCEL_SESSION -> cancel(request, rawPath);
        };
    }

    private Ack create(Request request, String rawPath) throws BitsError {
        String protocol = Packet.chooseProtocol(request.getHeaders());
        UploadSession s = store.create(UploadPath.parse(rawPath));
        return Ack.ok().header(BitsHeaders.PROTOCOL, protocol).header(BitsHeaders.SESSION_ID, s.id)
                .header("Accept-Encoding", "Identity");
    }

    /** The session a packet names, which must be one for this URL; then locked. */
    private UploadSession locked(String id, String rawPath) throws BitsError {
        UploadSession s = store.get(id);
        if (!s.path.equals(UploadPath.parse(rawPath))) {
            throw BitsError.sessionNotFound(id + " at " + rawPath + " (it uploads to /" + s.path.display() + ")");
        }
        try {
            if (!s.lock.tryLock(lockWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw BitsError.busy("another packet of session " + id + " is still being handled", 5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BitsError.busy("interrupted", 5);
        }
        if (store.find(id) != s) {
            s.lock.unlock();
            throw BitsError.sessionNotFound(id);
        }
        s.lastActivityMillis = store.now();
        return s;
    }

    private Ack fragment(Request request, String rawPath) throws BitsError {
        HttpFields h = request.getHeaders();
        String id = Packet.sessionId(h);
        UploadSession s = locked(id, rawPath);
        try {
            try {
                ContentRange r = ContentRange.parse(h.get(HttpHeader.CONTENT_RANGE));
                checkFragment(request, s, r);
                receiver.receive(s, r, request);
                if (s.complete && notifier != null && s.reply == null) {
                    notifyBackend(request, s);
                }
                if (s.journal.size() > SessionJournal.COMPACT_BYTES) {
                    compact(s);
                }
            } catch (BitsError e) {
                drain(request);
                return refusal(request, e, id).header(BitsHeaders.RECEIVED_CONTENT_RANGE, Long.toString(s.received));
            }
            Ack ack = Ack.ok().header(BitsHeaders.SESSION_ID, id)
                    .header(BitsHeaders.RECEIVED_CONTENT_RANGE, Long.toString(s.received));
            if (s.complete && s.reply != null) {
                ack.header(BitsHeaders.REPLY_URL, replyUrl(request, s));
            }
            return ack;
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Reads what is left of a refused fragment's body, so that the client, which sends its whole body before it reads
     * the ack, gets the ack (with the offset to resync from) instead of a connection reset. A body larger than
     * {@link #MAX_DRAIN} is not read: the connection is closed instead.
     */
    private static void drain(Request request) {
        long length = request.getLength();
        if (length >= 0 && length <= MAX_DRAIN) {
            try {
                RequestBody.discard(request);
            } catch (java.io.IOException | RuntimeException e) {
                // the client is gone already
            }
        }
    }

    private void checkFragment(Request request, UploadSession s, ContentRange r) throws BitsError {
        long length = request.getLength();
        if (length < 0) {
            throw BitsError.invalid("the fragment has no Content-Length");
        }
        if (length != r.length()) {
            throw BitsError.invalid("the fragment's Content-Length " + length + " does not match its Content-Range "
                    + r.first() + "-" + r.last());
        }
        String encoding = request.getHeaders().get(HttpHeader.CONTENT_ENCODING);
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw BitsError.invalid("the fragment is " + encoding.trim() + "-encoded; this server takes identity only");
        }
        if (r.total() > maxFileSize) {
            throw BitsError.tooLarge(r.total(), maxFileSize);
        }
        if (s.total >= 0 && r.total() != s.total) {
            throw BitsError.invalid("the fragment says the file is " + r.total() + " bytes; earlier ones said " + s.total);
        }
        if (r.first() > s.received) {
            throw BitsError.outOfSync(s.received, r.first());
        }
    }

    private void notifyBackend(Request request, UploadSession s) throws BitsError {
        SessionFiles files = store.files();
        BackendNotifier.Notification n = new BackendNotifier.Notification(s, originalUrl(request),
                files.tempPath(s), files.replyPath(s));
        UploadSession.Reply reply = notifier.notify(n, files);
        if (reply.staticUrl() == null && replyUrl(request, s).length() > BitsHeaders.MAX_REPLY_URL) {
            throw BitsError.invalid("the reply URL would be longer than " + BitsHeaders.MAX_REPLY_URL + " characters");
        }
        try {
            s.journal.append(UploadSession.replyRecord(reply), true);
        } catch (java.io.IOException e) {
            throw BitsError.local("cannot record the reply of session " + s.id, e);
        } finally {
            s.journal.release();
        }
        s.reply = reply;
        log.info("session {}: the back-end accepted {} ({})", s.id, s.path.display(),
                reply.staticUrl() != null ? "reply at " + reply.staticUrl() : "reply file");
    }

    private static void compact(UploadSession s) throws BitsError {
        try {
            s.journal.rewrite(s.snapshot());
        } catch (java.io.IOException e) {
            throw BitsError.local("cannot compact the journal of session " + s.id, e);
        } finally {
            s.journal.release();
        }
    }

    private static String originalUrl(Request request) {
        return HttpURI.build(request.getHttpURI()).query(null).asString();
    }

    private static String replyUrl(Request request, UploadSession s) {
        UploadSession.Reply r = s.reply;
        if (r != null && r.staticUrl() != null) {
            return r.staticUrl();
        }
        return HttpURI.build(request.getHttpURI()).path(ReplyServer.pathFor(s)).query(null).asString();
    }

    private Ack close(Request request, String rawPath) throws BitsError {
        String id = Packet.sessionId(request.getHeaders());
        UploadSession s = locked(id, rawPath);
        try {
            if (!s.complete) {
                // [MC-BUP]: a Close-Session before the last fragment discards the upload.
                store.end(s, true, "closed before its last fragment: the upload is discarded");
                return Ack.ok().header(BitsHeaders.SESSION_ID, id);
            }
            UploadSession.Reply reply = s.reply;
            boolean keep = notifier == null || (reply != null && reply.copyToDestination());
            if (keep) {
                files().commit(s);
            }
            store.end(s, !keep, keep ? "closed: " + s.path.display() + " is in place"
                    : "closed: the back-end application kept no copy");
            return Ack.ok().header(BitsHeaders.SESSION_ID, id);
        } catch (BitsError e) {
            return refusal(request, e, id);
        } finally {
            s.lock.unlock();
        }
    }

    private Ack cancel(Request request, String rawPath) throws BitsError {
        String id = Packet.sessionId(request.getHeaders());
        UploadSession s = locked(id, rawPath);
        try {
            store.end(s, true, "cancelled");
            return Ack.ok().header(BitsHeaders.SESSION_ID, id);
        } finally {
            s.lock.unlock();
        }
    }

    private SessionFiles files() {
        return store.files();
    }
}
