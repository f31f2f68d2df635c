package org.jbits.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * A line to an agent that takes one request at a time and answers each with one reply line: the Unix socket of
 * this machine's agent ({@link AgentClient}), or a stream pair that ends at another machine's agent
 * ({@link StreamClient}: {@code ssh HOST jbits agent bridge}). The CLI's commands see only this.
 */
public interface AgentLink extends AutoCloseable {
    /** Sends one request and returns its reply (which may be a failure reply), within the reply deadline. */
    ObjectNode call(Request request) throws IOException;

    /** Sends one request and returns its reply line as the agent sent it, without the newline. */
    byte[] callLine(Request request) throws IOException;

    @Override
    void close() throws IOException;
}
