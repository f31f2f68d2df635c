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
            Output.json(Io.current().out(), job);
        } else {
            Output.table(Io.current().out(), List.of(job));
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show jobs (Get-BitsTransfer).")
    static final class Get implements Callable<Integer> {
        @Parameters(paramLabel = "JOB", arity = "0..*", description = "Job ids or display names (a name lists every "
                + "job of that name); '-' reads them from standard input, one a line; none: all your jobs.")
        List<String> jobs = List.of();

        @Option(names = "--all-users", description = "Jobs of every local user, with their owners (root only: "
                + "anyone else gets access denied, exit 4).")
        boolean allUsers;

        @Option(names = "--state", paramLabel = "STATE", split = ",", description = "Only jobs in these states: "
                + "queued, connecting, transferring, suspended, error, transient-error, transferred, acknowledged, "
                + "cancelled (comma-separated or repeated).")
        List<String> states;

        @Option(names = "--json", description = "Print a JSON array of job objects.")
        boolean json;

        @Override
        public Integer call() {
            java.util.Set<org.jbits.JobState> wanted = states == null ? null : CliSpellings.jobStates(states);
            List<String> refs = JobRefs.expand(jobs, Io.current().in());
            if (jobs.contains("-") && refs.isEmpty()) {
                // An empty pipe names no job; it does not mean "all jobs".
                return print(List.of());
            }
            try (Connection conn = Connection.forEnvironment()) {
                if (json && wanted == null) {
                    // Every job asked for, as the agent sent them: printed without reading them into a tree.
                    conn.printJobsJson(new Request.Get(refs, allUsers), Io.current().out());
                    return 0;
                }
                JsonNode list = conn.call(new Request.Get(refs, allUsers)).path("jobs");
                List<JsonNode> l = new ArrayList<>();
                for (JsonNode j : list) {
                    if (wanted == null || wanted.contains(org.jbits.agent.JobJson.state(j))) {
                        l.add(j);
                    }
                }
                return print(l);
            }
        }

        private int print(List<JsonNode> l) {
            if (json) {
                Output.json(Io.current().out(), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode()
                        .addAll(l));
            } else {
                Output.table(Io.current().out(), l);
            }
            return 0;
        }
    }

    @Command(name = "add-file", mixinStandardHelpOptions = true, description = "Add a file to a job (Add-BitsFile).")
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

        @Option(names = "--range", paramLabel = "OFFSET:LENGTH", split = ",", description = "Download only these "
                + "parts of the file (AddFileWithRanges), written one after another in the order given; LENGTH is "
                + "a byte count or 'eof' (to the end). Repeat or separate with commas; at most MaxRangesPerFile "
                + "(500).")
        List<String> ranges;

        @Override
        public Integer call() {
            List<org.jbits.BitsFileRange> parsed;
            String sha;
            try {
                parsed = ranges == null ? null : CliSpellings.ranges(ranges);
                sha = expectedSha256 == null ? null : org.jbits.BitsLimits.checkSha256(expectedSha256);
                if (parsed != null && sha != null) {
                    throw new BitsException(HResult.E_INVALIDARG, "--range and --expected-sha256 do not go together"
                            + " (the hash is of a whole file)");
                }
            } catch (BitsException e) {
                throw CliException.of(e);
            }
            try (Connection conn = Connection.forEnvironment()) {
                List<FileSpecs.Spec> specs;
                try {
                    specs = conn.paths().pair(List.of(source), destination);
                    if (sha != null && specs.size() != 1) {
                        throw new BitsException(HResult.E_INVALIDARG, "--expected-sha256 names one file; the source gives "
                                + specs.size());
                    }
                    if (parsed != null && specs.size() != 1) {
                        throw new BitsException(HResult.E_INVALIDARG, "--range applies to one file; the source names "
                                + specs.size());
                    }
                } catch (BitsException e) {
                    throw CliException.of(e);
                }
                JsonNode last = null;
                for (FileSpecs.Spec s : specs) {
                    last = Connection.job(conn.call(new Request.AddFile(job, s.remote(), s.local(), sha, parsed)));
                }
                print(last, json);
            }
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Change job properties (Set-BitsTransfer).")
    static final class Set implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB")
        String job;

        @Option(names = "--json", description = "Print the job as JSON.")
        boolean json;

        @Mixin
        PropertyOptions properties = new PropertyOptions();

        @Option(names = "--remote-name", paramLabel = "INDEX=URL", description = "File INDEX (from 0, in the order "
                + "of 'get') is fetched from URL from now on (IBackgroundCopyFile2::SetRemoteName); what was "
                + "transferred is kept when the server has the same version of the file.")
        String remoteName;

        @Option(names = "--replace-remote-prefix", paramLabel = "OLD=NEW", description = "Every remote name that "
                + "starts with OLD starts with NEW instead (IBackgroundCopyJob4::ReplaceRemotePrefix): a moved server.")
        String replacePrefix;

        @Option(names = "--request-ranges", paramLabel = "INDEX=OFFSET:LENGTH[,...]", description = "An on-demand "
                + "job fetches these ranges of file INDEX (from 0), before anything else it was asked for "
                + "(IBackgroundCopyFile6::RequestFileRanges); LENGTH is a byte count or 'eof'; ranges may overlap "
                + "(they are merged). Resume the job to fetch them.")
        String requestRanges;

        @Option(names = "--download-position", paramLabel = "INDEX=OFFSET", description = "An on-demand job fetches "
                + "file INDEX's missing data from OFFSET to its end, from OFFSET first "
                + "(IBackgroundCopyFile6::UpdateDownloadPosition).")
        String downloadPosition;

        @Mixin
        HttpCliOptions http = new HttpCliOptions();

        @Override
        public Integer call() {
            Request.SetRemoteName rename = remoteName == null ? null : renameRequest();
            Request.ReplaceRemotePrefix prefix = replacePrefix == null ? null : prefixRequest();
            Request.RequestFileRanges request = requestRanges == null ? null : rangesRequest();
            Request.UpdateDownloadPosition position = downloadPosition == null ? null : positionRequest();
            try (Connection conn = Connection.forEnvironment()) {
                JobProperties props = properties.toProperties(conn.paths());
                org.jbits.agent.HttpOptions httpOptions = http.toHttpOptions();
                if (props.isEmpty() && httpOptions.isEmpty() && rename == null && prefix == null && request == null
                        && position == null) {
                    throw new CliException(CliException.USAGE, "give at least one property to set (see 'jbits set --help')");
                }
                JsonNode job2 = null;
                if (!props.isEmpty() || !httpOptions.isEmpty()) {
                    job2 = Connection.job(conn.call(new Request.Set(job, props, httpOptions)));
                }
                if (rename != null) {
                    job2 = Connection.job(conn.call(rename));
                }
                if (position != null) {
                    job2 = Connection.job(conn.call(position));
                }
                if (request != null) {
                    job2 = Connection.job(conn.call(request));
                }
                if (prefix != null) {
                    ObjectNode reply = conn.call(prefix);
                    job2 = Connection.job(reply);
                    if (!json) {
                        Io.current().err().println("jbits: " + reply.path("replaced").asInt() + " remote name(s) replaced");
                    }
                }
                print(job2, json);
            }
            return 0;
        }

        private Request.SetRemoteName renameRequest() {
            int eq = remoteName.indexOf('=');
            int index;
            try {
                index = eq < 0 ? -1 : Integer.parseInt(remoteName.substring(0, eq).trim());
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0) {
                throw new CliException(CliException.USAGE, "--remote-name takes INDEX=URL (a file index from 0), not '"
                        + Output.safe(remoteName) + "'");
            }
            String url = remoteName.substring(eq + 1).trim();
            try {
                FileSpecs.expandSource(url);
            } catch (BitsException e) {
                throw CliException.of(e);
            }
            return new Request.SetRemoteName(job, index, url);
        }

        /** The INDEX of {@code INDEX=VALUE}, or exit 2 naming {@code option}. */
        private static int index(String option, String text, String form) {
            int eq = text.indexOf('=');
            int index;
            try {
                index = eq < 0 ? -1 : Integer.parseInt(text.substring(0, eq).trim());
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0 || eq == text.length() - 1) {
                throw new CliException(CliException.USAGE, option + " takes " + form + " (a file index from 0), not '"
                        + Output.safe(text) + "'");
            }
            return index;
        }

        private Request.RequestFileRanges rangesRequest() {
            int index = index("--request-ranges", requestRanges, "INDEX=OFFSET:LENGTH[,...]");
            String list = requestRanges.substring(requestRanges.indexOf('=') + 1);
            try {
                return new Request.RequestFileRanges(job, index, CliSpellings.ranges(List.of(list.split(","))));
            } catch (BitsException e) {
                throw CliException.of(e);
            }
        }

        private Request.UpdateDownloadPosition positionRequest() {
            int index = index("--download-position", downloadPosition, "INDEX=OFFSET");
            String text = downloadPosition.substring(downloadPosition.indexOf('=') + 1).trim();
            long offset;
            try {
                offset = Long.parseLong(text);
            } catch (NumberFormatException e) {
                offset = -1;
            }
            if (offset < 0) {
                throw CliException.of(new BitsException(HResult.BG_E_INVALID_RANGE, "--download-position takes a byte "
                        + "offset from 0, not '" + Output.safe(text) + "'"));
            }
            return new Request.UpdateDownloadPosition(job, index, offset);
        }

        private Request.ReplaceRemotePrefix prefixRequest() {
            int eq = replacePrefix.indexOf('=');
            if (eq <= 0 || eq == replacePrefix.length() - 1) {
                throw new CliException(CliException.USAGE, "--replace-remote-prefix takes OLD=NEW, both non-empty, not '"
                        + Output.safe(replacePrefix) + "'");
            }
            return new Request.ReplaceRemotePrefix(job, replacePrefix.substring(0, eq), replacePrefix.substring(eq + 1));
        }
    }

    /**
     * suspend / resume / complete / remove: each JOB in turn (several, or {@code -} for ids on standard input, as
     * {@code Get-BitsTransfer | Complete-BitsTransfer}), each job out. A job that fails does not stop the others,
     * as a PowerShell pipeline goes on after a non-terminating error: its error line is printed and the exit status
     * is that of the first failure. With one JOB, {@code --json} prints the job object; with several (or {@code -}),
     * an array of the jobs acted on.
     */
    abstract static class StateChange implements Callable<Integer> {
        @Parameters(paramLabel = "JOB", arity = "1..*",
                description = "Job ids or unique display names; '-' reads ids from standard input, one a line.")
        List<String> jobs = List.of();

        @Option(names = "--json", description = "Print the job as JSON (an array for several jobs or '-').")
        boolean json;

        /** The request for {@code job}. */
        abstract Request request(String job);

        @Override
        public Integer call() {
            List<String> refs = JobRefs.expand(jobs, Io.current().in());
            boolean many = jobs.size() > 1 || jobs.contains("-");
            List<JsonNode> done = new ArrayList<>();
            int status = 0;
            try (Connection conn = Connection.forEnvironment()) {
                for (String ref : refs) {
                    ObjectNode reply;
                    try {
                        reply = conn.call(request(ref));
                    } catch (CliException e) {
                        if (!many || e.exitCode == CliException.AGENT_UNREACHABLE) {
                            throw e;
                        }
                        Io.current().err().println(Main.errorLine(Output.safe(ref) + ": " + e.getMessage(), e.exitCode));
                        status = status == 0 ? e.exitCode : status;
                        continue;
                    }
                    done.add(reply.path("job"));
                    if (reply.has("result") && !json && reply.path("hresult").asInt() != HResult.S_OK) {
                        Io.current().err().println("jbits: " + Output.text(reply.path("job"), "jobId") + ": "
                                + reply.path("result").asText() + " (" + HResult.hex(reply.path("hresult").asInt())
                                + "): not every file was transferred; only the transferred files were kept");
                    }
                }
            }
            if (!many) {
                print(done.get(0), json);
            } else if (json) {
                Output.json(Io.current().out(), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode()
                        .addAll(done));
            } else {
                Output.table(Io.current().out(), done);
            }
            return status;
        }
    }

    @Command(name = "suspend", mixinStandardHelpOptions = true, description = "Suspend jobs (Suspend-BitsTransfer).")
    static final class Suspend extends StateChange {
        @Override
        Request request(String job) {
            return new Request.Suspend(job);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume jobs (Resume-BitsTransfer).")
    static final class Resume extends StateChange {
        @Override
        Request request(String job) {
            return new Request.Resume(job);
        }
    }

    @Command(name = "complete", mixinStandardHelpOptions = true, description = "Complete jobs: their files appear (Complete-BitsTransfer).")
    static final class Complete extends StateChange {
        @Override
        Request request(String job) {
            return new Request.Complete(job);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Cancel jobs and delete their temporary files (Remove-BitsTransfer).")
    static final class Remove extends StateChange {
        @Override
        Request request(String job) {
            return new Request.Remove(job);
        }
    }
}
