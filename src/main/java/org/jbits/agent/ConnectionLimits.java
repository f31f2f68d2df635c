package org.jbits.agent;

import java.time.Duration;

/**
 * The bounds of the agent's connection handling, which keep a flood of connections (or one client that never ends
 * its line) from using up the agent's threads or memory.
 *
 * @param maxConnections connections held at once; at the limit, a new one closes the longest idle one
 * @param maxLineBytes the longest request line, without its newline
 * @param maxBufferedBytes what all unfinished request lines together may hold
 * @param idle how long a connection may wait between requests
 * @param request how long a request may take to arrive once its first byte has
 * @param write how long a reply may take to be read by the client
 */
record ConnectionLimits(int maxConnections, int maxLineBytes, long maxBufferedBytes, Duration idle, Duration request,
        Duration write) {
    /** The agent's bounds: 1,024 connections, 1 MiB lines, 32 MiB of unfinished lines, 60/10/30 s. */
    static final ConnectionLimits DEFAULTS = new ConnectionLimits(1024, RequestCodec.MAX_LINE_BYTES, 32L << 20,
            Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30));
}
