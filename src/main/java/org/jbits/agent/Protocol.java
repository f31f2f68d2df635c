package org.jbits.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * The agent's control protocol: one JSON object per line each way over the Unix domain socket. A reply has
 * {@code "ok": true} and the result, or {@code "ok": false} with {@code hresult}, {@code error} (the BG_E_* name)
 * and {@code message}.
 */
public final class Protocol {
    /** The socket's file name in the state directory. */
    public static final String SOCKET = "agent.sock";
    /** The agent's pid file in the state directory. */
    public static final String PID_FILE = "agent.pid";
    /** The agent's log file in the state directory. */
    public static final String LOG_FILE = "agent.log";
    /** What a background agent's JVM itself prints (a start-up failure, a crash) in the state directory. */
    public static final String OUT_FILE = "agent.out";

    private Protocol() {
    }

    /** A failure reply for {@code e}. */
    public static ObjectNode error(BitsException e) {
        ObjectNode o = Json.object();
        o.put("ok", false);
        o.put("hresult", e.hresult());
        o.put("error", HResult.name(e.hresult()));
        o.put("message", e.detail());
        return o;
    }

    /** The exception a failure reply stands for. */
    public static BitsException toException(ObjectNode reply) {
        int hr = reply.path("hresult").asInt(HResult.E_FAIL);
        return new BitsException(hr, reply.path("message").asText("the agent reported an error"));
    }

    /** {@code reply} as one line of the protocol: compact UTF-8 JSON and a newline. */
    public static byte[] line(ObjectNode reply) {
        byte[] json = Json.bytes(reply);
        byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    /** An empty success reply. */
    public static ObjectNode ok() {
        ObjectNode o = Json.object();
        o.put("ok", true);
        return o;
    }
}
