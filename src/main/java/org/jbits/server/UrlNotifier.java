package org.jbits.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;
import org.jbits.file.SafeFile;

/**
 * The back-end application at a URL, as IIS' {@code BITSServerNotificationURL}: a POST by reference (type 1: the
 * request and response files' locations in headers, under both the Windows documentation's names
 * {@code BITS-Request-DataFile-Name}/{@code BITS-Response-DataFile-Name} and [MC-BUP]'s {@code ...-DataEntity-Name};
 * the application writes the reply file) or by value (type 2: the upload is the POST's body and the response's
 * body is the reply). The application's answer may name a {@code BITS-Static-Response-URL} and ask for
 * {@code BITS-Copy-File-To-Destination}; any status but 200 is its failure. By reference, the application must run
 * as the server's user: the state directory holding the reply file is private to it.
 */
final class UrlNotifier implements BackendNotifier {
    private static final MediaType OCTETS = MediaType.get("application/octet-stream");

    private final URI url;
    private final boolean byValue;
    private final long maxReplyBytes;
    private final OkHttpClient http;

    UrlNotifier(URI url, boolean byValue, Duration timeout, long maxReplyBytes) {
        this.url = url;
        this.byValue = byValue;
        this.maxReplyBytes = maxReplyBytes;
        this.http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10)).readTimeout(timeout)
                .writeTimeout(timeout).callTimeout(timeout.plusSeconds(10)).followRedirects(false).build();
    }

    @Override
    public UploadSession.Reply notify(Notification n, SessionFiles files) throws BitsError {
        Request.Builder rb = new Request.Builder().url(url.toString())
                .header(BitsHeaders.ORIGINAL_REQUEST_URL, n.originalUrl());
        if (byValue) {
            rb.post(uploadBody(n, files));
        } else {
            files.deleteReply(n.session());
            rb.header(BitsHeaders.REQUEST_DATAFILE_NAME, n.requestFile().toString())
                    .header(BitsHeaders.REQUEST_DATAENTITY_NAME, n.requestFile().toString())
                    .header(BitsHeaders.RESPONSE_DATAFILE_NAME, n.responseFile().toString())
                    .header(BitsHeaders.RESPONSE_DATAENTITY_NAME, n.responseFile().toString())
                    .post(RequestBody.create(new byte[0], null));
        }
        try (Response r = http.newCall(rb.build()).execute()) {
            if (r.code() != 200) {
                throw BitsError.application(r.code(), BackendNotifier.applicationCode(r.header(BitsHeaders.ERROR_CODE),
                        r.header(BitsHeaders.ERROR_LEGACY)), "the notification URL " + url + " answered " + r.code());
            }
            String staticUrl = BackendNotifier.checkStaticUrl(r.header(BitsHeaders.STATIC_RESPONSE_URL));
            boolean copy = r.header(BitsHeaders.COPY_FILE_TO_DESTINATION) != null;
            if (staticUrl == null && byValue) {
                saveReply(n, files, r.body() == null ? InputStream.nullInputStream() : r.body().byteStream());
            } else if (staticUrl == null) {
                CommandNotifier.ensureReply(n, files);
            }
            return new UploadSession.Reply(staticUrl, copy);
        } catch (IOException e) {
            // Unreachable or cut off: a transient failure (5xx), which BITS clients retry.
            throw BitsError.application(502, 0, "cannot notify " + url + ": " + e);
        }
    }

    /** The received file as the POST's body, read through its handle. */
    private RequestBody uploadBody(Notification n, SessionFiles files) {
        UploadSession s = n.session();
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return OCTETS;
            }

            @Override
            public long contentLength() {
                return s.total;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                try (TargetDirectories.Opened d = files.directoryOf(s); SafeFile f = files.openTemp(d.dir(), s);
                        FileChannel ch = f.readChannel(); Source src = Okio.source(Channels.newInputStream(ch))) {
                    sink.writeAll(src);
                } catch (BitsError e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        };
    }

    private void saveReply(Notification n, SessionFiles files, InputStream body) throws BitsError, IOException {
        try (SafeFile f = files.createReply(n.session()); FileChannel ch = f.openChannel();
                OutputStream out = Channels.newOutputStream(ch)) {
            byte[] buf = new byte[64 << 10];
            long total = 0;
            int k;
            while ((k = body.read(buf)) >= 0) {
                total += k;
                if (total > maxReplyBytes) {
                    throw BitsError.application(500, 0, "the application's reply is larger than " + maxReplyBytes + " bytes");
                }
                out.write(buf, 0, k);
            }
            ch.force(true);
        }
    }
}
