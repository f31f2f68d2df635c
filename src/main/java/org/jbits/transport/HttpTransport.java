package org.jbits.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.SecurityFlags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP and HTTPS over OkHttp. Downloads are resumable: a partial file continues with {@code Range} and
 * {@code If-Range} (a strong ETag, else Last-Modified). A server that ignores the range (200), or a file that
 * changed (a 200 to If-Range, a different total), restarts the file from byte 0; an error body or a 416 is never
 * written into the file. Uploads speak the BITS upload protocol ({@link BitsUploadClient}), with the same proxies,
 * credentials and custom headers.
 */
public final class HttpTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(HttpTransport.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)");
    /** [MC-BUP] §3.1.2: how long a client waits for a packet's ack (a back-end application may take minutes). */
    static final Duration UPLOAD_RESPONSE_TIMEOUT = Duration.ofMinutes(5);
    /** [MC-BUP] §3.1.2: how long sending a packet may stall. */
    static final Duration UPLOAD_REQUEST_TIMEOUT = Duration.ofMinutes(2);

    /**
     * The shared client, built when a transfer first needs it: building it loads the JVM's trust store (a few hundred
     * milliseconds), which an agent started for a {@code jbits get} should not wait for.
     */
    private final SharedClient shared;
    /** The clock the BITS-Host-Id fallback timeout runs on, and the one fragment timings are measured with. */
    private final Clock clock;
    private final LongSupplier nanoTime;
    /** The JVM's trust manager, looked up once when a job first needs its issuers. */
    private volatile X509TrustManager systemTrust;

    /** A transport with its own client: timeouts in milliseconds; servers are checked against the JVM's trust store. */
    public HttpTransport(long connectTimeoutMillis, long readTimeoutMillis) {
        this(new SharedClient(() -> builder(connectTimeoutMillis, readTimeoutMillis).build()), Clock.systemUTC(),
                System::nanoTime);
    }

    private HttpTransport(SharedClient shared, Clock clock, LongSupplier nanoTime) {
        this.shared = shared;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /** This transport (the same connections) with another clock: tests drive the host-id fallback timeout. */
    public HttpTransport withClock(Clock clock, LongSupplier nanoTime) {
        return new HttpTransport(shared, clock, nanoTime);
    }

    /**
     * A transport whose HTTPS connections trust what {@code trustManager} trusts (a private CA, say) instead of the
     * JVM's trust store; {@code sslSocketFactory} must come from an SSLContext initialised with that trust manager.
     */
    public HttpTransport(long connectTimeoutMillis, long readTimeoutMillis, SSLSocketFactory sslSocketFactory,
            X509TrustManager trustManager) {
        this(new SharedClient(() -> builder(connectTimeoutMillis, readTimeoutMillis)
                .sslSocketFactory(sslSocketFactory, trustManager).build()), Clock.systemUTC(), System::nanoTime);
        this.systemTrust = trustManager;
    }

    private static OkHttpClient.Builder builder(long connectTimeoutMillis, long readTimeoutMillis) {
        return new OkHttpClient.Builder()
                .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
                .readTimeout(Duration.ofMillis(readTimeoutMillis))
                .writeTimeout(Duration.ofMillis(readTimeoutMillis))
                .followRedirects(true)
                .followSslRedirects(true)
                // The engine owns retries after a failure (TransientError, MinimumRetryDelay). This is something
                // else: a request that fails on a pooled keep-alive connection the server has closed meanwhile
                // (nginx after 75 s, Apache after 5 s, any reload), or on one of several addresses of a host, is
                // sent again at once on a fresh connection, as browsers and curl do. OkHttp retries only what
                // is safe to retry: not a timeout once the request was sent, not a TLS certificate failure.
                .retryOnConnectionFailure(true)
                .proxySelector(new ProxySelectors.Environment(System.getenv()))
                .socketFactory(new ReadBufferedSocketFactory());
    }

    @Override
    public boolean handles(URI uri) {
        String s = uri.getScheme();
        return "http".equalsIgnoreCase(s) || "https".equalsIgnoreCase(s);
    }

    @Override
    public boolean uploads() {
        return true;
    }

    /** One attempt at an upload over the BITS upload protocol, continuing the source's session. */
    @Override
    public void upload(URI destination, UploadSource source, TransferContext context) throws TransferException {
        try (PacketSender packets = new PacketSender(packetClient(context), context)) {
            new BitsUploadClient(packets, this, destination, source, context, clock, nanoTime).run();
        }
    }

    /** Cancel-Session, best effort (one packet, failures logged). */
    @Override
    public void cancelUpload(UploadSession session, TransferContext context) {
        OkHttpClient c;
        try {
            c = packetClient(context);
        } catch (TransferException e) {
            log.warn("Cancel-Session of {} not sent: {}", Redacted.uri(session.url()), e.getMessage());
            return;
        }
        try (PacketSender packets = new PacketSender(c, context)) {
            new BitsUploadClient(packets, this, session.url(), null, context, clock, nanoTime).cancel(session);
        }
    }

    /**
     * The job's client for {@code BITS_POST} packets: redirects are the packet sender's (to keep the method), and
     * the protocol's own timeouts apply.
     */
    private OkHttpClient packetClient(TransferContext context) throws TransferException {
        // Uploads are not paced by the idle controller (its receive window cannot slow what we send): ordinary sockets.
        return unpacedClientFor(context).newBuilder().followRedirects(false).followSslRedirects(false)
                .readTimeout(UPLOAD_RESPONSE_TIMEOUT).writeTimeout(UPLOAD_REQUEST_TIMEOUT).build();
    }

    /** What a download does with the job's client. */
    private interface WithClient<T> {
        T run(OkHttpClient client) throws TransferException;
    }

    /**
     * Runs {@code work} with the job's client (a job's own settings that cannot make one are fatal,
     * GeneralTransport context); a client of the job's own, not the shared one, has its connections closed after.
     */
    private <T> T withClient(TransferContext context, WithClient<T> work) throws TransferException {
        OkHttpClient c;
        try {
            c = clientFor(context);
        } catch (org.jbits.BitsException e) {
            throw TransferException.fatal(e.hresult(), ErrorContext.GENERAL_TRANSPORT, e.detail(), e);
        }
        try {
            return work.run(c);
        } finally {
            if (c.connectionPool() != shared.get().connectionPool()) {
                c.connectionPool().evictAll();
            }
        }
    }

    @Override
    public void download(URI source, DownloadTarget target, TransferContext context) throws TransferException {
        withClient(context, c -> {
            download(c, source, target, context);
            return null;
        });
    }

    private void download(OkHttpClient c, URI source, DownloadTarget target, TransferContext context)
            throws TransferException {
        long offset = target.offset();
        String validator = target.validator();
        boolean resume = offset > 0 && validator != null;
        // Two rounds at most: a resume the server refuses (416, or a range we did not ask for) is retried from 0.
        for (int round = 0; round < 2; round++) {
            Request.Builder rb = new Request.Builder().url(source.toString()).get()
                    // Identity: a transparently gunzipped body has no byte offsets to resume at.
                    .header("Accept-Encoding", "identity");
            for (TransferContext.Header h : context.headers()) {
                rb.addHeader(h.name(), h.value());
            }
            if (resume) {
                rb.header("Range", "bytes=" + offset + "-");
                rb.header("If-Range", validator);
            }
            Call call = c.newCall(rb.build());
            context.onStop(call::cancel);
            if (context.isStopped()) {
                return;
            }
            try (Response response = call.execute()) {
                target.responseHeaders(headersOf(response));
                int code = response.code();
                String refused = response.header(REFUSED_REDIRECT);
                if (refused != null) {
                    throw TransferException.fatal(HResult.ofHttpStatus(code), ErrorContext.REMOTE_FILE, refused, null);
                }
                reportRedirect(source, response, context);
                if (code == 206 && resume) {
                    long[] range = parseContentRange(response.header("Content-Range"));
                    String newValidator = validatorOf(response);
                    if (range == null || range[0] != offset) {
                        log.debug("{}: unexpected Content-Range {}, restarting from 0", Redacted.uri(source), response.header("Content-Range"));
                        resume = false;
                        continue;
                    }
                    if (newValidator != null && !newValidator.equals(validator)) {
                        // A server that ignored If-Range sent a slice of another version: appending it would mix two files.
                        log.debug("{}: partial response for {} instead of {}, restarting from 0", Redacted.uri(source), newValidator, validator);
                        resume = false;
                        continue;
                    }
                    long total = range[2];
                    target.begin(total, validator, false);
                    copyBody(response.body(), target, total, context, source);
                    return;
                } else if (code == 200 || (code == 206 && !resume)) {
                    if (code == 206) {
                        throw TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                                "the server sent a partial response to a request without Range", null);
                    }
                    long total = response.body() == null ? -1 : response.body().contentLength();
                    target.begin(total, validatorOf(response), true);
                    copyBody(response.body(), target, total, context, source);
                    return;
                } else if (code == 416 && resume) {
                    Matcher m = UNSATISFIED_RANGE.matcher(String.valueOf(response.header("Content-Range")));
                    if (m.find() && Long.parseLong(m.group(1)) == offset) {
                        // Everything was already here: the last checkpoint fell exactly at the end.
                        target.begin(offset, validator, false);
                        target.finish();
                        return;
                    }
                    resume = false;
                    continue;
                }
                throw statusError(response, source);
            } catch (TransferException e) {
                throw e;
            } catch (IOException e) {
                if (context.isStopped()) {
                    return;
                }
                throw networkError(e, source);
            }
        }
        throw TransferException.fatal(HResult.BG_E_INSUFFICIENT_RANGE_SUPPORT, ErrorContext.REMOTE_FILE,
                "the server does not answer range requests consistently for " + Redacted.uri(source), null);
    }

    @Override
    public void downloadRanges(URI source, java.util.List<org.jbits.BitsFileRange> ranges, DownloadTarget target,
            TransferContext context) throws TransferException {
        withClient(context, c -> {
            new HttpRanges(c, probeClient(context), source, ranges, target, context).download();
            return null;
        });
    }

    @Override
    public RangeSink.Outcome fetchRange(URI source, long first, long last, String ifRange, RangeSink sink,
            TransferContext context) throws TransferException {
        return withClient(context,
                c -> new HttpRangeFetch(c, probeClient(context), source, context).fetch(first, last, ifRange, sink));
    }

    /** The status line and headers of {@code response}, CRLF-separated, as WinHTTP's raw headers read. */
    static String headersOf(Response response) {
        String protocol = switch (response.protocol()) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2, H2_PRIOR_KNOWLEDGE -> "HTTP/2";
            default -> response.protocol().toString().toUpperCase(java.util.Locale.ROOT);
        };
        StringBuilder b = new StringBuilder(protocol).append(' ').append(response.code());
        if (!response.message().isEmpty()) {
            b.append(' ').append(response.message());
        }
        b.append("\r\n");
        okhttp3.Headers headers = response.headers();
        for (int i = 0; i < headers.size(); i++) {
            b.append(headers.name(i)).append(": ").append(headers.value(i)).append("\r\n");
        }
        return b.toString();
    }

    /** Under BITS' ALLOW_REPORT policy the file's remote name becomes the URL the file came from at last. */
    static void reportRedirect(URI source, Response response, TransferContext context) {
        if (SecurityFlags.redirectPolicy(context.tls().securityFlags()) != SecurityFlags.REDIRECT_POLICY_ALLOW_REPORT
                || !response.isSuccessful()) {
            return;
        }
        URI finalUri = response.request().url().uri();
        if (!finalUri.equals(source)) {
            context.redirected(finalUri);
        }
    }

    private void copyBody(ResponseBody body, DownloadTarget target, long total, TransferContext context, URI source)
            throws TransferException, IOException {
        if (body == null) {
            throw TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                    "the server sent no body for " + Redacted.uri(source), null);
        }
        // The body goes straight into the target's staging buffers; whatever arrived before an IOException is
        // already there and is kept, so the retry asks only for the rest.
        // Stopping (Suspend, Cancel, preemption) is a volatile read, checked before every read.
        BufferedSource in = body.source();
        Pacer pacer = context.pacer();
        int n;
        try (LatencyProbe probe = LatencyProbe.start(probeClient(context), source, pacer, context.headers())) {
            while (!context.isStopped() && (n = target.readFrom(in)) >= 0) {
                // The target counts and stages what each read brought; the pacer holds the loop back to the job's rate.
                pacer.pace(n);
            }
        }
        if (context.isStopped()) {
            return;
        }
        if (total >= 0 && target.position() != total) {
            throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.GENERAL_TRANSPORT,
                    "the connection closed after " + target.position() + " of " + total + " bytes of " + Redacted.uri(source), null);
        }
        target.finish();
    }

    /** A strong ETag, else Last-Modified: what If-Range may carry (RFC 9110 §13.1.5). */
    static String validatorOf(Response response) {
        String etag = response.header("ETag");
        if (etag != null && !etag.startsWith("W/") && etag.startsWith("\"")) {
            return etag;
        }
        return response.header("Last-Modified");
    }

    /** [first, last, total] of a {@code Content-Range} header; total is -1 when the server sent '*'. */
    static long[] parseContentRange(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = CONTENT_RANGE.matcher(header.trim());
        if (!m.matches()) {
            return null;
        }
        long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
        return new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), total};
    }

    /** 4xx is fatal (but 408 and 429, which ask to come back later), 5xx transient, as BITS does. */
    static TransferException statusError(Response response, URI source) {
        int code = response.code();
        int hr = HResult.ofHttpStatus(code);
        String msg = "HTTP " + code + " " + response.message() + " for " + Redacted.uri(source);
        boolean retry = code >= 500 || code == 408 || code == 429;
        Duration retryAfter = retry ? parseRetryAfter(response.header("Retry-After")) : null;
        return new TransferException(hr, ErrorContext.REMOTE_FILE, retry, msg, retryAfter, null);
    }

    /** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(when.getZone()), when);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException e2) {
                return null;
            }
        }
    }

    static TransferException networkError(IOException e, URI source) {
        String where = " (" + source.getHost() + ")";
        if (e instanceof UnknownHostException) {
            return TransferException.transientError(HResult.ERROR_WINHTTP_NAME_NOT_RESOLVED, ErrorContext.GENERAL_TRANSPORT,
                    "the server name could not be resolved" + where, e);
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return TransferException.transientError(HResult.BG_E_CONNECT_FAILURE, ErrorContext.GENERAL_TRANSPORT,
                    "the connection to the server failed" + where + ": " + Redacted.text(e.getMessage()), e);
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return TransferException.transientError(HResult.ERROR_WINHTTP_TIMEOUT, ErrorContext.GENERAL_TRANSPORT,
                    "the server did not answer in time" + where, e);
        }
        if (e instanceof SSLException ssl) {
            return TlsErrors.of(ssl, source);
        }
        if (e instanceof HttpAuthenticator.Unavailable u) {
            return TransferException.fatal(HResult.ofHttpStatus(u.proxy ? 407 : 401), ErrorContext.REMOTE_FILE,
                    u.getMessage() + where, e);
        }
        if ("Failed to authenticate with proxy".equals(e.getMessage())) {
            // OkHttp's words for a CONNECT the proxy answered 407 to, and that the job's credentials could not pass.
            return TransferException.fatal(HResult.ofHttpStatus(407), ErrorContext.REMOTE_FILE,
                    "HTTP 407 Proxy Authentication Required: the proxy refused the tunnel to" + where
                    + " (no proxy credentials for the schemes it offers, or wrong ones)", e);
        }
        return TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.GENERAL_TRANSPORT,
                "the connection was interrupted" + where + ": " + Redacted.text(e.getMessage()), e);
    }

    /** The header a network interceptor puts on a redirect the job's policy refuses (its Location removed). */
    static final String REFUSED_REDIRECT = "X-Jbits-Refused-Redirect";

    /**
     * {@link #unpacedClientFor}, and for a paced transfer sockets of its own ({@link ReadBufferedSocketFactory#paced}:
     * a small receive buffer set before connect) in a pool of its own.
     */
    private OkHttpClient clientFor(TransferContext context) throws TransferException {
        OkHttpClient c = unpacedClientFor(context);
        Pacer pacer = context.pacer();
        if (pacer.receiveBuffer() <= 0) {
            return c;
        }
        // A pool of its own: OkHttp's pool does not tell connections apart by their socket factory, so in the shared
        // pool a paced transfer could pick up an ordinary connection (its probe's, a Foreground job's) and a
        // Foreground job could inherit a connection with a tiny receive buffer.
        return c.newBuilder().connectionPool(new okhttp3.ConnectionPool(1, 1, java.util.concurrent.TimeUnit.SECONDS))
                .socketFactory(ReadBufferedSocketFactory.paced(pacer)).build();
    }

    /** The client of the latency probe: the job's proxy, credentials and TLS options, ordinary sockets. */
    private OkHttpClient probeClient(TransferContext context) throws TransferException {
        return unpacedClientFor(context);
    }

    /**
     * The shared client, or a variant of it (same pool and threads) with the job's proxy, credentials, TLS options
     * and redirect policy. Connections are shared only between equal TLS settings (OkHttp keys its pool by them), so
     * a job with a client certificate or relaxed checks never hands its connection to another.
     */
    private OkHttpClient unpacedClientFor(TransferContext context) throws TransferException {
        ProxySettings proxy = context.proxy();
        if (proxy != null && proxy.usage() == ProxyUsage.AUTO_DETECT) {
            throw TransferException.fatal(HResult.BG_E_INVALID_PROXY_INFO, ErrorContext.GENERAL_TRANSPORT,
                    "proxy auto-detection (WPAD and PAC scripts) is not available on this platform; give the job"
                    + " proxy usage system-default (the agent's http_proxy, https_proxy, no_proxy), no-proxy or"
                    + " override with a proxy list", null);
        }
        boolean defaultProxy = proxy == null || proxy.usage() == ProxyUsage.SYSTEM_DEFAULT;
        TlsOptions tls = context.tls();
        boolean defaultRedirects = SecurityFlags.redirectPolicy(tls.securityFlags()) != SecurityFlags.REDIRECT_POLICY_DISALLOW
                && (tls.securityFlags() & SecurityFlags.REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP) != 0;
        if (defaultProxy && context.serverCredentialList().isEmpty() && context.proxyCredentialList().isEmpty()
                && tls.isDefault() && defaultRedirects) {
            return shared.get();
        }
        OkHttpClient.Builder b = shared.get().newBuilder();
        if (!defaultProxy) {
            if (proxy.usage() == ProxyUsage.NO_PROXY) {
                b.proxy(Proxy.NO_PROXY);
            } else {
                b.proxySelector(new ProxySelectors.Listed(proxy.proxyList(), proxy.bypassList()));
            }
        }
        if (!context.serverCredentialList().isEmpty()) {
            b.authenticator(new HttpAuthenticator(context.serverCredentialList(), false));
        }
        if (!context.proxyCredentialList().isEmpty()) {
            b.proxyAuthenticator(new HttpAuthenticator(context.proxyCredentialList(), true));
        }
        if (!tls.isDefault()) {
            TlsSetup setup = TlsSetup.of(tls, systemTrust());
            b.sslSocketFactory(setup.socketFactory(), setup.trustManager());
            if (setup.hostnameVerifier() != null) {
                b.hostnameVerifier(setup.hostnameVerifier());
            }
        }
        if (!defaultRedirects) {
            b.addNetworkInterceptor(redirectPolicy(tls.securityFlags()));
        }
        return b.build();
    }

    private X509TrustManager systemTrust() {
        X509TrustManager t = systemTrust;
        if (t == null) {
            t = TlsSetup.systemTrustManager();
            systemTrust = t;
        }
        return t;
    }

    /**
     * BITS' redirect policy on each hop: DISALLOW refuses every redirect, and without ALLOW_HTTPS_TO_HTTP a redirect
     * from HTTPS to plain HTTP is refused too. A refused redirect reaches the transfer as it is, without its
     * Location (so OkHttp does not follow it) and marked, and fails the job with its status.
     */
    private static okhttp3.Interceptor redirectPolicy(int flags) {
        return chain -> {
            Response r = chain.proceed(chain.request());
            String location = r.header("Location");
            if (!r.isRedirect() || location == null) {
                return r;
            }
            okhttp3.Headers kept = refuseRedirect(flags, r.request().url(), r.headers());
            return kept == r.headers() ? r : r.newBuilder().headers(kept).build();
        };
    }

    /**
     * The headers of a redirect of a request to {@code from} as the job's policy ({@code flags}) lets it be followed:
     * as they are, or, when the policy refuses it, without {@code Location} and with {@link #REFUSED_REDIRECT}
     * saying why.
     */
    static okhttp3.Headers refuseRedirect(int flags, okhttp3.HttpUrl from, okhttp3.Headers headers) {
        String location = headers.get("Location");
        if (location == null) {
            return headers;
        }
        okhttp3.HttpUrl target = from.resolve(location);
        String refused = null;
        if (SecurityFlags.redirectPolicy(flags) == SecurityFlags.REDIRECT_POLICY_DISALLOW) {
            refused = "the server redirected the request to " + (target == null ? "'" + location + "'"
                    : Redacted.text(target.toString())) + " and the job's redirect policy disallows redirects";
        } else if (target != null && from.isHttps() && !target.isHttps()
                && (flags & SecurityFlags.REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP) == 0) {
            refused = "the server redirected the HTTPS request to plain HTTP (" + Redacted.text(target.toString())
                    + "), which the job's security flags do not allow (allow-https-to-http)";
        }
        if (refused == null) {
            return headers;
        }
        return headers.newBuilder().removeAll("Location").set(REFUSED_REDIRECT, refused).build();
    }

    /** One OkHttpClient built on first use and shared by this transport and its {@link #withClock} copies. */
    private static final class SharedClient {
        private final java.util.function.Supplier<OkHttpClient> factory;
        private volatile OkHttpClient client;

        SharedClient(java.util.function.Supplier<OkHttpClient> factory) {
            this.factory = factory;
        }

        OkHttpClient get() {
            OkHttpClient c = client;
            if (c == null) {
                synchronized (this) {
                    c = client;
                    if (c == null) {
                        c = factory.get();
                        client = c;
                    }
                }
            }
            return c;
        }
    }
}
