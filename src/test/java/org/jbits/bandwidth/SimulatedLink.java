package org.jbits.bandwidth;

/**
 * A fluid model of one bottleneck for the controller's tests: a FIFO queue of {@code capacity} bytes/s with
 * {@code buffer} bytes of room and a base round trip of {@code baseRtt}, shared by the paced flow (it puts in what
 * the controller allows: a receiver-paced sender follows the reads) and a greedy Reno-like foreground flow (slow
 * start from ten segments, then one segment per round trip; the window halves when the queue overflows). Deterministic: time moves only
 * in {@link #step}.
 */
final class SimulatedLink {
    final double capacity;
    final double buffer;
    final double baseRtt;
    double queueOurs;
    double queueFg;
    boolean fgOn;
    double fgWindow = 14480;
    boolean fgSlowStart = true;
    double lastFgHalving = -1;
    double now;
    /** Bytes of each flow served in the last step. */
    double servedOurs;
    double servedFg;

    SimulatedLink(double capacity, double buffer, double baseRtt) {
        this.capacity = capacity;
        this.buffer = buffer;
        this.baseRtt = baseRtt;
    }

    double queue() {
        return queueOurs + queueFg;
    }

    /** The queuing delay, seconds. */
    double queuingDelay() {
        return queue() / capacity;
    }

    double rtt() {
        return baseRtt + queuingDelay();
    }

    /** Moves time by {@code dt} seconds with the paced flow offering {@code oursRate} bytes/s. */
    void step(double dt, double oursRate) {
        double fgRate = fgOn ? fgWindow / rtt() : 0;
        queueOurs += oursRate * dt;
        queueFg += fgRate * dt;
        double q = queue();
        double serve = Math.min(q, capacity * dt);
        servedOurs = q > 0 ? serve * queueOurs / q : 0;
        servedFg = q > 0 ? serve * queueFg / q : 0;
        queueOurs -= servedOurs;
        queueFg -= servedFg;
        if (queue() > buffer) {
            double over = queue() - buffer;
            double share = queueOurs / queue();
            queueOurs -= over * share;
            queueFg -= over * (1 - share);
            if (fgOn && now - lastFgHalving > rtt()) {
                fgWindow = Math.max(3000, fgWindow / 2);
                lastFgHalving = now;
                fgSlowStart = false;
            }
        } else if (fgOn) {
            // Slow start doubles the window every round trip, congestion avoidance adds a segment.
            fgWindow += (fgSlowStart ? fgWindow : 1448) * dt / rtt();
        }
        if (!fgOn) {
            fgWindow = 14480;
            fgSlowStart = true;
        }
        now += dt;
    }
}
