package org.jbits.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at one upload over the BITS upload protocol ([MC-BUP] §3.1), as a state machine over the session the
 * {@link UploadSource} keeps:
 *
 * <pre>
 *   no session ──Create-Session──► (Ping the BITS-Host-Id host) ──► FRAGMENTS
 *   a session from an earlier attempt ──Ping──► FRAGMENTS, the first one a 5 KiB probe at the recorded offset
 *   FRAGMENTS: sequential from the server's offset; each ack's BITS-Received-Content-Range is recorded and is where
 *              the next one starts (a 416 says where too); 413 halves the size; a connection that fails is asked
 *              once more at once with a probe; the final fragment's ack names the reply (upload-reply)
 *   ──► GET the reply (+Range) into the reply file ──► the file checked unchanged ──► Close-Session ──► done
 *   BG_E_SESSION_NOT_FOUND anywhere: the session is forgotten and a new one starts from byte 0
 *   the local file changed: Cancel-Session, the session forgotten, BG_E_LOCAL_FILE_CHANGED
 * </pre>
 *
 * The probe is what bounds the bytes sent again after an interruption: the record of the last ack may lag the server
 * (killed between the ack and its record, or while a fragment the server kept part of was on its way), and a 5 KiB
 * fragment at the recorded offset costs at most 5 KiB of what the server holds before its ack says where to go on.
 */
final class BitsUploadClient {
    private static final Logger log = LoggerFactory.getLogger(BitsUploadClient.class);
    /** "BITS 1.5 Upload Protocol", the only protocol [MC-BUP] defines. */
    static final String PROTOCOL = "{7df0354d-249b-430f-820d-3d2a9bef4931}";
    /** A server that forgets this many new sessions in one attempt is not going to keep the next. */
    private static final int SESSIONS_PER_ATTEMPT = 3;
    /** 416s in a row without the offset moving: the server and the client do not agree on anything. */
    private static final int MAX_RESYNCS = 8;
    private static final int READ_BYTES = 256 << 10;
    private static final int MAX_CONTENT_NAME = 260;
    private static final Pattern BAD_CONTENT_NAME = Pattern.compile("[\\\\/:*?\"<>|\\x00-\\x1f\\x7f-\\uffff]");
    private static final RequestBody EMPTY = RequestBody.create(new byte[0], (MediaType) null);

    /** The server no longer knows the session. */
    private static final class SessionLost extends Exception {
        private static final long serialVersionUID = 1L;

        SessionLost(String message) {
            super(message, null, false, false);
        }
    }

    private final PacketSender packets;
    private final HttpTransport http;
    private final URI destination;
    private final UploadSource source;
    private final TransferContext context;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final FragmentSizer sizer = new FragmentSizer();
    private final ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
    private UploadSession session;
    /** The next fragment is a probe: the server's ack says what it holds. */
    private boolean probe;

    BitsUploadClient(PacketSender packets, HttpTransport http, URI destination, UploadSource source,
            TransferContext context, Clock clock, LongSupplier nanoTime) {
        this.packets = packets;
        this.http = http;
        this.destination = destination;
        this.source = source;
        this.context = context;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /** Runs the attempt; returns when the upload is closed, or when the transfer was stopped. */
    void run() throws TransferException {
        session = source.session();
        boolean resumed = session != null;
        int opened = 0;
        try {
            while (!context.isStopped()) {
                try {
                    if (session == null) {
                        if (opened++ >= SESSIONS_PER_ATTEMPT) {
                            throw TransferException.transientError(HResult.BG_E_SESSION_NOT_FOUND,
                                    ErrorContext.REMOTE_FILE, "the server forgot " + SESSIONS_PER_ATTEMPT
                                            + " new upload sessions in a row at " + Redacted.uri(destination), null);
                        }
                        createSession();
                    } else if (resumed) {
                        log.info("resuming {} at byte {}", session, source.acknowledged());
                        ping();
                        probe = true;
                    }
                    resumed = false;
                    if (!session.closeSent()) {
                        if (!sendFragments() || !fetchReply()) {
                            return;
                        }
                        source.checkUnchanged();
                    }
                    closeSession();
                    return;
                } catch (SessionLost e) {
                    log.info("{}: {}; a new session starts from byte 0", session, e.getMessage());
                    source.sessionLost();
                    session = null;
                }
            }
        } catch (PacketSender.Stopped stopped) {
            // Suspend, preemption, cancel or shutdown: what was acknowledged is recorded.
        } catch (TransferException e) {
            if (e.hresult() == HResult.BG_E_LOCAL_FILE_CHANGED && session != null) {
                // The server holds bytes of two versions: discarded there, and the next attempt starts anew.
                cancel(session);
                source.sessionLost();
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ the packets

    private void createSession() throws TransferException, PacketSender.Stopped {
        PacketSender.Answer a;
        try {
            a = packets.send(destination, "Create-Session", Map.of("BITS-Supported-Protocols", PROTOCOL), EMPTY);
        } catch (PacketSender.Stopped s) {
            throw s;
        } catch (PacketSender.SourceFailure f) {
            throw f.cause;
        } catch (IOException e) {
            throw HttpTransport.networkError(e, destination);
        }
        BitsAck ack = a.ack();
        if (!ack.ok()) {
            throw refusal(ack, "Create-Session", a.url());
        }
        String id = checkSessionId(ack.sessionId(), a.url());
        if (ack.protocol() != null && !sameGuid(ack.protocol(), PROTOCOL)) {
            throw TransferException.fatal(HResult.BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH, ErrorContext.REMOTE_FILE,
                    "the server at " + Redacted.uri(a.url()) + " chose the upload protocol " + printable(ack.protocol())
                            + ", not the one offered (" + PROTOCOL + ", BITS 1.5)", null);
        }
        String host = ack.hostId() == null ? null : HostIds.check(ack.hostId());
        session = UploadSession.created(id, a.url(), host, ack.hostFallback());
        source.sessionOpened(session);
        log.info("created upload {} for {} bytes", session, source.size());
        if (host != null) {
            // [MC-BUP] §3.1.1.2: a client told to use another host says hello there before the first fragment.
            ping();
        }
    }

    private void ping() throws TransferException, PacketSender.Stopped {
        PacketSender.Answer a;
        try {
            a = packet("Ping", Map.of(), EMPTY);
        } catch (PacketSender.Stopped s) {
            throw s;
        } catch (IOException e) {
            throw HttpTransport.networkError(e, target());
        }
        if (!a.ack().ok()) {
            throw refusal(a.ack(), "Ping", a.url());
        }
    }

    /** The fragments from the server's offset to the end; false when stopped. */
    private boolean sendFragments() throws TransferException, SessionLost, PacketSender.Stopped {
        long total = source.size();
        long offset = Math.min(source.acknowledged(), total);
        int resyncs = 0;
        boolean retried = false;
        // An empty file still has its one fragment (bytes */0), whose ack completes the upload at the server.
        boolean finalAcked = total > 0 && offset >= total;
        while (true) {
            ReplyTarget reply = source.reply();
            boolean replyUnknown = reply != null && !reply.downloaded() && reply.url() == null;
            if (finalAcked && !replyUnknown) {
                return true;
            }
            if (context.isStopped()) {
                return false;
            }
            source.checkUnchanged();
            long first;
            long length;
            if (offset >= total) {
                // Everything is acknowledged but the ack that names the reply was lost: its last byte asks again
                // (an empty file's fragment has no bytes).
                first = Math.max(0, total - 1);
                length = Math.min(1, total);
            } else {
                first = offset;
                length = probe ? Math.min(FragmentSizer.MIN, total - offset) : sizer.next(total - offset);
            }
            probe = false;
            long began = nanoTime.getAsLong();
            PacketSender.Answer a;
            try {
                a = packet("Fragment", fragmentHeaders(first, length, total), new FragmentBody(first, length));
            } catch (PacketSender.Stopped s) {
                return false;
            } catch (IOException e) {
                if (sizer.connectionFailed(length)) {
                    log.info("{}: the connection failed on a fragment of {} bytes; sending at most {} from now on",
                            session, length, sizer.current());
                }
                if (!retried) {
                    // Once at once, on a fresh connection (a pooled one the server closed, a reset): as a probe, so
                    // what reached the server before the failure is not sent again.
                    log.debug("{}: fragment at {} failed ({}); asking again", session, first, e.toString());
                    retried = true;
                    probe = true;
                    continue;
                }
                throw HttpTransport.networkError(e, target());
            }
            retried = false;
            BitsAck ack = a.ack();
            if (ack.ok()) {
                long held = received(ack, total, a.url());
                sizer.acknowledged(length, nanoTime.getAsLong() - began);
                log.debug("{}: fragment {}+{} acknowledged up to {}", session, first, length, held);
                offset = held;
                source.acknowledgedUpTo(held);
                resyncs = 0;
                finalAcked = held == total;
                if (finalAcked && replyUnknown) {
                    if (ack.replyUrl() != null) {
                        reply.urlGiven(replyUrl(a.url(), ack.replyUrl()));
                    } else {
                        reply.none();
                    }
                }
                continue;
            }
            if (ack.status() == 416 && ack.received() >= 0) {
                long held = received(ack, total, a.url());
                if (++resyncs > MAX_RESYNCS) {
                    throw TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                            "the server at " + Redacted.uri(a.url()) + " refused " + MAX_RESYNCS
                                    + " fragments in a row as out of sequence, each time at byte " + held, null);
                }
                log.debug("{}: fragment at {} out of sequence; the server holds {}", session, first, held);
                offset = held;
                source.acknowledgedUpTo(held);
                continue;
            }
            if (ack.sessionNotFound()) {
                throw new SessionLost("the server no longer knows it (" + ack.status() + " BG_E_SESSION_NOT_FOUND)");
            }
            if ((ack.status() == 413 || ack.errorCode() == HResult.BG_E_TOO_LARGE) && sizer.tooLarge(length)) {
                log.info("{}: a fragment of {} bytes is too large for the server; sending {} from now on", session,
                        length, sizer.current());
                continue;
            }
            throw refusal(ack, "the fragment " + first + "+" + length, a.url());
        }
    }

    /** Downloads the reply (upload-reply) before Close-Session; false when stopped. */
    private boolean fetchReply() throws TransferException {
        ReplyTarget reply = source.reply();
        if (reply == null || reply.downloaded()) {
            return true;
        }
        URI url = reply.url();
        reply.download(file -> http.download(url, file, context));
        if (context.isStopped()) {
            return false;
        }
        if (!reply.downloaded()) {
            throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.REMOTE_FILE,
                    "the reply at " + Redacted.uri(url) + " ended early", null);
        }
        log.info("{}: reply downloaded from {}", session, Redacted.uri(url));
        return true;
    }

    private void closeSession() throws TransferException, SessionLost, PacketSender.Stopped {
        boolean sentBefore = session.closeSent();
        if (!sentBefore) {
            // Recorded first: after a crash with the Close on its way, a server that no longer knows the session
            // most likely closed it.
            session = session.closeSent(true);
            source.sessionChanged(session);
        }
        PacketSender.Answer a;
        try {
            a = packet("Close-Session", Map.of("BITS-Session-Id", session.id()), EMPTY);
        } catch (PacketSender.Stopped s) {
            throw s;
        } catch (IOException e) {
            throw HttpTransport.networkError(e, target());
        }
        BitsAck ack = a.ack();
        if (ack.ok()) {
            source.uploaded();
            log.info("{}: closed; the upload is complete", session);
            return;
        }
        if (ack.sessionNotFound()) {
            if (sentBefore) {
                log.info("{}: the server no longer knows the session an earlier Close-Session went to; taken as"
                        + " closed", session);
                source.uploaded();
                return;
            }
            throw new SessionLost("the server no longer knows it at Close-Session");
        }
        // The server answered, so it still has the session: this Close did nothing.
        session = session.closeSent(false);
        source.sessionChanged(session);
        throw refusal(ack, "Close-Session", a.url());
    }

    /**
     * Cancel-Session, best effort: the server discards what it holds of the session. Failures are only logged. The
     * client may have been made without a source (a cancelled job's session, sent from the engine's Cancel).
     */
    void cancel(UploadSession s) {
        session = s;
        try {
            PacketSender.Answer a = packet("Cancel-Session", Map.of("BITS-Session-Id", s.id()), EMPTY);
            log.info("{}: cancelled at the server ({})", s, a.ack().status());
        } catch (IOException | TransferException e) {
            log.info("{}: Cancel-Session failed ({}); the server expires the session", s, e.getMessage());
        }
    }

    /**
     * One packet of the session, to its URL or its host id; an unreachable host id counts towards its fallback
     * timeout, after which the packet goes to the origin instead.
     */
    private PacketSender.Answer packet(String type, Map<String, String> headers, RequestBody body)
            throws IOException, TransferException {
        while (true) {
            URI target = target();
            try {
                PacketSender.Answer a = packets.send(target, type, headers, body);
                if (session.hostFailingSince() != null) {
                    session = session.hostFailingSince(null);
                    changed();
                }
                return a;
            } catch (PacketSender.Stopped s) {
                throw s;
            } catch (PacketSender.SourceFailure f) {
                throw f.cause;
            } catch (IOException e) {
                if (session.hostId() == null || !unreachable(e) || !fallBack()) {
                    throw e;
                }
            }
        }
    }

    /** Notes that the host id cannot be reached; true when its fallback timeout has passed and the origin is next. */
    private boolean fallBack() throws TransferException {
        Instant now = clock.instant();
        if (session.hostFailingSince() == null) {
            session = session.hostFailingSince(now);
            changed();
        }
        Duration timeout = session.hostFallback();
        if (timeout == null || now.isBefore(session.hostFailingSince().plus(timeout))) {
            return false;
        }
        log.info("{}: the host has not answered for {} s (its fallback timeout); back to {}", session,
                Duration.between(session.hostFailingSince(), now).toSeconds(), Redacted.uri(session.url()));
        session = session.withoutHostId();
        changed();
        return true;
    }

    /** Records a change of the session; a Cancel-Session alone (no source) has nothing to record into. */
    private void changed() throws TransferException {
        if (source != null) {
            source.sessionChanged(session);
        }
    }

    private static boolean unreachable(IOException e) {
        return e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException
                || (e instanceof SocketTimeoutException && String.valueOf(e.getMessage()).contains("connect"));
    }

    private URI target() throws TransferException {
        return session == null ? destination : HostIds.apply(session.url(), session.hostId());
    }

    private Map<String, String> fragmentHeaders(long first, long length, long total) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("BITS-Session-Id", session.id());
        h.put("Content-Range", length == 0 ? "bytes */0" : "bytes " + first + "-" + (first + length - 1) + "/" + total);
        String name = source.name();
        if (name != null && name.length() <= MAX_CONTENT_NAME && !name.isEmpty()
                && !BAD_CONTENT_NAME.matcher(name).find()) {
            // [MC-BUP] appendix A: at most 260 characters, none of \ / : * ? " < > |; ASCII for a header.
            h.put("Content-Name", name);
        }
        return h;
    }

    /**
     * A fragment's body: {@code length} bytes of the file from {@code first}, read as they are sent, paced; or sent
     * straight from the file's channel where the packet sender can ({@link PacketSender.FileRange}).
     */
    private final class FragmentBody extends RequestBody implements PacketSender.FileRange {
        private final long first;
        private final long length;

        FragmentBody(long first, long length) {
            this.first = first;
            this.length = length;
        }

        @Override
        public java.nio.channels.FileChannel channel() {
            return source.channel();
        }

        @Override
        public long position() {
            return first;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public MediaType contentType() {
            return null;
        }

        @Override
        public long contentLength() {
            return length;
        }

        /**
         * One-shot, so that OkHttp never sends a fragment again by itself (after a reset, on a fresh connection):
         * the client asks again with a probe instead, and only what did not reach the server goes twice. A fragment
         * is never what answers a challenge: a body-less packet to the same origin always goes first.
         */
        @Override
        public boolean isOneShot() {
            return true;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            long position = first;
            long end = first + length;
            Pacer pacer = context.pacer();
            while (position < end) {
                if (context.isStopped()) {
                    throw new PacketSender.Stopped();
                }
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                int n;
                try {
                    n = source.read(buffer, position);
                } catch (TransferException e) {
                    throw new PacketSender.SourceFailure(e);
                }
                if (n < 0) {
                    throw new PacketSender.SourceFailure(TransferException.fatal(HResult.BG_E_LOCAL_FILE_CHANGED,
                            ErrorContext.LOCAL_FILE, "the file to upload ended at byte " + position + " of "
                                    + end + ": it changed during the upload", null));
                }
                buffer.flip();
                pacer.pace(n);
                while (buffer.hasRemaining()) {
                    sink.write(buffer);
                }
                position += n;
            }
        }
    }

    // ------------------------------------------------------------------ reading acks

    private static long received(BitsAck ack, long total, URI url) throws TransferException {
        long held = ack.received();
        if (held < 0 || held > total) {
            throw TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                    "the server at " + Redacted.uri(url) + " acknowledged a fragment with "
                            + (held < 0 ? "no readable BITS-Received-Content-Range" : "byte " + held + " of a "
                            + total + "-byte file"), null);
        }
        return held;
    }

    private static URI replyUrl(URI base, String value) throws TransferException {
        try {
            URI u = base.resolve(value);
            String scheme = String.valueOf(u.getScheme()).toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                "the server at " + Redacted.uri(base) + " named a reply at '" + printable(value)
                        + "', which is not an HTTP(S) URL", null);
    }

    /** A session id is up to 100 characters of HTTP-legal text ([MC-BUP]; GUIDs on Windows), sent back as given. */
    private static String checkSessionId(String id, URI url) throws TransferException {
        boolean legal = id != null && id.length() <= 100
                && id.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f));
        if (!legal) {
            throw TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                    "the server at " + Redacted.uri(url) + " created a session "
                            + (id == null ? "without a BITS-Session-Id" : "with an id that is not up to 100"
                            + " characters of printable ASCII"), null);
        }
        return id;
    }

    private static boolean sameGuid(String a, String b) {
        return bare(a).equalsIgnoreCase(bare(b));
    }

    private static String bare(String guid) {
        String g = guid.trim();
        return g.startsWith("{") && g.endsWith("}") ? g.substring(1, g.length() - 1).trim() : g;
    }

    private static String printable(String s) {
        String t = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    /** A refusal: the server's code and context; 5xx (but BG_E_TOO_LARGE), 408 and 429 are retried. */
    private static TransferException refusal(BitsAck ack, String what, URI url) {
        int hr = ack.hresult();
        int status = ack.status();
        boolean retry = (status >= 500 || status == 408 || status == 429) && hr != HResult.BG_E_TOO_LARGE;
        String by = ack.errorContext() == ErrorContext.REMOTE_APPLICATION ? "the server's application at " : "";
        return new TransferException(hr, ack.errorContext(), retry, what + " was refused with HTTP " + status + " "
                + HResult.name(hr) + " (" + HResult.hex(hr) + ") by " + by + Redacted.uri(url), ack.retryAfter(), null);
    }
}
