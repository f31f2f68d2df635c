package org.jbits.transport;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delay signal of a paced HTTP transfer: every {@link Pacer#probeIntervalNanos} a {@code HEAD} of the same URL
 * on a keep-alive connection of its own (never the paced one, whose answers wait behind our own receive window),
 * timed from sending to the first byte of the answer, reported to the pacer. A HEAD has no body, so a probe costs
 * a few hundred bytes each way. Three failures in a row end the probing (a server that refuses HEAD, say): the
 * pacer then goes by the connection's TCP_INFO. Runs on a daemon thread until {@link #close}.
 */
final class LatencyProbe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LatencyProbe.class);
    private static final int MAX_FAILURES = 3;

    private final OkHttpClient client;
    private final Request request;
    private final Pacer pacer;
    private final long interval;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Call current;

    private LatencyProbe(OkHttpClient client, URI uri, Pacer pacer, java.util.List<TransferContext.Header> headers) {
        this.client = client.newBuilder().readTimeout(5, TimeUnit.SECONDS).callTimeout(10, TimeUnit.SECONDS).build();
        Request.Builder b = new Request.Builder().url(uri.toString()).head().header("Accept-Encoding", "identity");
        for (TransferContext.Header h : headers) {
            b.addHeader(h.name(), h.value());
        }
        this.request = b.build();
        this.pacer = pacer;
        this.interval = pacer.probeIntervalNanos();
        this.thread = new Thread(this::loop, "jbits-latency-probe");
        this.thread.setDaemon(true);
    }

    /**
     * Starts probing {@code uri} through {@code client} (unpaced) with the job's headers when {@code pacer} asks for
     * it; else null.
     */
    static LatencyProbe start(OkHttpClient client, URI uri, Pacer pacer, java.util.List<TransferContext.Header> headers) {
        if (pacer.probeIntervalNanos() <= 0) {
            return null;
        }
        LatencyProbe p = new LatencyProbe(client, uri, pacer, headers);
        p.thread.start();
        return p;
    }

    private void loop() {
        int failures = 0;
        long next = System.nanoTime();
        while (!closed) {
            try {
                Call call = client.newCall(request);
                current = call;
                long t0 = System.nanoTime();
                try (Response r = call.execute()) {
                    long t1 = System.nanoTime();
                    if (r.code() >= 400) {
                        throw new IOException("HTTP " + r.code());
                    }
                    // OkHttp returns once the status line and headers are read: the first byte, give or take a
                    // parse of a few hundred bytes.
                    pacer.latencySample(t1 - t0);
                    failures = 0;
                }
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (++failures >= MAX_FAILURES) {
                    log.debug("latency probe of {} stops: {}", Redacted.uri(URI.create(request.url().toString())),
                            Redacted.text(String.valueOf(e.getMessage())));
                    return;
                }
            }
            next += interval;
            long now = System.nanoTime();
            if (next - now < 0) {
                next = now;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(next - now);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Call c = current;
        if (c != null) {
            c.cancel();
        }
        thread.interrupt();
    }
}
