package org.jbits.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the requests the I/O thread has read: decodes each line ({@link RequestCodec}), has the
 * {@link RequestHandler} carry it out on a small fixed pool of workers, and hands back the reply line. A
 * {@code wait} runs on its own pool and in slices of {@value #SLICE_MILLIS} ms, each one requeued behind the waits
 * that came after it: a wait never holds a worker, and a flood of waits only makes each of them look a little less
 * often, instead of letting the first few hold every wait thread for their whole timeout.
 * The pools' threads are started up front, so a request never needs a new thread.
 */
final class RequestExecutor implements ConnectionLoop.Requests, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestExecutor.class);
    static final long SLICE_MILLIS = 250;

    private final RequestHandler handler;
    private final Runnable onStop;
    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor waits;

    /**
     * @param onStop run once a {@code stop} request has been answered
     * @param workerThreads threads for every request but {@code wait}
     * @param waitThreads threads that take turns at the {@code wait} requests
     */
    RequestExecutor(RequestHandler handler, Runnable onStop, int workerThreads, int waitThreads) {
        this.handler = handler;
        this.onStop = onStop;
        this.workers = pool("jbits-agent-worker", workerThreads);
        this.waits = pool("jbits-agent-wait", waitThreads);
    }

    private static ThreadPoolExecutor pool(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        // Unbounded queue, bounded in fact: each connection has at most one request in flight.
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        p.prestartAllCoreThreads();
        return p;
    }

    @Override
    public void submit(byte[] line, Caller caller, ConnectionLoop.Reply reply) {
        workers.execute(() -> run(line, caller, reply));
    }

    private void run(byte[] line, Caller caller, ConnectionLoop.Reply reply) {
        Request request;
        try {
            request = RequestCodec.decode(line, line.length);
        } catch (BitsException e) {
            reply.accept(bytes(Protocol.error(e)));
            return;
        } catch (RuntimeException e) {
            log.error("decoding a request from {} failed", caller, e);
            reply.accept(bytes(Protocol.error(new BitsException(HResult.E_FAIL, "internal error: " + e))));
            return;
        }
        if (request instanceof Request.Wait w) {
            startWait(w, caller, reply);
            return;
        }
        if (request instanceof Request.Get g) {
            streamGet(g, caller, reply);
            return;
        }
        reply.accept(bytes(handler.handle(request, caller)));
        if (request instanceof Request.Stop) {
            log.info("stop requested by {}", caller);
            onStop.run();
        }
    }

    /**
     * {@code get}: written job by job into the connection ({@link RequestHandler#get(Request.Get, java.io.OutputStream)}),
     * so its memory is one job's, not all of them. A failure before the first part went out is answered as usual;
     * after it, the connection is closed (the client sees an unfinished reply, never a wrong one).
     */
    private void streamGet(Request.Get g, Caller caller, ConnectionLoop.Reply reply) {
        ReplyStream out = reply.stream();
        try {
            handler.get(g, caller, out);
            out.close();
        } catch (java.io.IOException e) {
            log.debug("a get reply to {} was cut short: {}", caller, e.toString());
            out.abort();
        } catch (RuntimeException e) {
            if (!(e instanceof BitsException)) {
                log.error("request Get from {} failed", caller, e);
            }
            if (out.sentAny()) {
                out.abort();
            } else {
                out.abort();
                reply.accept(bytes(failure(e)));
            }
        }
    }

    private void startWait(Request.Wait w, Caller caller, Consumer<byte[]> reply) {
        BitsJob job;
        try {
            job = handler.resolve(w.job());
        } catch (BitsException e) {
            reply.accept(bytes(Protocol.error(e)));
            return;
        }
        long deadline = System.nanoTime() + w.timeout().toNanos();
        try {
            waits.execute(new WaitSlice(job, w.state(), deadline, reply));
        } catch (RejectedExecutionException stopping) {
            reply.accept(bytes(answer(job)));
        }
    }

    /** One turn of one wait: looks for at most a slice, then answers or goes to the back of the queue. */
    private final class WaitSlice implements Runnable {
        private final BitsJob job;
        private final JobState from;
        private final long deadline;
        private final Consumer<byte[]> reply;

        WaitSlice(BitsJob job, JobState from, long deadline, Consumer<byte[]> reply) {
            this.job = job;
            this.from = from;
            this.deadline = deadline;
            this.reply = reply;
        }

        @Override
        public void run() {
            if (waits.isShutdown()) {
                reply.accept(bytes(answer(job)));
                return;
            }
            try {
                long left = deadline - System.nanoTime();
                JobState now = job.state();
                if (now == from && left > 0) {
                    now = job.awaitStateChange(from, Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS))));
                }
                if (now == from && deadline - System.nanoTime() > 0 && !Thread.currentThread().isInterrupted()) {
                    waits.execute(this);
                    return;
                }
            } catch (RejectedExecutionException stopping) {
                // answer now: the agent is stopping
            } catch (RuntimeException e) {
                reply.accept(bytes(failure(e)));
                return;
            }
            reply.accept(bytes(answer(job)));
        }
    }

    private ObjectNode answer(BitsJob job) {
        try {
            return handler.jobReply(job);
        } catch (RuntimeException e) {
            return failure(e);
        }
    }

    private static ObjectNode failure(RuntimeException e) {
        if (e instanceof BitsException b) {
            return Protocol.error(b);
        }
        log.error("a wait failed", e);
        return Protocol.error(new BitsException(HResult.E_FAIL, "internal error: " + e));
    }

    private static byte[] bytes(ObjectNode reply) {
        return Protocol.line(reply);
    }

    /** Stops taking requests; waits are woken (and answered) at once, the other requests get {@code grace} to end. */
    void shutdown(Duration grace) {
        workers.shutdown();
        // Queued turns are not run by the pool once it is shut down: answer them here (each answers at once).
        for (Runnable turn : waits.shutdownNow()) {
            turn.run();
        }
        try {
            workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
            waits.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }
}
