package org.jbits.bandwidth;

import java.io.InterruptedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.jbits.transport.Pacer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pacer of a background (High, Normal, Low) transfer: a {@link TokenBucket} in the byte loop whose rate is the
 * smaller of the {@link DelayController}'s and the bandwidth policy's cap. It feeds the controller what the engine
 * can measure from below, never from the engine: the transport's probe latencies (preferred: microsecond
 * resolution), else the connection's TCP_INFO receiver RTT, the loop's read stalls (time spent waiting on an empty
 * socket although it was allowed to read: the link is the limit), and the interface's byte counters minus its own
 * bytes (someone else's traffic). It asks for a receive buffer before connect, and after it sizes the buffer to
 * what the rate needs: {@code rate x (2 x base delay + target/4)} plus 2 KiB, so the window never limits a rate the
 * controller allows yet bounds the queue this flow alone can build when the link is the limit.
 *
 * <p>Without the controller ({@code idle.enabled=false}) it keeps the cap only. Stopping the transfer ends a wait
 * at once ({@link #stop}).
 */
public final class IdlePacer implements Pacer {
    private static final Logger log = LoggerFactory.getLogger(IdlePacer.class);
    /** The byte loop's accounting interval. */
    static final long INTERVAL_NANOS = 100_000_000L;
    /** The receive buffer asked for before connect: large enough that the window scale allows any later size. */
    static final int CONNECT_BUFFER = 1 << 20;
    static final int MIN_BUFFER = 4096;
    /** Probe samples older than this no longer count; TCP_INFO takes over. */
    private static final long PROBE_STALE_NANOS = 1_000_000_000L;
    private static final int QUANTUM = 2048;
    private static final long BURST_NANOS = 2_000_000L;
    /** {@code JBITS_PACER_TRACE} set: one line per interval on stderr (the agent's agent.out), for the rig. */
    private static final boolean TRACE = System.getenv("JBITS_PACER_TRACE") != null;

    /** Sleeps for the pacer: real time in the agent, a simulated clock in tests. */
    public interface Sleeper {
        /** Sleeps about {@code nanos} or until {@code wake} is notified. */
        void sleep(Object wake, long nanos) throws InterruptedException;

        Sleeper REAL = (wake, nanos) -> {
            synchronized (wake) {
                wake.wait(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
        };
    }

    private final LongSupplier clock;
    private final Sleeper sleeper;
    private final DelayController controller;
    private final DoubleSupplier cap;
    private final DelayEstimator probeDelay;
    private final DelayEstimator tcpDelay;
    private final TokenBucket bucket;
    private final long probeInterval;
    private final int fixedBuffer;
    private final long targetNanos;
    private final Object wake = new Object();
    private volatile boolean stopped;

    private long lastReturn = Long.MIN_VALUE;
    private long intervalStart;
    private long intervalBytes;
    private long starved;
    private long lastProbe = Long.MIN_VALUE;
    private volatile Socket socket;
    private volatile boolean signalled;
    private TcpInfo tcpInfo;
    private InterfaceCounters counters;
    private long lastRx = -1;
    private int buffer;
    private int minBuffer = MIN_BUFFER;
    private long totalBytes;

    /**
     * @param controller null for a cap only
     * @param cap the policy's cap now, bytes/s ({@link BandwidthSchedule#UNLIMITED} for none)
     * @param probeIntervalNanos how often the transport should probe; 0 for never
     * @param receiveBuffer a fixed SO_RCVBUF, or 0 for the size the rate needs
     */
    public IdlePacer(DelayController controller, DoubleSupplier cap, LongSupplier nanoClock, Sleeper sleeper,
            long probeIntervalNanos, int receiveBuffer, long targetNanos) {
        this.clock = nanoClock;
        this.sleeper = sleeper;
        this.controller = controller;
        this.cap = cap;
        // The probe's samples through a wider filter (the minimum of the last four, 100 ms at the default 25 ms):
        // on a busy machine one late answer in two is the scheduler, not a queue; a queue holds for all four.
        this.probeDelay = new DelayEstimator(4, 10, 60_000_000_000L, nanoClock);
        this.tcpDelay = DelayEstimator.standard(nanoClock);
        this.probeInterval = controller == null ? 0 : probeIntervalNanos;
        this.fixedBuffer = receiveBuffer;
        this.targetNanos = targetNanos;
        this.bucket = new TokenBucket(nanoClock, allowed(), BURST_NANOS, QUANTUM);
        this.intervalStart = nanoClock.getAsLong();
    }

    private double allowed() {
        double c = cap.getAsDouble();
        // The controller governs only a transfer that gives it a signal: one whose connection the pacer saw
        // connect (HTTP: the small receive buffer, the probe, TCP_INFO). A byte loop that cannot (SMB through
        // jcifs-ng's own sockets, local files) keeps the cap only, instead of crawling at the start rate.
        double r = controller == null || !signalled ? c : Math.min(controller.rate(), c);
        return Double.isInfinite(r) ? Double.MAX_VALUE : r;
    }

    /** The rate the bucket lets through now, bytes/s. */
    public synchronized double rate() {
        return bucket.rate();
    }

    /** The controller, or null for a cap only. */
    public DelayController controller() {
        return controller;
    }

    /** Bytes this pacer has let through. */
    public synchronized long bytes() {
        return totalBytes;
    }

    /** Ends every wait now and for good: the transfer is stopping. */
    public void stop() {
        stopped = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    @Override
    public void pace(int bytes) throws InterruptedIOException {
        long wait;
        synchronized (this) {
            long now = clock.getAsLong();
            double r = bucket.rate();
            if (lastReturn != Long.MIN_VALUE && r > 0 && r < Double.MAX_VALUE) {
                // Time in the read beyond what its bytes were worth at the allowed rate: the socket was empty.
                long worth = (long) (bytes / r * 1e9);
                starved += Math.max(0, now - lastReturn - worth);
            }
            intervalBytes += Math.max(0, bytes);
            totalBytes += Math.max(0, bytes);
            if (now - intervalStart >= INTERVAL_NANOS) {
                endInterval(now);
            }
            wait = bucket.take(Math.max(0, bytes));
        }
        // The bucket's rate may change while it waits (a cap lifted, the controller's next step): wait in slices.
        while (wait > 0 && !stopped) {
            try {
                sleeper.sleep(wake, Math.min(wait, INTERVAL_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while pacing");
            }
            synchronized (this) {
                long now = clock.getAsLong();
                if (now - intervalStart >= INTERVAL_NANOS) {
                    endInterval(now);
                }
                bucket.setRate(allowed());
                wait = bucket.waitNanos();
            }
        }
        synchronized (this) {
            lastReturn = clock.getAsLong();
        }
    }

    /** One accounting interval: the controller's view of arrivals, stalls, TCP_INFO and other traffic. */
    private void endInterval(long now) {
        long dt = now - intervalStart;
        if (TRACE) {
            System.err.printf("pacer %.3f bytes=%d starved=%.1fms rate=%.0f qd=%.2fms phase=%s base=%.2fms buf=%d%n",
                    now / 1e9, intervalBytes, starved / 1e6, bucket.rate(),
                    controller == null ? 0 : controller.queuingDelayNanos() / 1e6,
                    controller == null ? "-" : controller.phase(), probeDelay.baseDelay() / 1e6, buffer);
        }
        if (controller != null) {
            controller.onInterval(intervalBytes, starved, dt);
            if (counters != null) {
                long rx = counters.receivedBytes();
                if (rx >= 0 && lastRx >= 0) {
                    // Our bytes arrive with 3-4% of headers, and our ACKs and probes count too (on loopback both
                    // directions are received): a tenth over our payload is still ours.
                    double foreign = Math.max(0, rx - lastRx - 1.1 * intervalBytes) * 1e9 / dt;
                    controller.onForeignTraffic(foreign);
                }
                lastRx = rx;
            }
            if (tcpInfo != null && (lastProbe == Long.MIN_VALUE || now - lastProbe > PROBE_STALE_NANOS)) {
                long us = tcpInfo.receiverRttMicros();
                if (us > 0) {
                    controller.onDelay(tcpDelay.add(us * 1000));
                }
            }
        }
        intervalStart = now;
        intervalBytes = 0;
        starved = 0;
        bucket.setRate(allowed());
        resize();
    }

    private void resize() {
        Socket s = socket;
        if (s == null || fixedBuffer > 0 || controller == null) {
            return;
        }
        long base = Math.max(0, probeDelay.baseDelay() >= 0 ? probeDelay.baseDelay() : tcpDelay.baseDelay());
        double r = Math.min(bucket.rate(), 1e10);
        int want = (int) Math.min(16 << 20, Math.max(minBuffer, r * (2 * base + targetNanos / 4.0) / 1e9 + 2048));
        // Hysteresis: a change of less than an eighth is not worth a system call.
        if (Math.abs(want - buffer) > buffer / 8) {
            try {
                s.setReceiveBufferSize(want);
                buffer = want;
            } catch (SocketException e) {
                socket = null;
            }
        }
    }

    @Override
    public int receiveBuffer() {
        if (fixedBuffer > 0) {
            return fixedBuffer;
        }
        return controller == null ? 0 : CONNECT_BUFFER;
    }

    @Override
    public long probeIntervalNanos() {
        return probeInterval;
    }

    @Override
    public void latencySample(long nanos) {
        if (controller == null) {
            return;
        }
        long qd;
        synchronized (this) {
            signalled = true;
            qd = probeDelay.add(nanos);
            lastProbe = clock.getAsLong();
        }
        controller.onDelay(qd);
        synchronized (this) {
            bucket.setRate(allowed());
        }
    }

    @Override
    public void connected(Socket s) {
        if (controller == null) {
            return;
        }
        TcpInfo info = TcpInfo.of(s);
        InterfaceCounters c = InterfaceCounters.of(s.getLocalAddress());
        int floor = bufferFloor(s);
        synchronized (this) {
            minBuffer = floor;
            socket = s;
            tcpInfo = info;
            counters = c;
            lastRx = -1;
            buffer = fixedBuffer > 0 ? fixedBuffer : CONNECT_BUFFER;
            bucket.setRate(allowed());
            resize();
        }
        log.debug("paced connection {} -> {}: TCP_INFO {}, interface {}", s.getLocalSocketAddress(),
                s.getRemoteSocketAddress(), info != null ? "readable" : "unavailable", c != null ? c.name() : "unknown");
    }

    /**
     * The smallest useful buffer: three segments of the interface's MTU. A window under two segments makes the
     * receiver withhold window updates (silly-window avoidance) until a timer or the sender's probe: on loopback,
     * whose MTU is 64 KiB, a 4 KiB buffer crawls at tens of kB/s.
     */
    private static int bufferFloor(Socket s) {
        try {
            java.net.NetworkInterface ni = java.net.NetworkInterface.getByInetAddress(s.getLocalAddress());
            int mtu = ni == null ? 1500 : ni.getMTU();
            return Math.max(MIN_BUFFER, 3 * Math.max(0, mtu - 40));
        } catch (SocketException | RuntimeException e) {
            return MIN_BUFFER;
        }
    }

    /** The base delay the probe measured, nanoseconds; -1 before any sample. */
    public synchronized long baseDelayNanos() {
        return probeDelay.baseDelay();
    }
}
