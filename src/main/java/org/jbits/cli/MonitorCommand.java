package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jbits.agent.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jbits monitor [JOB...]}: {@code bitsadmin /monitor}. On a terminal, one line per job (name, percentage,
 * bar, bytes, rate, ETA, state), each fitted to the width, redrawn in place every {@code --interval} until Ctrl-C;
 * otherwise plain lines, a job's line when its state changes or, while it moves, at most every 5 s. The jobs are
 * the caller's (all of them, or those named: an id or a display name, every job of that name); a job that goes
 * away leaves the view.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "Watch jobs live, refreshed in place, until Ctrl-C (bitsadmin /monitor).")
final class MonitorCommand implements Callable<Integer> {
    @Parameters(paramLabel = "JOB", arity = "0..*", description = "Job ids or display names; none: all your jobs.")
    List<String> jobs = List.of();

    @Option(names = "--interval", paramLabel = "SECONDS", description = "Refresh every SECONDS (default 1; 0.2 to 60).")
    double interval = 1;

    @Option(names = "--count", paramLabel = "N", hidden = true, description = "Stop after N refreshes (tests).")
    long count = Long.MAX_VALUE;

    private final PrintStream out = System.out;
    private final Map<String, ProgressLine> rates = new HashMap<>();
    private final Map<String, Waiter.PlainLines> plain = new HashMap<>();
    private int drawn;

    @Override
    public Integer call() {
        if (!(interval >= 0.2 && interval <= 60)) {
            throw new CliException(CliException.USAGE, "--interval must be 0.2 to 60 seconds, not " + interval);
        }
        boolean terminal = System.console() != null;
        Terminal term = terminal ? new Terminal(1) : null;
        if (terminal) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                out.print("\033[?25h"); // the cursor back
                out.flush();
            }));
            out.print("\033[?25l");
        }
        try (Connection conn = Connection.forEnvironment()) {
            for (long n = 0; n < count; n++) {
                List<JsonNode> shown = select(conn.call(new Request.Get(List.of())).path("jobs"));
                long now = System.nanoTime();
                if (terminal) {
                    draw(shown, term, now);
                } else {
                    for (JsonNode j : shown) {
                        String id = j.path("jobId").asText();
                        ProgressLine r = rates.computeIfAbsent(id, k -> new ProgressLine());
                        r.sample(now, j.path("bytesTransferred").asLong());
                        String line = plainLine(j, r.rate());
                        String l = plain.computeIfAbsent(id, k -> new Waiter.PlainLines())
                                .next(j.path("jobState").asText(), line, now);
                        if (l != null) {
                            out.println(LocalTime.now().withNano(0) + " " + l);
                        }
                    }
                    out.flush();
                }
                if (n + 1 < count) {
                    Thread.sleep((long) (interval * 1000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The jobs asked for, in the agent's order. */
    private List<JsonNode> select(JsonNode all) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode j : all) {
            if (jobs.isEmpty() || jobs.stream().anyMatch(ref -> names(j, ref))) {
                out.add(j);
            }
        }
        return out;
    }

    private static boolean names(JsonNode j, String ref) {
        String r = ref.trim();
        String bare = r.startsWith("{") && r.endsWith("}") ? r.substring(1, r.length() - 1) : r;
        return j.path("jobId").asText().equalsIgnoreCase(bare) || j.path("displayName").asText().equals(r);
    }

    private void draw(List<JsonNode> shown, Terminal term, long now) {
        int width = term.width();
        int room = Math.max(1, term.rows() - 2);
        StringBuilder b = new StringBuilder();
        if (drawn > 0) {
            b.append("\r\033[").append(drawn).append('A');
        }
        String head = "jbits monitor: " + shown.size() + " job(s), " + LocalTime.now().withNano(0)
                + "  (Ctrl-C to quit)";
        b.append(Output.clip(head, Math.max(1, width - 1))).append("\033[K\n");
        int lines = 1;
        int i = 0;
        for (JsonNode j : shown) {
            String id = j.path("jobId").asText();
            ProgressLine r = rates.computeIfAbsent(id, k -> new ProgressLine());
            r.sample(now, j.path("bytesTransferred").asLong());
            if (i++ >= room - 1 && shown.size() > room) {
                b.append("... ").append(shown.size() - i + 1).append(" more\033[K\n");
                lines++;
                break;
            }
            String name = Output.clip(Output.text(j, "displayName"), 16) + " " + id.substring(0, 8);
            b.append(ProgressLine.render(width, name, j.path("bytesTransferred").asLong(),
                    j.path("bytesTotal").asLong(), r.rate(), Output.text(j, "jobState"),
                    ProgressLine.BYTES_RATE_ETA)).append("\033[K\n");
            lines++;
        }
        b.append("\033[J");
        rates.keySet().retainAll(shown.stream().map(j -> j.path("jobId").asText()).toList());
        drawn = lines;
        out.print(b);
        out.flush();
    }

    /** "ID NAME State: 1.5 MiB / 6.0 MiB, 2.0 MiB/s, ETA 0:03". */
    static String plainLine(JsonNode j, double rate) {
        StringBuilder b = new StringBuilder(Output.text(j, "jobId")).append(' ')
                .append(Output.text(j, "displayName")).append(' ')
                .append(Waiter.progressLine(j, java.time.ZoneId.systemDefault(), java.time.Instant.now()));
        long done = j.path("bytesTransferred").asLong();
        long total = j.path("bytesTotal").asLong();
        String state = j.path("jobState").asText();
        if ((state.equals("Transferring") || state.equals("Connecting")) && rate >= 0) {
            b.append(", ").append(Output.bytes((long) rate)).append("/s");
            long eta = ProgressLine.eta(done, total, rate);
            if (eta >= 0) {
                b.append(", ETA ").append(ProgressLine.duration(eta));
            }
        }
        return b.toString();
    }
}
