package org.jbits.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/** One connection to an agent: send a request, read its reply. */
public final class AgentClient implements AutoCloseable {
    private final SocketChannel channel;
    private final OutputStream out;
    private final BufferedReader in;

    private AgentClient(SocketChannel channel) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    }

    /** Connects to the agent listening on {@code socket}. */
    public static AgentClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new AgentClient(ch);
    }

    /** True when an agent answers a status request on {@code socket} and serves this user. */
    public static boolean answers(Path socket) {
        return status(socket).map(r -> r.path("ok").asBoolean(false)).orElse(false);
    }

    /**
     * The reply of the agent on {@code socket} to a status request, which is a refusal when that agent serves
     * another user; empty when no agent answers there.
     */
    public static Optional<ObjectNode> status(Path socket) {
        try (AgentClient c = connect(socket)) {
            return Optional.of(c.call(Protocol.ok().put("op", "status")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Sends one request and returns the reply (which may be a failure reply). An agent that refuses this peer
     * answers and closes before reading the request, so when the write fails the refusal already sent is still
     * read and returned; only without one does the write's error stand.
     */
    public ObjectNode call(ObjectNode request) throws IOException {
        request.remove("ok");
        try {
            out.write(Json.bytes(request));
            out.write('\n');
            out.flush();
        } catch (IOException writeFailed) {
            try {
                return readReply();
            } catch (IOException noReply) {
                writeFailed.addSuppressed(noReply);
                throw writeFailed;
            }
        }
        return readReply();
    }

    private ObjectNode readReply() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("the agent closed the connection");
        }
        JsonNode reply = Json.parse(line);
        if (!(reply instanceof ObjectNode o)) {
            throw new IOException("the agent sent a malformed reply");
        }
        return o;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
