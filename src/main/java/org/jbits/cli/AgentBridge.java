package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.agent.AgentProcess;
import org.jbits.agent.Json;
import org.jbits.agent.Protocol;
import org.jbits.file.Umask;

/**
 * {@code jbits agent bridge}: the remote end of {@code jbits --host ssh://...}. ssh runs it as the remote user
 * with the client's requests on its stdin; it copies each request line to that user's agent (started on demand,
 * exactly as a local command starts it) and the agent's bytes back to stdout, until either side closes. The agent
 * thus sees a local caller, the remote user, and checks it as it checks any other.
 *
 * <p>One kind of line is the bridge's own: {@code {"bridge": ...}}, the path checks a local command makes before
 * it sends anything ({@link RemotePaths}), done here so that paths are this machine's and checked as this user.
 * They are answered without an agent: bad input starts none. The client sends one request at a time, so replies
 * never interleave.
 */
final class AgentBridge {
    /** A bridge request (a CSV file's rows) may be longer than an agent request; a longer line ends the bridge. */
    static final int MAX_LINE_BYTES = 64 << 20;
    private static final byte[] BRIDGE_PREFIX = "{\"bridge\":".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final OutputStream out;
    private final Path stateDir;
    private SocketChannel agent;
    private Thread replies;

    AgentBridge(InputStream in, OutputStream out, Path stateDir) {
        this.in = in;
        this.out = out;
        this.stateDir = stateDir;
    }

    /** Runs until stdin ends (the client closed) or the agent closes its end. */
    void run() throws IOException {
        byte[] buf = new byte[64 * 1024];
        byte[] line = new byte[4096];
        int length = 0;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    int part = i - from;
                    if (length + part > MAX_LINE_BYTES) {
                        throw tooLong();
                    }
                    line = ensure(line, length + part);
                    System.arraycopy(buf, from, line, length, part);
                    length += part;
                    if (!line(line, length)) {
                        return;
                    }
                    length = 0;
                    from = i + 1;
                }
                int rest = n - from;
                if (length + rest > MAX_LINE_BYTES) {
                    throw tooLong();
                }
                line = ensure(line, length + rest);
                System.arraycopy(buf, from, line, length, rest);
                length += rest;
            }
        } finally {
            if (agent != null) {
                agent.close();
            }
            if (replies != null) {
                try {
                    replies.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static CliException tooLong() {
        return new CliException(CliException.USAGE, "a request line is over " + (MAX_LINE_BYTES >> 20) + " MiB");
    }

    private static byte[] ensure(byte[] b, int size) {
        return size <= b.length ? b : Arrays.copyOf(b, Math.max(size, 2 * b.length));
    }

    /** One line from the client; false when the agent has gone and the bridge ends. */
    private boolean line(byte[] line, int length) throws IOException {
        if (length >= BRIDGE_PREFIX.length && Arrays.equals(line, 0, BRIDGE_PREFIX.length, BRIDGE_PREFIX, 0, BRIDGE_PREFIX.length)) {
            reply(answer(new String(line, 0, length, StandardCharsets.UTF_8)));
            return true;
        }
        if (agent == null) {
            connect();
        }
        ByteBuffer b = ByteBuffer.allocate(length + 1);
        b.put(line, 0, length).put((byte) '\n').flip();
        try {
            while (b.hasRemaining()) {
                agent.write(b);
            }
        } catch (IOException e) {
            return false; // the agent closed; what it said last is on its way back
        }
        return true;
    }

    /** The agent of this user's state directory, started if none runs, and the thread copying its replies out. */
    private void connect() {
        try {
            AgentProcess.ensureRunning(stateDir);
        } catch (BitsException e) {
            throw Connection.unreachable(e);
        }
        try {
            agent = SocketChannel.open(StandardProtocolFamily.UNIX);
            agent.connect(UnixDomainSocketAddress.of(AgentProcess.socket(stateDir)));
        } catch (IOException e) {
            throw new CliException(CliException.AGENT_UNREACHABLE, "cannot reach the agent at "
                    + AgentProcess.socket(stateDir) + ": " + e.getMessage());
        }
        InputStream fromAgent = Channels.newInputStream(agent);
        replies = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                int n;
                while ((n = fromAgent.read(buf)) >= 0) {
                    synchronized (out) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // the agent or the client went away; the other side sees its stream end
            } finally {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // nothing more to say
                }
            }
        }, "jbits-bridge-replies");
        replies.setDaemon(true);
        replies.start();
    }

    private void reply(ObjectNode reply) throws IOException {
        synchronized (out) {
            out.write(Protocol.line(reply));
            out.flush();
        }
    }

    /** A bridge request's reply: the checks' result, or the failure they gave. */
    static ObjectNode answer(String text) {
        try {
            JsonNode r = Json.parse(text);
            String op = r.path("bridge").asText();
            ObjectNode reply = Protocol.ok();
            switch (op) {
                case "pair" -> files(reply, FileSpecs.pair(strings(r.path("sources")), text(r, "destination")));
                case "pairUpload" -> files(reply, FileSpecs.pairUpload(strings(r.path("sources")), text(r, "destination")));
                case "csv" -> {
                    List<Csv.Record> records = new ArrayList<>();
                    for (JsonNode rec : r.path("records")) {
                        records.add(new Csv.Record(rec.path("line").asInt(), strings(rec.path("fields"))));
                    }
                    files(reply, FileSpecs.fromRecords(records, text(r, "name"), r.path("upload").asBoolean()));
                }
                case "replyFile" -> reply.put("path", PropertyOptions.replyFile(text(r, "path")));
                case "fileMode" -> reply.put("fileMode", Umask.fileMode(Umask.current()));
                default -> throw new BitsException(HResult.E_INVALIDARG, "unknown bridge request '"
                        + Output.safe(op) + "'");
            }
            return reply;
        } catch (BitsException e) {
            return Protocol.error(e);
        } catch (IOException | RuntimeException e) {
            return Protocol.error(new BitsException(HResult.E_INVALIDARG, "a malformed bridge request: "
                    + Output.safe(String.valueOf(e.getMessage()))));
        }
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.path(field);
        if (!v.isTextual()) {
            throw new BitsException(HResult.E_INVALIDARG, "the bridge request has no '" + field + "'");
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : a) {
            if (!s.isTextual()) {
                throw new BitsException(HResult.E_INVALIDARG, "a bridge request's list holds a non-string");
            }
            out.add(s.asText());
        }
        return out;
    }

    private static void files(ObjectNode reply, List<FileSpecs.Spec> specs) {
        ArrayNode a = reply.putArray("files");
        for (FileSpecs.Spec s : specs) {
            a.addObject().put("remote", s.remote()).put("local", s.local());
        }
    }
}
