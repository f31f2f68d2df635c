package org.jbits.transport;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * One range of on-demand mode over HTTP: a {@code Range: bytes=first-last} request (with {@code If-Range} once a
 * validator is known), its body written at its offset. BITS' errors: a server that answers with the whole file
 * although the file did not change has no random access (BG_E_RANDOM_ACCESS_NOT_SUPPORTED, fatal, RemoteFile
 * context); a range past the end is BG_E_INVALID_RANGE.
 */
final class HttpRangeFetch {
    private static final int BUFFER = 64 * 1024;
    private final OkHttpClient client;
    private final OkHttpClient probeClient;
    private final URI source;
    private final TransferContext context;

    HttpRangeFetch(OkHttpClient client, OkHttpClient probeClient, URI source, TransferContext context) {
        this.client = client;
        this.probeClient = probeClient;
        this.source = source;
        this.context = context;
    }

    RangeSink.Outcome fetch(long first, long last, String ifRange, RangeSink sink) throws TransferException {
        try (Response response = RangeRequest.execute(client, RangeRequest.of(source, first, last, ifRange, context),
                source, context, sink::responseHeaders)) {
            int code = response.code();
            String got = HttpTransport.validatorOf(response);
            if (ifRange != null && got != null && !got.equals(ifRange) && (code == 200 || code == 206)) {
                return RangeSink.Outcome.CHANGED;
            }
            if (code == 200) {
                throw TransferException.fatal(HResult.BG_E_RANDOM_ACCESS_NOT_SUPPORTED, ErrorContext.REMOTE_FILE,
                        "the server sent the whole file for a range request (an on-demand job needs range support): "
                                + Redacted.uri(source), null);
            }
            if (code == 416) {
                throw TransferException.fatal(HResult.BG_E_INVALID_RANGE, ErrorContext.REMOTE_FILE, "the range "
                        + first + "-" + last + " starts past the end of the remote file ("
                        + response.header("Content-Range") + "): " + Redacted.uri(source), null);
            }
            if (code != 206) {
                throw HttpTransport.statusError(response, source);
            }
            long[] cr = RangeRequest.contentRange(response, first, first + "-" + last, source);
            sink.begin(cr[2], got != null ? got : ifRange);
            copy(response.body(), first, cr[1] - cr[0] + 1, sink);
            return RangeSink.Outcome.FETCHED;
        } catch (TransferException e) {
            throw e;
        } catch (IOException e) {
            if (context.isStopped()) {
                return RangeSink.Outcome.FETCHED;
            }
            throw HttpTransport.networkError(e, source);
        }
    }

    private void copy(ResponseBody body, long offset, long expected, RangeSink sink)
            throws TransferException, IOException {
        if (body == null) {
            throw TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                    "the server sent no body for " + Redacted.uri(source), null);
        }
        BufferedSource in = body.source();
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        Pacer pacer = context.pacer();
        long at = offset;
        try (LatencyProbe probe = LatencyProbe.start(probeClient, source, pacer, context.headers())) {
            while (!context.isStopped() && at - offset < expected) {
                buf.clear();
                buf.limit((int) Math.min(BUFFER, expected - (at - offset)));
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                sink.write(at, buf);
                at += n;
                pacer.pace(n);
            }
        }
        if (!context.isStopped() && at - offset != expected) {
            throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.GENERAL_TRANSPORT,
                    "the connection closed after " + (at - offset) + " of " + expected + " bytes of a range of "
                            + Redacted.uri(source), null);
        }
    }
}
