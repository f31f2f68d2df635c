package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobType;
import org.jbits.agent.JobJson;
import org.jbits.agent.JobProperties;
import org.jbits.agent.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jbits start}: Start-BitsTransfer. Synchronous unless {@code --async} or {@code --suspended}. */
@Command(name = "start", description = "Create a transfer job and run it (Start-BitsTransfer).")
final class StartCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SOURCE... DESTINATION", arity = "0..*",
            description = "Sources (URLs or local paths) followed by the destination file or directory.")
    List<String> args = List.of();

    @Option(names = "--async", description = "Return at once and print the job (-Asynchronous).")
    boolean async;

    @Option(names = "--suspended", description = "Create the job and add its files but leave it Suspended.")
    boolean suspended;

    @Option(names = "--from-csv", paramLabel = "FILE", description = "Read 'Source, Destination' rows, all in one job.")
    Path csv;

    @Option(names = "--transfer-type", paramLabel = "TYPE", description = "download (default), upload or upload-reply.")
    String transferType = "download";

    @Option(names = "--json", description = "Print the job as JSON.")
    boolean json;

    @Mixin
    PropertyOptions properties = new PropertyOptions();

    @Override
    public Integer call() {
        List<FileSpecs.Spec> files = resolveFiles();
        // Start-BitsTransfer's defaults, where they differ from CreateJob's.
        JobProperties props = properties.toProperties().orElse(new JobProperties("BITS Transfer",
                "This is a file transfer that uses the Background Intelligent Transfer Service (BITS).",
                JobPriority.FOREGROUND, null, null, null, null, null, null, null, null));
        JobType type;
        try {
            type = CliSpellings.transferType(transferType);
        } catch (BitsException e) {
            throw CliException.of(e);
        }
        Request.Submit req = new Request.Submit(type, props,
                files.stream().map(f -> new Request.NewFile(f.remote(), f.local())).toList(), suspended);
        try (Connection conn = Connection.forEnvironment()) {
            JsonNode job = Connection.job(conn.call(req));
            if (async || suspended) {
                print(job);
                return 0;
            }
            return new Waiter(conn, job, json).run();
        }
    }

    private List<FileSpecs.Spec> resolveFiles() {
        try {
            if (csv != null) {
                if (!args.isEmpty()) {
                    throw new CliException(CliException.USAGE, "--from-csv takes no SOURCE or DESTINATION arguments");
                }
                return FileSpecs.fromCsv(csv);
            }
            if (args.size() < 2) {
                throw new CliException(CliException.USAGE, "give at least one SOURCE and a DESTINATION");
            }
            return FileSpecs.pair(args.subList(0, args.size() - 1), args.get(args.size() - 1));
        } catch (BitsException e) {
            throw CliException.of(e);
        }
    }

    private void print(JsonNode job) {
        if (json) {
            Output.json(System.out, job);
        } else {
            Output.table(System.out, List.of(job));
        }
    }

    /** Follows a job to its end with a progress bar (terminal) or plain lines, then completes it. */
    static final class Waiter {
        private final Connection conn;
        private final boolean json;
        private final boolean terminal = System.console() != null;
        private final PrintStream err = System.err;
        private JsonNode job;
        private volatile boolean finished;
        private long lastLineNanos;
        private long startNanos = System.nanoTime();

        Waiter(Connection conn, JsonNode job, boolean json) {
            this.conn = conn;
            this.job = job;
            this.json = json;
        }

        int run() {
            String id = job.path("jobId").asText();
            // Ctrl-C on a synchronous transfer removes the job, as it does for Start-BitsTransfer.
            Thread hook = new Thread(() -> {
                if (!finished) {
                    try (Connection c = conn.again()) {
                        c.call(new Request.Remove(id));
                    } catch (RuntimeException ignored) {
                        // the agent will keep the job; the user can remove it
                    }
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                String state = job.path("jobState").asText();
                while (true) {
                    render(state);
                    switch (state) {
                        case "Transferred" -> {
                            ObjectNode done = conn.call(new Request.Complete(id));
                            finished = true;
                            endLine();
                            if (json) {
                                Output.json(System.out, done.path("job"));
                            } else {
                                System.out.println("Transferred " + job.path("filesTotal").asInt() + " file(s), "
                                        + Output.bytes(job.path("bytesTransferred").asLong()) + " in "
                                        + seconds() + " (job " + id + ")");
                            }
                            return HResult.name(done.path("hresult").asInt()).equals("S_OK") ? 0 : CliException.JOB_ERROR;
                        }
                        case "Error" -> {
                            finished = true;
                            endLine();
                            if (json) {
                                Output.json(System.out, job);
                            }
                            throw new CliException(CliException.JOB_ERROR, "job " + id + " failed: " + Output.jobError(job));
                        }
                        case "Cancelled", "Acknowledged" -> {
                            finished = true;
                            endLine();
                            throw new CliException(CliException.JOB_ERROR, "job " + id + " was " + state.toLowerCase(Locale.ROOT)
                                    + " by someone else");
                        }
                        default -> {
                            Request.Wait wait = new Request.Wait(id, JobJson.state(job),
                                    Duration.ofMillis(terminal ? 250 : 1000));
                            try {
                                job = Connection.job(conn.call(wait));
                            } catch (CliException e) {
                                if (e.exitCode == CliException.NOT_FOUND) {
                                    finished = true;
                                    throw new CliException(CliException.JOB_ERROR, "job " + id + " was removed by someone else");
                                }
                                throw e;
                            }
                            state = job.path("jobState").asText();
                        }
                    }
                }
            } finally {
                finished = true;
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
            }
        }

        private String seconds() {
            return Output.oneDecimal((System.nanoTime() - startNanos) / 1e9) + " s";
        }

        private String lastState = "";

        private void render(String state) {
            long done = job.path("bytesTransferred").asLong();
            long total = job.path("bytesTotal").asLong();
            if (terminal) {
                int width = 30;
                int pct = total > 0 ? (int) Math.min(100, done * 100 / total) : 0;
                int fill = total > 0 ? (int) Math.min(width, done * width / total) : 0;
                double secs = Math.max(0.001, (System.nanoTime() - startNanos) / 1e9);
                String bar = "[" + "=".repeat(fill) + " ".repeat(width - fill) + "]";
                String line = String.format(Locale.ROOT, "\r%3d%% %s %s / %s  %s/s  %-14s", pct, bar, Output.bytes(done),
                        Output.total(total), Output.bytes((long) (done / secs)), state);
                err.print(line);
                err.flush();
            } else if (!state.equals(lastState) || System.nanoTime() - lastLineNanos > 5_000_000_000L) {
                String extra = state.equals("TransientError") ? " (" + Output.jobError(job) + ")" : "";
                err.println(state + ": " + Output.bytes(done) + " / " + Output.total(total) + extra);
                lastLineNanos = System.nanoTime();
            }
            lastState = state;
        }

        private void endLine() {
            if (terminal) {
                err.println();
            }
        }
    }
}
