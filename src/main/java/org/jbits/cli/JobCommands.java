package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.agent.JobProperties;
import org.jbits.agent.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that act on existing jobs: get, add-file, set, suspend, resume, complete, remove. */
final class JobCommands {
    private JobCommands() {
    }

    static void print(JsonNode job, boolean json) {
        if (json) {
            Output.json(System.out, job);
        } else {
            Output.table(System.out, List.of(job));
        }
    }

    @Command(name = "get", description = "Show jobs (Get-BitsTransfer).")
    static final class Get implements Callable<Integer> {
        @Parameters(paramLabel = "JOB", arity = "0..*", description = "Job ids or display names; none: all your jobs.")
        List<String> jobs = List.of();

        @Option(names = "--all-users", description = "Jobs of every user (needs the rights to read them).")
        boolean allUsers;

        @Option(names = "--json", description = "Print a JSON array of job objects.")
        boolean json;

        @Override
        public Integer call() {
            if (allUsers) {
                throw new CliException(CliException.USAGE, "--all-users is not supported by the portable backend: "
                        + "each user's agent keeps only that user's jobs [" + HResult.name(HResult.E_NOTIMPL) + "]");
            }
            try (Connection conn = Connection.forEnvironment()) {
                if (json) {
                    conn.printJobsJson(new Request.Get(jobs), System.out);
                } else {
                    JsonNode list = conn.call(new Request.Get(jobs)).path("jobs");
                    List<JsonNode> l = new ArrayList<>();
                    list.forEach(l::add);
                    Output.table(System.out, l);
                }
            }
            return 0;
        }
    }

    @Command(name = "add-file", description = "Add a file to a job (Add-BitsFile).")
    static final class AddFile implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB")
        String job;

        @Parameters(index = "1", paramLabel = "SOURCE")
        String source;

        @Parameters(index = "2", paramLabel = "DESTINATION")
        String destination;

        @Option(names = "--expected-sha256", paramLabel = "HEX",
                description = "The SHA-256 the file must have (BG_E_VALIDATION_FAILED otherwise).")
        String expectedSha256;

        @Option(names = "--json", description = "Print the job as JSON.")
        boolean json;

        @Override
        public Integer call() {
            try (Connection conn = Connection.forEnvironment()) {
                List<FileSpecs.Spec> specs;
                String sha;
                try {
                    sha = expectedSha256 == null ? null : org.jbits.BitsLimits.checkSha256(expectedSha256);
                    specs = conn.paths().pair(List.of(source), destination);
                    if (sha != null && specs.size() != 1) {
                        throw new BitsException(HResult.E_INVALIDARG, "--expected-sha256 names one file; the source gives "
                                + specs.size());
                    }
                } catch (BitsException e) {
                    throw CliException.of(e);
                }
                JsonNode last = null;
                for (FileSpecs.Spec s : specs) {
                    last = Connection.job(conn.call(new Request.AddFile(job, s.remote(), s.local(), sha)));
                }
                print(last, json);
            }
            return 0;
        }
    }

    @Command(name = "set", description = "Change job properties (Set-BitsTransfer).")
    static final class Set implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB")
        String job;

        @Option(names = "--json", description = "Print the job as JSON.")
        boolean json;

        @Mixin
        PropertyOptions properties = new PropertyOptions();

        @Mixin
        HttpCliOptions http = new HttpCliOptions();

        @Override
        public Integer call() {
            try (Connection conn = Connection.forEnvironment()) {
                JobProperties props = properties.toProperties(conn.paths());
                org.jbits.agent.HttpOptions httpOptions = http.toHttpOptions();
                if (props.isEmpty() && httpOptions.isEmpty()) {
                    throw new CliException(CliException.USAGE, "give at least one property to set (see 'jbits set --help')");
                }
                print(Connection.job(conn.call(new Request.Set(job, props, httpOptions))), json);
            }
            return 0;
        }
    }

    /** suspend / resume / complete / remove: one job in, the job out. */
    abstract static class StateChange implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB")
        String job;

        @Option(names = "--json", description = "Print the job as JSON.")
        boolean json;

        /** The request for {@code job}. */
        abstract Request request(String job);

        @Override
        public Integer call() {
            try (Connection conn = Connection.forEnvironment()) {
                ObjectNode reply = conn.call(request(job));
                print(reply.path("job"), json);
                if (reply.has("result") && !json && reply.path("hresult").asInt() != HResult.S_OK) {
                    System.err.println("jbits: " + reply.path("result").asText() + " ("
                            + HResult.hex(reply.path("hresult").asInt()) + "): not every file was transferred; "
                            + "only the transferred files were kept");
                }
            }
            return 0;
        }
    }

    @Command(name = "suspend", description = "Suspend a job (Suspend-BitsTransfer).")
    static final class Suspend extends StateChange {
        @Override
        Request request(String job) {
            return new Request.Suspend(job);
        }
    }

    @Command(name = "resume", description = "Resume a job (Resume-BitsTransfer).")
    static final class Resume extends StateChange {
        @Override
        Request request(String job) {
            return new Request.Resume(job);
        }
    }

    @Command(name = "complete", description = "Complete a job: its files appear (Complete-BitsTransfer).")
    static final class Complete extends StateChange {
        @Override
        Request request(String job) {
            return new Request.Complete(job);
        }
    }

    @Command(name = "remove", description = "Cancel a job and delete its temporary files (Remove-BitsTransfer).")
    static final class Remove extends StateChange {
        @Override
        Request request(String job) {
            return new Request.Remove(job);
        }
    }
}
