package org.jbits.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.jbits.file.SafeFile;

/**
 * Serves a session's reply file at {@code BITS-Reply-URL} ({@code /.jbits-reply/<session guid>}) as BITS downloads
 * need it ([MC-BUP] §2.3, "HTTP requirements for BITS downloads"): HEAD gives the size, GET honours a single
 * {@code Range} (also {@code bytes=N-} and {@code bytes=-N}) with {@code 206} and {@code Content-Range}, a strong
 * ETag makes {@code If-Range} work, and an unsatisfiable range is 416 with {@code bytes *}{@code /size}. A request for
 * several ranges gets the whole file (200), which BITS accepts. The reply exists from the final fragment's ack to
 * Close-Session (or the session's expiry).
 */
final class ReplyServer {
    static final String PREFIX = "/.jbits-reply/";

    private final SessionStore store;

    ReplyServer(SessionStore store) {
        this.store = store;
    }

    /** The reply URL's path for a session. */
    static String pathFor(UploadSession s) {
        return PREFIX + UploadSession.bareId(s.id);
    }

    void serve(Request request, Response response, Callback callback, String rawPath) throws BitsError {
        UploadSession s = store.find(Packet.canonicalId(rawPath.substring(PREFIX.length())));
        UploadSession.Reply reply = s == null ? null : s.reply;
        if (reply == null || reply.staticUrl() != null) {
            throw BitsError.notFound("no reply at " + rawPath);
        }
        SafeFile f;
        try {
            f = store.files().openReply(s);
        } catch (IOException e) {
            throw BitsError.local("cannot open the reply of session " + s.id, e);
        }
        if (f == null) {
            throw BitsError.notFound("no reply at " + rawPath);
        }
        boolean handedOver = false;
        try {
            long size = f.size();
            String etag = "\"" + UploadSession.bareId(s.id) + "-" + size + "\"";
            response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
            response.getHeaders().put(HttpHeader.ETAG, etag);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            long first = 0;
            long length = size;
            String range = request.getHeaders().get(HttpHeader.RANGE);
            String ifRange = request.getHeaders().get(HttpHeader.IF_RANGE);
            if (range != null && (ifRange == null || ifRange.trim().equals(etag))) {
                long[] r = parseRange(range, size);
                if (r != null && r.length == 0) {
                    response.setStatus(416);
                    response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, "0");
                    response.write(true, BufferUtil.EMPTY_BUFFER, callback);
                    return;
                }
                if (r != null) {
                    first = r[0];
                    length = r[1] - r[0] + 1;
                    response.setStatus(206);
                    response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + r[0] + "-" + r[1] + "/" + size);
                }
            }
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(length));
            if (request.getMethod().equals("HEAD") || length == 0) {
                response.write(true, BufferUtil.EMPTY_BUFFER, callback);
                return;
            }
            FileChannel ch = f.readChannel();
            SafeFile held = f;
            Callback done = Callback.from(callback, () -> closeQuietly(ch, held));
            handedOver = true;
            Content.copy(Content.Source.from(new ByteBufferPool.Sized(request.getComponents().getByteBufferPool(),
                    false, 64 << 10), ch, first, length), response, done);
        } catch (IOException e) {
            throw BitsError.local("cannot read the reply of session " + s.id, e);
        } finally {
            if (!handedOver) {
                f.close();
            }
        }
    }

    private static void closeQuietly(FileChannel ch, SafeFile f) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // read-only
        }
        f.close();
    }

    /**
     * The one range {@code header} asks for as {first, last}; an empty array when it cannot be satisfied; null to
     * serve the whole file (no valid single byte range).
     */
    static long[] parseRange(String header, long size) {
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0) {
            return null;
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) {
                    return new long[0];
                }
                return new long[]{Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (first >= size || last < first) {
                return new long[0];
            }
            return new long[]{first, last};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
