package org.jbits.transport;

import java.io.IOException;
import java.net.URI;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * The GET of one byte range that AddFileWithRanges ({@link HttpRanges}) and on-demand mode ({@link HttpRangeFetch})
 * both send, and the checks of its answer that come before its status: {@code Range: bytes=first-[last]}, the body
 * unencoded (offsets count the file's bytes), the job's custom headers, {@code If-Range} once a validator is known.
 */
final class RangeRequest {
    private RangeRequest() {
    }

    /** Bytes {@code first} to {@code last} (inclusive; -1: to the end) of {@code source}. */
    static Request of(URI source, long first, long last, String ifRange, TransferContext context) {
        Request.Builder rb = new Request.Builder().url(source.toString()).get()
                .header("Accept-Encoding", "identity")
                .header("Range", "bytes=" + first + "-" + (last < 0 ? "" : Long.toString(last)));
        for (TransferContext.Header h : context.headers()) {
            rb.addHeader(h.name(), h.value());
        }
        if (ifRange != null) {
            rb.header("If-Range", ifRange);
        }
        return rb.build();
    }

    /**
     * Sends {@code request} (cancelled when the job stops) and hands its response headers to {@code headers}; a
     * redirect the job's policy refused fails (fatal, RemoteFile context, the status's HRESULT), a followed one is
     * reported. The caller closes the response.
     */
    static Response execute(OkHttpClient client, Request request, URI source, TransferContext context,
            Consumer<String> headers) throws IOException, TransferException {
        Call call = client.newCall(request);
        context.onStop(call::cancel);
        Response response = call.execute();
        try {
            headers.accept(HttpTransport.headersOf(response));
            String refused = response.header(HttpTransport.REFUSED_REDIRECT);
            if (refused != null) {
                throw TransferException.fatal(HResult.ofHttpStatus(response.code()), ErrorContext.REMOTE_FILE,
                        refused, null);
            }
            HttpTransport.reportRedirect(source, response, context);
            return response;
        } catch (TransferException | RuntimeException e) {
            response.close();
            throw e;
        }
    }

    /**
     * A 206's {@code Content-Range} as {first, last, size} (size -1 when {@code *}); it must start at {@code first},
     * else BG_E_INVALID_SERVER_RESPONSE (fatal, RemoteFile context).
     */
    static long[] contentRange(Response response, long first, String asked, URI source) throws TransferException {
        long[] cr = HttpTransport.parseContentRange(response.header("Content-Range"));
        if (cr == null || cr[0] != first) {
            throw TransferException.fatal(HResult.BG_E_INVALID_SERVER_RESPONSE, ErrorContext.REMOTE_FILE,
                    "the server answered the range bytes=" + asked + " with " + response.header("Content-Range")
                            + " for " + Redacted.uri(source), null);
        }
        return cr;
    }
}
