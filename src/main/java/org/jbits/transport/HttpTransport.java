package org.jbits.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP and HTTPS downloads over OkHttp, resumable: a partial file continues with {@code Range} and
 * {@code If-Range} (a strong ETag, else Last-Modified). A server that ignores the range (200), or a file that
 * changed (a 200 to If-Range, a different total), restarts the file from byte 0; an error body or a 416 is never
 * written into the file.
 */
public final class HttpTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(HttpTransport.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)");

    private final OkHttpClient client;

    /** A transport with its own client: timeouts in milliseconds; servers are checked against the JVM's trust store. */
    public HttpTransport(long connectTimeoutMillis, long readTimeoutMillis) {
        this.client = builder(connectTimeoutMillis, readTimeoutMillis).build();
    }

    /**
     * A transport whose HTTPS connections trust what {@code trustManager} trusts (a private CA, say) instead of the
     * JVM's trust store; {@code sslSocketFactory} must come from an SSLContext initialised with that trust manager.
     */
    public HttpTransport(long connectTimeoutMillis, long readTimeoutMillis, SSLSocketFactory sslSocketFactory,
            X509TrustManager trustManager) {
        this.client = builder(connectTimeoutMillis, readTimeoutMillis).sslSocketFactory(sslSocketFactory, trustManager)
                .build();
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
    public void download(URI source, DownloadTarget target, TransferContext context) throws TransferException {
        OkHttpClient c = clientFor(context);
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
        new HttpRanges(clientFor(context), source, ranges, target, context).download();
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
        while (!context.isStopped() && (n = target.readFrom(in)) >= 0) {
            // The target counts and stages what each read brought; the pacer holds the loop back to the job's rate.
            pacer.pace(n);
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
        if (e instanceof SSLException) {
            return TransferException.fatal(HResult.ERROR_WINHTTP_SECURE_FAILURE, ErrorContext.GENERAL_TRANSPORT,
                    "the secure connection failed" + where + ": " + Redacted.text(e.getMessage()), e);
        }
        return TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.GENERAL_TRANSPORT,
                "the connection was interrupted" + where + ": " + Redacted.text(e.getMessage()), e);
    }

    /** The shared client, or a variant of it (same pool and threads) with the job's proxy and credentials. */
    OkHttpClient clientFor(TransferContext context) {
        ProxySettings proxy = context.proxy();
        boolean defaultProxy = proxy == null || proxy.usage() == ProxyUsage.SYSTEM_DEFAULT
                || proxy.usage() == ProxyUsage.AUTO_DETECT;
        if (defaultProxy && context.serverCredentials() == null && context.proxyCredentials() == null) {
            return client;
        }
        OkHttpClient.Builder b = client.newBuilder();
        if (!defaultProxy) {
            if (proxy.usage() == ProxyUsage.NO_PROXY) {
                b.proxy(Proxy.NO_PROXY);
            } else {
                b.proxySelector(new ProxySelectors.Listed(proxy.proxyList(), proxy.bypassList()));
            }
        }
        if (context.serverCredentials() != null) {
            b.authenticator(new ChallengeAnswer(context.serverCredentials(), "Authorization"));
        }
        if (context.proxyCredentials() != null) {
            b.proxyAuthenticator(new ChallengeAnswer(context.proxyCredentials(), "Proxy-Authorization"));
        }
        return b.build();
    }

    /**
     * Answers a 401 (or a proxy's 407) once with the job's credentials, as BITS does: only when asked, never
     * sent ahead of a challenge, and not again when the server refused them (the 401 then fails the job).
     * Basic only so far; a challenge for another scheme is left unanswered.
     */
    static final class ChallengeAnswer implements okhttp3.Authenticator {
        private final Credentials credentials;
        private final String header;

        ChallengeAnswer(Credentials credentials, String header) {
            this.credentials = credentials;
            this.header = header;
        }

        @Override
        public Request authenticate(okhttp3.Route route, Response response) {
            if (response.request().header(header) != null || credentials.scheme() != Credentials.Scheme.BASIC) {
                return null;
            }
            for (okhttp3.Challenge c : response.challenges()) {
                if ("Basic".equalsIgnoreCase(c.scheme())) {
                    String value = okhttp3.Credentials.basic(credentials.userName(), credentials.password(),
                            c.charset());
                    return response.request().newBuilder().header(header, value).build();
                }
            }
            return null;
        }
    }
}
