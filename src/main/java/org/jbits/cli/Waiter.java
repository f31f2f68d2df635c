package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jbits.HResult;
import org.jbits.agent.JobJson;
import org.jbits.agent.Request;

/**
 * Follows a synchronous {@code jbits start} to its end, with a progress bar on a terminal or plain lines otherwise,
 * then completes the job. A job that ends in Error is kept (as Start-BitsTransfer keeps it) and the error line says
 * how to retry or remove it; Ctrl-C removes the job, as it does for Start-BitsTransfer.
 */
final class Waiter {
    private final Connection conn;
    private final boolean json;
    private final boolean terminal = Io.current().console();
    private final PrintStream err = Io.current().err();
    /** Looked up on the first TransientError only: the time zone data costs a synchronous start a few ms. */
    private ZoneId zone;
    private final PlainLines plain = new PlainLines();
    private final ProgressLine rate = new ProgressLine();
    private final Terminal term = new Terminal();
    private final long startNanos = System.nanoTime();
    private JsonNode job;
    private volatile boolean finished;
    /** Set by the Ctrl-C hook before it removes the job, so the main thread does not blame "someone else". */
    private volatile boolean interrupted;
    /** On a terminal: the last TransientError explanation printed above the bar. */
    private String lastNotice;

    Waiter(Connection conn, JsonNode job, boolean json) {
        this.conn = conn;
        this.job = job;
        this.json = json;
    }

    int run() {
        String id = job.path("jobId").asText();
        Thread hook = new Thread(() -> {
            if (!finished) {
                interrupted = true;
                try (Connection c = conn.again()) {
                    c.call(new Request.Remove(id));
                    endLine();
                    err.println("jbits: interrupted: removed job " + id
                            + ", as Start-BitsTransfer does on Ctrl-C [E_ABORT 0x80004004]");
                } catch (RuntimeException e) {
                    endLine();
                    err.println("jbits: interrupted; job " + id + " is kept: remove it with 'jbits remove " + id
                            + "' [E_ABORT 0x80004004]");
                }
                err.flush();
            }
        });
        Io.current().onInterrupt(hook);
        try {
            String state = job.path("jobState").asText();
            while (true) {
                if (Io.current().abandoned()) {
                    return CliException.JOB_ERROR; // a fast client killed: the job is left as a killed JVM leaves it
                }
                render(state);
                switch (state) {
                    case "Transferred" -> {
                        ObjectNode done = conn.call(new Request.Complete(id));
                        finished = true;
                        endLine();
                        int hr = done.path("hresult").asInt();
                        if (json) {
                            Output.json(Io.current().out(), done.path("job"));
                        }
                        if (hr != HResult.S_OK) {
                            throw new CliException(CliException.JOB_ERROR, "job " + id + " completed with "
                                    + HResult.name(hr) + " " + HResult.hex(hr)
                                    + ": not every file was transferred; only the transferred files were kept");
                        }
                        if (!json) {
                            Io.current().out().println("Transferred " + job.path("filesTotal").asInt() + " file(s), "
                                    + Output.bytes(job.path("bytesTransferred").asLong()) + " in "
                                    + seconds() + " (job " + id + ")");
                        }
                        return 0;
                    }
                    case "Error" -> {
                        finished = true;
                        endLine();
                        String error = Output.jobError(job);
                        if (error == null) {
                            // The snapshot can predate the error's details (they are read apart from the state).
                            job = reread(id);
                            error = Output.jobError(job);
                        }
                        if (json) {
                            Output.json(Io.current().out(), job);
                        }
                        throw new CliException(CliException.JOB_ERROR, "job " + id + " failed: "
                                + (error != null ? error : "no error details reported [BG_E_ERROR_INFORMATION_UNAVAILABLE 0x8020000F]")
                                + "; the job is kept in Error: 'jbits resume " + id + "' retries it, 'jbits remove " + id
                                + "' removes it and its temporary files");
                    }
                    case "Cancelled", "Acknowledged" -> {
                        finished = true;
                        if (interrupted) {
                            return CliException.JOB_ERROR; // the hook says what happened
                        }
                        endLine();
                        throw new CliException(CliException.JOB_ERROR, "job " + id + " was " + state.toLowerCase(Locale.ROOT)
                                + " by someone else [BG_E_INVALID_STATE 0x80200002]");
                    }
                    default -> {
                        Request.Wait wait = new Request.Wait(id, JobJson.state(job),
                                Duration.ofMillis(terminal ? 250 : 1000));
                        try {
                            job = Connection.job(conn.call(wait));
                        } catch (CliException e) {
                            if (e.exitCode == CliException.NOT_FOUND && !interrupted) {
                                finished = true;
                                endLine();
                                throw new CliException(CliException.JOB_ERROR, "job " + id
                                        + " was removed by someone else [BG_E_NOT_FOUND 0x80200001]");
                            }
                            if (interrupted) {
                                return CliException.JOB_ERROR;
                            }
                            throw e;
                        }
                        state = job.path("jobState").asText();
                    }
                }
            }
        } finally {
            finished = true;
            Io.current().removeInterrupt(hook);
        }
    }

    private JsonNode reread(String id) {
        try {
            JsonNode list = conn.call(new Request.Get(List.of(id))).path("jobs");
            return list.isArray() && !list.isEmpty() ? list.get(0) : job;
        } catch (CliException e) {
            return job;
        }
    }

    private String seconds() {
        return Output.oneDecimal((System.nanoTime() - startNanos) / 1e9) + " s";
    }

    private void render(String state) {
        long done = job.path("bytesTransferred").asLong();
        long total = job.path("bytesTotal").asLong();
        if (terminal) {
            String notice = state.equals("TransientError") ? progressLine(job, zone(), Instant.now()) : null;
            if (notice != null && !notice.equals(lastNotice)) {
                // Above the bar, once per error: why it waits and until when.
                err.print("\r" + notice + "\033[K\n");
            }
            lastNotice = notice;
            long now = System.nanoTime();
            rate.sample(now, done);
            String line = "\r" + ProgressLine.render(term.width(), null, done, total, rate.rate(), state) + "\033[K";
            err.print(line);
            err.flush();
        } else {
            String line = plain.next(state, progressLine(job, state.equals("TransientError") ? zone() : null, Instant.now()),
                    System.nanoTime());
            if (line != null) {
                err.println(line);
            }
        }
    }

    private ZoneId zone() {
        if (zone == null) {
            zone = Io.current().zone();
        }
        return zone;
    }

    private void endLine() {
        if (terminal) {
            err.println();
        }
    }

    /**
     * A plain progress line: "Transferring: 1.5 MiB / 6.0 MiB"; in TransientError with the reason when the job
     * reports one and when it tries again: "TransientError: 0 B / unknown (BG_E_CONNECT_FAILURE ... in
     * GeneralTransport: ...); next retry at 11:45:02, 600 s after the error". Never the word "null". {@code zone}
     * is read only for a TransientError line.
     */
    static String progressLine(JsonNode job, ZoneId zone, Instant now) {
        String state = Output.text(job, "jobState");
        StringBuilder b = new StringBuilder(state).append(": ").append(Output.bytes(job.path("bytesTransferred").asLong()))
                .append(" / ").append(Output.total(job.path("bytesTotal").asLong()));
        if (state.equals("TransientError")) {
            String error = Output.jobError(job);
            if (error != null) {
                b.append(" (").append(error).append(')');
            }
            String retry = Output.nextRetry(job, zone, now);
            if (retry != null) {
                b.append("; ").append(retry);
            }
        }
        return b.toString();
    }

    /**
     * Which plain progress lines reach a log: a new state at once; otherwise a line that differs from the last one
     * printed, at most every {@link #INTERVAL_NANOS}; the same line never twice in a row. A job waiting out a
     * 600 s retry delay thus logs one line, not one every few seconds.
     */
    static final class PlainLines {
        /** 5 s: a transfer's progress shows a dozen times a minute (the cadence jbits had), a long wait once. */
        static final long INTERVAL_NANOS = 5_000_000_000L;

        private String lastState;
        private String lastLine;
        private long lastNanos;

        /** The line to print now, or null. */
        String next(String state, String line, long nanos) {
            boolean newState = !Objects.equals(state, lastState);
            if (!newState && (line.equals(lastLine) || nanos - lastNanos < INTERVAL_NANOS)) {
                return null;
            }
            lastState = state;
            lastLine = line;
            lastNanos = nanos;
            return line;
        }
    }
}
