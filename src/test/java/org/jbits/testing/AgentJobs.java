package org.jbits.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.jbits.agent.AgentClient;
import org.jbits.agent.Request;

/** A job as the agent reports it ({@code get}'s JSON), for tests that watch jobs change under a running agent. */
public final class AgentJobs {
    private AgentJobs() {
    }

    /** The job's JSON object from the agent's {@code Get}. */
    public static JsonNode job(AgentClient c, String id) {
        try {
            return c.call(new Request.Get(List.of(id))).path("jobs").path(0);
        } catch (Exception e) {
            throw new AssertionError("cannot get job " + id + " from the agent", e);
        }
    }

    /** The job's bytes transferred so far. */
    public static long transferred(AgentClient c, String id) {
        return job(c, id).path("bytesTransferred").asLong();
    }
}
