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
 * socket although it was allowed to read: the link, or the window, is the limit), and the interface's byte counters
 * minus its own bytes and the change of its socket's unread bytes (someone else's traffic). It asks for a receive
 * buffer before connect, and after it sizes the buffer with {@link ReceiveWindow}: what the rate or the capacity
 * seen recently needs, whichever is more, so the bucket, not the window, holds the rate down; a stall while the
 * window offered (the buffer, or the kernel's clamp from TCP_INFO) cannot carry the rate is the window's.
 *
 * <p>With a cap over all background transfers ({@code bandwidth.all}) it also pays into that {@link SharedCap}
 * and waits for whichever bucket is further in debt. Without the controller ({@code idle.enabled=false}) it keeps
 * the caps only. Stopping the transfer ends a wait
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
    /** After connect, how long the buffer follows the controller's rate before any delay sample came. */
    private static final long SIGNAL_GRACE_NANOS = 1_000_000_000L;
    private static final long FOREIGN_GRACE_NANOS = 1_000_000_000L;
    /** The least rate the window is sized for: the controller's start rate. */
    private static final double START_WINDOW_RATE = 100e3;
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
    private final SharedCap shared;
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
    private int clamp;
    private final ReceiveWindow window;
    private long totalBytes;
    private long connectedAt = Long.MIN_VALUE;
    private long lastUnread = -1;
    private long lastReceived = -1;
    private double foreignRate;
    private long kernelWindow = -1;

    /**
     * @param controller null for a cap only
     * @param cap the policy's cap now, bytes/s ({@link BandwidthSchedule#UNLIMITED} for none)
     * @param probeIntervalNanos how often the transport should probe; 0 for never
     * @param receiveBuffer a fixed SO_RCVBUF, or 0 for the size the rate needs
     */
    public IdlePacer(DelayController controller, DoubleSupplier cap, LongSupplier nanoClock, Sleeper sleeper,
            long probeIntervalNanos, int receiveBuffer, long targetNanos) {
        this(controller, cap, null, nanoClock, sleeper, probeIntervalNanos, receiveBuffer, targetNanos);
    }

    /**
     * @param shared the cap over all background transfers that this one pays into as well, or null for none
     */
    public IdlePacer(DelayController controller, DoubleSupplier cap, SharedCap shared, LongSupplier nanoClock,
            Sleeper sleeper, long probeIntervalNanos, int receiveBuffer, long targetNanos) {
        this.shared = shared;
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
        this.window = new ReceiveWindow(nanoClock, MIN_BUFFER);
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
            if (shared != null) {
                wait = Math.max(wait, shared.take(Math.max(0, bytes)));
            }
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
                if (shared != null) {
                    wait = Math.max(wait, shared.waitNanos());
                }
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
            System.err.printf("pacer %.3f bytes=%d starved=%.1fms rate=%.0f qd=%.2fms phase=%s base=%.2fms buf=%d"
                            + " clamp=%d kwin=%d unread=%d wlim=%s foreign=%.0f%n",
                    now / 1e9, intervalBytes, starved / 1e6, bucket.rate(),
                    controller == null ? 0 : controller.queuingDelayNanos() / 1e6,
                    controller == null ? "-" : controller.phase(), probeDelay.baseDelay() / 1e6, buffer, clamp, kernelWindow,
                    lastUnread, controller != null && controller.windowLimited(), foreignRate);
        }
        if (controller != null) {
            TcpInfo.Reading info = tcpInfo == null ? null : tcpInfo.read();
            kernelWindow = info == null || info.rcvSsthresh() <= 0 ? -1 : info.rcvSsthresh();
            long unread = info == null ? -1 : info.unread();
            long base = baseDelay();
            long rtt = base < 0 ? -1 : base + controller.queuingDelayNanos();
            long offered = buffer <= 0 ? -1 : kernelWindow > 0 ? Math.min(buffer, kernelWindow) : buffer;
            if (offered > 0 && clamp > 0) {
                offered = Math.min(offered, clamp);
            }
            double allowedRate = bucket.rate();
            boolean windowLimited = ReceiveWindow.limits(offered, allowedRate, rtt);
            controller.onInterval(intervalBytes, starved, dt, windowLimited);
            window.arrived(controller.arrivalRate());
            lastUnread = unread;
            // What arrived on the connection: the kernel's count when it has one (what the loop read lags it by
            // the socket's fill and the stream's buffer), else what the loop read.
            long received = info == null ? -1 : info.bytesReceived();
            boolean kernelCount = received >= 0 && lastReceived >= 0;
            long ours = kernelCount ? received - lastReceived : intervalBytes;
            // The first interval of a connection compares nothing (no earlier count): it is not someone else's.
            boolean comparable = kernelCount || received < 0;
            lastReceived = received;
            if (counters != null) {
                long rx = counters.receivedBytes();
                // The first second of a connection is not compared either: its handshakes, the probe's connection
                // and the request's first burst made "someone else's traffic" at the start (a spurious yield).
                if (rx >= 0 && lastRx >= 0 && comparable && now - connectedAt >= FOREIGN_GRACE_NANOS) {
                    // Our bytes arrive with 3-4% of headers, and our ACKs and probes count too (on loopback both
                    // directions are received): a tenth over our payload is still ours.
                    foreignRate = Math.max(0, rx - lastRx - 1.1 * Math.max(0, ours)) * 1e9 / dt;
                    controller.onForeignTraffic(foreignRate);
                }
                lastRx = rx;
            }
            if (info != null && (lastProbe == Long.MIN_VALUE || now - lastProbe > PROBE_STALE_NANOS)) {
                long us = info.rcvRttMicros();
                if (us > 0) {
                    signalled = true;
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

    private long baseDelay() {
        return probeDelay.baseDelay() >= 0 ? probeDelay.baseDelay() : tcpDelay.baseDelay();
    }

    private void resize() {
        Socket s = socket;
        if (s == null || fixedBuffer > 0 || controller == null) {
            return;
        }
        int want;
        int clampTo;
        if (signalled || clock.getAsLong() - connectedAt < SIGNAL_GRACE_NANOS) {
            // The controller's rate (not the cap's: before its first sample an unlimited bucket asked for 12 MB and
            // the sender's slow start filled the path's queue).
            double r = Math.min(controller.rate(), cap.getAsDouble());
            boolean yielding = controller.foreignTraffic();
            // The window grants the sender what it may send even after the bucket slows down (Linux never moves
            // the right edge back): sized to what arrives (twice it, room for the sender's slow start), not to an
            // allowed rate that runs ahead of the arrivals.
            double granted = Math.min(r, Math.max(2 * controller.arrivalRate(), START_WINDOW_RATE));
            clampTo = window.clamp(granted, baseDelay(), targetNanos, yielding);
            if (tcpInfo != null) {
                // Two knobs: the memory (SO_RCVBUF) stays at what the link carried recently, so no segment in
                // flight is ever dropped for want of room (a drop collapsed the window the kernel offers to two
                // segments and cost the sender a timeout); the window (TCP_WINDOW_CLAMP) follows the rate.
                want = window.size(r, controller.capacityEstimate(), baseDelay(), targetNanos, false);
            } else {
                // No clamp to set (not Linux): the buffer is the window, and follows the rate down when yielding.
                want = window.size(r, controller.capacityEstimate(), baseDelay(), targetNanos, yielding);
                clampTo = -1;
            }
        } else {
            // No signal came: the cap only, and a window that does not limit.
            want = CONNECT_BUFFER;
            clampTo = CONNECT_BUFFER;
        }
        // Hysteresis: a change of less than an eighth is not worth a system call.
        if (Math.abs(want - buffer) > buffer / 8) {
            try {
                s.setReceiveBufferSize(want);
                buffer = want;
            } catch (SocketException e) {
                socket = null;
                return;
            }
        }
        if (clampTo > 0 && tcpInfo != null && Math.abs(clampTo - clamp) > clamp / 8) {
            // Also needed to grow the window: Linux keeps the clamp it took from the buffer at the first data,
            // and a later, larger buffer alone does not re-open the window (measured: 5 kB offered with 400 kB).
            if (tcpInfo.windowClamp(clampTo)) {
                clamp = clampTo;
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
            window.floor(floor, segment(s));
            connectedAt = clock.getAsLong();
            lastUnread = -1;
            lastReceived = -1;
            clamp = 0;
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

    /** The interface's segment size (MTU minus 40 bytes of headers), 1460 when unknown. */
    private static int segment(Socket s) {
        try {
            java.net.NetworkInterface ni = java.net.NetworkInterface.getByInetAddress(s.getLocalAddress());
            return ni == null ? 1460 : Math.max(536, Math.min(65_483, ni.getMTU() - 40));
        } catch (SocketException | RuntimeException e) {
            return 1460;
        }
    }

    /** The base delay the probe measured, nanoseconds; -1 before any sample. */
    public synchronized long baseDelayNanos() {
        return probeDelay.baseDelay();
    }
}
