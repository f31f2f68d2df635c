package org.jbits.transport;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * Sends one upload's packets: {@code BITS_POST} requests with the job's custom headers and the packet's own, one at a
 * time, each answered by a {@link BitsAck}.
 *
 * <ul>
 *   <li>Redirects are followed here, keeping the method and the body (OkHttp would turn a non-GET into a GET on
 *       301, 302 and 303), at most {@value #MAX_REDIRECTS} times, never from HTTPS to HTTP (BITS' default policy);
 *       the URL that finally answered is returned, so that a session lives where Create-Session was answered.</li>
 *   <li>Credentials answer a challenge (401, 407) once, as for downloads; the answer that worked is then sent with
 *       the later packets to the same origin, so that a fragment's body does not go out twice, once to be refused
 *       (RFC 7617's protection space: what one challenge asked for holds for the origin).</li>
 *   <li>Stopping the transfer cancels the packet in flight.</li>
 *   <li>A Fragment whose body is a range of a file ({@link FileRange}) to an {@code http://} URL that no proxy
 *       serves goes straight from the file to the socket ({@link FileFragmentSender}), the same request OkHttp would
 *       write; its redirects are followed as any packet's, under the job's redirect policy as OkHttp's interceptor
 *       applies it ({@link HttpTransport#refuseRedirect}). A challenge (401) is the answer, as it is through OkHttp
 *       for a one-shot body: the credentials are learned from a body-less packet before any fragment.</li>
 * </ul>
 */
final class PacketSender implements AutoCloseable {
    static final String BITS_POST = "BITS_POST";
    private static final int MAX_REDIRECTS = 10;

    /** The ack and the URL that gave it (after redirects). */
    record Answer(URI url, BitsAck ack) {
    }

    /** A failure of the local file while a body was being sent. A ProtocolException, so OkHttp does not retry it. */
    static final class SourceFailure extends ProtocolException {
        private static final long serialVersionUID = 1L;
        final transient TransferException cause;

        SourceFailure(TransferException cause) {
            super(cause.getMessage());
            this.cause = cause;
        }
    }

    /** The transfer was stopped while a body was being sent. A ProtocolException, so OkHttp does not retry it. */
    static final class Stopped extends ProtocolException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("the transfer was stopped");
        }
    }

    /** A body that is {@link #length} bytes of a file from {@link #position}. */
    interface FileRange {
        /** The file, or null when the body is not read from one. */
        java.nio.channels.FileChannel channel();

        long position();

        long length();
    }

    private final OkHttpClient client;
    /** Made at the first packet that can go straight from its file; closed with this sender. */
    private FileFragmentSender fromFile;
    private final TransferContext context;
    private final AtomicReference<Call> current = new AtomicReference<>();
    /** Per origin ({@code scheme://host:port}), the Authorization a challenge was answered with. */
    private final Map<String, String> learned = new HashMap<>();
    /** Per origin, the Proxy-Authorization the proxy for it was answered with (never sent where no proxy asked). */
    private final Map<String, String> learnedProxy = new HashMap<>();

    PacketSender(OkHttpClient client, TransferContext context) {
        this.client = client;
        this.context = context;
        context.onStop(() -> {
            Call c = current.get();
            if (c != null) {
                c.cancel();
            }
            FileFragmentSender f;
            synchronized (this) {
                f = fromFile;
            }
            if (f != null) {
                f.close();
            }
        });
    }

    /**
     * Sends {@code BITS_POST url} as packet {@code type} with {@code headers} (which win over custom headers of the
     * same name) and {@code body}.
     *
     * @throws Stopped when the transfer was stopped
     * @throws SourceFailure when the local file failed while the body was sent
     * @throws IOException when the connection failed
     * @throws TransferException for a redirect BITS does not follow
     */
    Answer send(URI url, String type, Map<String, String> headers, RequestBody body)
            throws IOException, TransferException {
        URI target = url;
        for (int hop = 0; ; hop++) {
            if (context.isStopped()) {
                throw new Stopped();
            }
            Request.Builder rb = new Request.Builder().url(target.toString()).method(BITS_POST, body);
            for (TransferContext.Header h : context.headers()) {
                rb.addHeader(h.name(), h.value());
            }
            rb.header(BitsAck.PACKET_TYPE, type);
            headers.forEach(rb::header);
            String auth = learned.get(origin(target));
            if (auth != null) {
                rb.header("Authorization", auth);
            }
            String proxyAuth = learnedProxy.get(origin(target));
            if (proxyAuth != null) {
                rb.header("Proxy-Authorization", proxyAuth);
            }
            Request request = rb.build();
            if (body instanceof FileRange range && range.channel() != null && direct(request)) {
                FileFragmentSender.Answer a;
                try {
                    a = fileSender().post(request.url(), request.headers(), range.channel(), range.position(),
                            range.length(), context.pacer());
                } catch (IOException e) {
                    if (context.isStopped()) {
                        throw new Stopped();
                    }
                    throw e;
                }
                okhttp3.Headers h = isRedirect(a.status())
                        ? HttpTransport.refuseRedirect(context.tls().securityFlags(), request.url(), a.headers())
                        : a.headers();
                if (isRedirect(a.status()) && h.get("Location") != null) {
                    if (hop + 1 >= MAX_REDIRECTS) {
                        throw tooManyRedirects(type, url);
                    }
                    target = redirect(target, h.get("Location"), type);
                    continue;
                }
                return new Answer(target, BitsAck.of(a.status(), h));
            }
            Call call = client.newCall(request);
            current.set(call);
            if (context.isStopped()) {
                throw new Stopped();
            }
            try (Response r = call.execute()) {
                learn(r, target);
                int code = r.code();
                if (isRedirect(code) && r.header("Location") != null) {
                    if (hop + 1 >= MAX_REDIRECTS) {
                        throw tooManyRedirects(type, url);
                    }
                    target = redirect(target, r.header("Location"), type);
                    continue;
                }
                return new Answer(target, BitsAck.of(code, r.headers()));
            } catch (IOException e) {
                if (context.isStopped()) {
                    throw new Stopped();
                }
                throw e;
            } finally {
                current.compareAndSet(call, null);
            }
        }
    }

    /** Closes the connection packets went straight from their files on. */
    @Override
    public void close() {
        FileFragmentSender f;
        synchronized (this) {
            f = fromFile;
            fromFile = null;
        }
        if (f != null) {
            f.release();
        }
    }

    private synchronized FileFragmentSender fileSender() {
        if (fromFile == null) {
            fromFile = new FileFragmentSender(client.connectTimeoutMillis(), client.writeTimeoutMillis(),
                    client.readTimeoutMillis());
            if (context.isStopped()) {
                fromFile.close(); // a stop that came before it was there: its packet fails at once
            }
        }
        return fromFile;
    }

    /**
     * Plain HTTP with no proxy for it, and none of the headers OkHttp would act on itself (a job's own Host,
     * Connection, Expect or Transfer-Encoding): what a socket of our own carries as OkHttp would.
     */
    private boolean direct(Request request) {
        HttpUrl url = request.url();
        if (!url.scheme().equals("http")) {
            return false;
        }
        for (String name : List.of("Host", "Connection", "Expect", "Transfer-Encoding")) {
            if (request.header(name) != null) {
                return false;
            }
        }
        Proxy p = client.proxy();
        if (p != null) {
            return p.type() == Proxy.Type.DIRECT;
        }
        List<Proxy> selected = client.proxySelector().select(url.uri());
        return selected != null && !selected.isEmpty() && selected.stream().allMatch(x -> x.type() == Proxy.Type.DIRECT);
    }

    private static TransferException tooManyRedirects(String type, URI url) {
        return TransferException.fatal(HResult.ERROR_WINHTTP_REDIRECT_FAILED, ErrorContext.REMOTE_FILE,
                type + " was redirected more than " + MAX_REDIRECTS + " times from " + Redacted.uri(url), null);
    }

    private static boolean isRedirect(int code) {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }

    private static URI redirect(URI from, String location, String type) throws TransferException {
        URI to;
        try {
            to = from.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw TransferException.fatal(HResult.ERROR_WINHTTP_REDIRECT_FAILED, ErrorContext.REMOTE_FILE,
                    type + " was redirected to an invalid URL: " + Redacted.text(location), null);
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || to.getHost() == null) {
            throw TransferException.fatal(HResult.ERROR_WINHTTP_REDIRECT_FAILED, ErrorContext.REMOTE_FILE,
                    type + " was redirected to " + Redacted.uri(to) + ", which is not an HTTP(S) URL", null);
        }
        if ("https".equalsIgnoreCase(from.getScheme()) && scheme.equals("http")) {
            throw TransferException.fatal(HResult.ERROR_WINHTTP_REDIRECT_FAILED, ErrorContext.REMOTE_FILE,
                    type + " was redirected from HTTPS to HTTP (" + Redacted.uri(to) + "); BITS does not follow that",
                    null);
        }
        return to;
    }

    /** Keeps the credentials a challenge of this response's chain was answered with. */
    private void learn(Response r, URI target) {
        if (r.priorResponse() == null || r.code() == 401 || r.code() == 407) {
            return;
        }
        String auth = r.request().header("Authorization");
        if (auth != null && context.serverCredentials() != null) {
            learned.put(origin(target), auth);
        }
        String proxy = r.request().header("Proxy-Authorization");
        if (proxy != null && context.proxyCredentials() != null) {
            learnedProxy.put(origin(target), proxy);
        }
    }

    private static String origin(URI u) {
        int port = u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
        return u.getScheme().toLowerCase(Locale.ROOT) + "://" + String.valueOf(u.getHost()).toLowerCase(Locale.ROOT)
                + ":" + port;
    }
}
