package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import org.jbits.BitsException;
import org.jbits.CostState;
import org.jbits.HResult;
import org.jbits.agent.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbits network [--json]} and {@code jbits network --override COST|auto}: the network cost state the agent
 * schedules by, where it comes from and since when; an administrator's override of it, kept across agent restarts.
 */
@Command(name = "network", mixinStandardHelpOptions = true, description = "Show the network cost state jobs are scheduled by, or override it.")
final class NetworkCommand implements Callable<Integer> {
    @Option(names = "--override", paramLabel = "COST|auto",
            description = "Set the cost state, kept across agent restarts: unrestricted, capped, below-cap, near-cap, "
                    + "over-cap-charged, over-cap-throttled, usage-based or roaming; auto returns to detection.")
    String override;

    @Option(names = "--json", description = "Print {\"costState\", \"costStateName\", \"costStateBit\", \"source\", "
            + "\"changed\", \"detail\", \"detected\"}.")
    boolean json;

    @Override
    public Integer call() {
        Request request = override == null ? new Request.Network() : new Request.NetworkOverride(cost(override));
        try (Connection conn = Connection.forEnvironment()) {
            JsonNode n = conn.call(request).path("network");
            if (json) {
                Output.json(System.out, n);
            } else {
                System.out.println(line(n));
            }
        }
        return 0;
    }

    /** The override's cost state, null for auto; checked before any agent is asked (or started). */
    static CostState cost(String text) {
        if (text.strip().equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            return CliSpellings.costState(text);
        } catch (BitsException e) {
            StringBuilder names = new StringBuilder();
            for (CostState c : CostState.values()) {
                names.append(CliSpellings.spelling(c)).append(", ");
            }
            throw CliException.of(new BitsException(HResult.E_INVALIDARG, "unknown network cost state '" + text
                    + "' (expected " + names + "or auto)"));
        }
    }

    /** {@code network cost: Capped (BITS_COST_STATE_CAPPED_USAGE_UNKNOWN) from NetworkManager since ...: detail}. */
    static String line(JsonNode n) {
        StringBuilder b = new StringBuilder(describe(n));
        JsonNode d = n.path("detected");
        if (d.isObject()) {
            b.append("; detection says ").append(describe(d));
        }
        return Output.safe("network cost: " + b);
    }

    private static String describe(JsonNode n) {
        String detail = n.path("detail").asText("");
        return n.path("costState").asText() + " (" + n.path("costStateName").asText() + ") from "
                + n.path("source").asText() + " since " + n.path("changed").asText()
                + (detail.isEmpty() ? "" : ": " + detail);
    }
}
