package org.jbits.transport;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.jbits.BitsFileRange;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * AddFileWithRanges over HTTP: one {@code Range} request per range, in the order given, each body appended to the
 * file, so ranges 100-199, 900-999 and 400-499 make a file of 300 bytes. A resumed file continues inside the range
 * its offset falls in, with {@code If-Range} (the validator of the first response); a file that changed on the server
 * starts over, from the first range. BITS' run-time errors: a range that starts or ends past the end of the remote
 * file is BG_E_INVALID_RANGE, a server that answers a range request with the whole file
 * BG_E_INSUFFICIENT_RANGE_SUPPORT (both fatal, in RemoteFile context).
 */
final class HttpRanges {
    private final OkHttpClient client;
    /** The latency probe's client (idle-bandwidth control): the job's proxy, credentials and TLS, ordinary sockets. */
    private final OkHttpClient probeClient;
    private final URI source;
    private final List<BitsFileRange> ranges;
    private final DownloadTarget target;
    private final TransferContext context;
    /** The remote file's size once a 206 said it; -1 before. */
    private long size = -1;

    HttpRanges(OkHttpClient client, OkHttpClient probeClient, URI source, List<BitsFileRange> ranges,
            DownloadTarget target, TransferContext context) {
        this.client = client;
        this.probeClient = probeClient;
        this.source = source;
        this.ranges = List.copyOf(ranges);
        this.target = target;
        this.context = context;
    }

    /** What one request brought back, when its body is not read. */
    private enum Outcome { PARTIAL, CHANGED }

    void download() throws TransferException {
        long held = target.offset();
        String validator = target.validator();
        boolean fromZero = held == 0 || validator == null;
        int start = 0;
        long within = 0;
        if (!fromZero) {
            long left = held;
            for (; start < ranges.size(); start++) {
                long len = length(ranges.get(start));
                if (len < 0) {
                    // A range to the end comes before the resume point: its length needs the file's size.
                    if (probeSize(ranges.get(start), validator) == Outcome.CHANGED) {
                        fromZero = true;
                        break;
                    }
                    len = length(ranges.get(start));
                }
                if (left < len) {
                    within = left;
                    break;
                }
                left -= len;
            }
            if (fromZero || (start == ranges.size() && left > 0)) {
                fromZero = true;
                start = 0;
                within = 0;
            }
        }
        String expect = fromZero ? null : validator;
        boolean begun = false;
        for (int i = start; i < ranges.size(); i++) {
            if (context.isStopped()) {
                return;
            }
            BitsFileRange r = ranges.get(i);
            long first = r.initialOffset() + within;
            within = 0;
            Request request = RangeRequest.of(source, first, r.toEndOfFile() ? -1 : last(r), expect, context);
            try (Response response = RangeRequest.execute(client, request, source, context, target::responseHeaders)) {
                int code = response.code();
                String got = HttpTransport.validatorOf(response);
                if (code == 200 && expect != null && !begun && got != null && !got.equals(expect)) {
                    // If-Range did its work: the file changed, so the bytes held belong to another version.
                    fromZero = true;
                    expect = null;
                    i = -1;
                    continue;
                }
                if (code == 200) {
                    throw TransferException.fatal(HResult.BG_E_INSUFFICIENT_RANGE_SUPPORT, ErrorContext.REMOTE_FILE,
                            "the server sent the whole file for a range request (it does not support ranges): "
                                    + Redacted.uri(source), null);
                }
                if (code == 416) {
                    throw invalidRange(r, response);
                }
                if (code != 206) {
                    throw HttpTransport.statusError(response, source);
                }
                long[] cr = RangeRequest.contentRange(response, first, first + "-", source);
                if (expect != null && got != null && !got.equals(expect)) {
                    if (!begun) {
                        fromZero = true;
                        expect = null;
                        i = -1;
                        continue;
                    }
                    throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.REMOTE_FILE,
                            "the remote file changed during the transfer; its ranges are fetched again: "
                                    + Redacted.uri(source), null);
                }
                if (cr[2] >= 0) {
                    size = cr[2];
                }
                if (!r.toEndOfFile() && cr[1] < last(r)) {
                    throw TransferException.fatal(HResult.BG_E_INVALID_RANGE, ErrorContext.REMOTE_FILE, "the range "
                            + r + " ends past the end of the remote file (" + (cr[1] + 1) + " bytes): "
                            + Redacted.uri(source), null);
                }
                if (!begun) {
                    String v = got != null ? got : expect;
                    target.begin(total(), v, fromZero);
                    begun = true;
                    expect = v;
                }
                copy(response.body(), cr[1] - cr[0] + 1);
            } catch (TransferException e) {
                throw e;
            } catch (IOException e) {
                if (context.isStopped()) {
                    return;
                }
                throw HttpTransport.networkError(e, source);
            }
        }
        if (context.isStopped()) {
            return;
        }
        if (!begun) {
            // Every range was already held: the last checkpoint fell at the very end.
            target.begin(total(), validator, false);
        }
        target.finish();
    }

    /** The length of {@code r}: its own, or for a range to the end the rest of the file once its size is known (-1 before). */
    private long length(BitsFileRange r) {
        if (!r.toEndOfFile()) {
            return r.length();
        }
        return size < 0 ? -1 : Math.max(0, size - r.initialOffset());
    }

    private static long last(BitsFileRange r) {
        return r.initialOffset() + r.length() - 1;
    }

    /** The bytes of every range together; -1 while a range to the end waits for the file's size. */
    private long total() {
        long t = 0;
        for (BitsFileRange r : ranges) {
            long len = length(r);
            if (len < 0) {
                return -1;
            }
            t += len;
        }
        return t;
    }

    /** Asks for {@code r} only to learn the file's size from the Content-Range (the body is not read). */
    private Outcome probeSize(BitsFileRange r, String validator) throws TransferException {
        Request request = RangeRequest.of(source, r.initialOffset(), -1, validator, context);
        try (Response response = RangeRequest.execute(client, request, source, context, target::responseHeaders)) {
            if (response.code() == 416) {
                throw invalidRange(r, response);
            }
            long[] cr = response.code() == 206 ? HttpTransport.parseContentRange(response.header("Content-Range")) : null;
            if (cr == null || cr[2] < 0) {
                return Outcome.CHANGED;
            }
            size = cr[2];
            return Outcome.PARTIAL;
        } catch (IOException e) {
            throw HttpTransport.networkError(e, source);
        }
    }

    private TransferException invalidRange(BitsFileRange r, Response response) {
        String cr = response.header("Content-Range");
        java.util.regex.Matcher m = cr == null ? null : java.util.regex.Pattern.compile("bytes\\s+\\*/(\\d+)").matcher(cr);
        String sizeText = m != null && m.find() ? " (" + m.group(1) + " bytes)" : "";
        return TransferException.fatal(HResult.BG_E_INVALID_RANGE, ErrorContext.REMOTE_FILE, "the range " + r
                + " starts past the end of the remote file" + sizeText + ": " + Redacted.uri(source), null);
    }

    /** The body of one range, exactly {@code expected} bytes, into the target. */
    private void copy(ResponseBody body, long expected) throws TransferException, IOException {
        if (body == null) {
            throw TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                    "the server sent no body for " + Redacted.uri(source), null);
        }
        BufferedSource in = body.source();
        long before = target.position();
        Pacer pacer = context.pacer();
        int n;
        try (LatencyProbe probe = LatencyProbe.start(probeClient, source, pacer, context.headers())) {
            while (!context.isStopped() && (n = target.readFrom(in)) >= 0) {
                pacer.pace(n);
            }
        }
        if (!context.isStopped() && target.position() - before != expected) {
            throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.GENERAL_TRANSPORT,
                    "the connection closed after " + (target.position() - before) + " of " + expected
                            + " bytes of a range of " + Redacted.uri(source), null);
        }
    }
}
