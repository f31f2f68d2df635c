package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobType;
import org.jbits.agent.JobProperties;
import org.jbits.agent.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jbits start}: Start-BitsTransfer. Synchronous unless {@code --async} or {@code --suspended}. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Create a transfer job and run it (Start-BitsTransfer).")
final class StartCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SOURCE... DESTINATION", arity = "0..*",
            description = "Sources (URLs or local paths) followed by the destination file or directory.")
    List<String> args = List.of();

    @Option(names = "--async", description = "Return at once and print the job (-Asynchronous).")
    boolean async;

    @Option(names = "--suspended", description = "Create the job and add its files but leave it Suspended.")
    boolean suspended;

    @Option(names = "--from-csv", paramLabel = "FILE",
            description = "Read 'Source, Destination' rows: a download's all in one job, an upload's one job per row.")
    Path csv;

    @Option(names = "--transfer-type", paramLabel = "TYPE", description = "download (default), upload or upload-reply.")
    String transferType = "download";

    @Option(names = "--json", description = "Print the job as JSON.")
    boolean json;

    @Mixin
    PropertyOptions properties = new PropertyOptions();

    @Mixin
    HttpCliOptions http = new HttpCliOptions();

    @Option(names = "--expected-sha256", paramLabel = "HEX",
            description = "The SHA-256 each file must have, one per file in file order (repeatable); a mismatch"
                    + " fails the file with BG_E_VALIDATION_FAILED and nothing appears under its name.")
    List<String> expectedSha256;

    @Override
    public Integer call() {
        // Opening a connection starts no agent: with --host it starts the ssh session, whose bridge checks the paths.
        try (Connection conn = Connection.forEnvironment()) {
            return call(conn);
        }
    }

    private Integer call(Connection conn) {
        PathResolver paths = conn.paths();
        List<FileSpecs.Spec> files = resolveFiles(paths);
        List<String> hashes = expectedHashes(files.size());
        // Start-BitsTransfer's defaults, where they differ from CreateJob's.
        JobProperties props = properties.toProperties(paths).orElse(new JobProperties("BITS Transfer",
                "This is a file transfer that uses the Background Intelligent Transfer Service (BITS).",
                JobPriority.FOREGROUND, null, null, null, null, null, null, null, null));
        JobType type;
        try {
            // The agent checks them again; checked here, bad input does not even start an agent.
            props.check(org.jbits.ProxySettings.DEFAULT);
            type = CliSpellings.transferType(transferType);
        } catch (BitsException e) {
            throw CliException.of(e);
        }
        if (properties.replyFile != null && type != JobType.UPLOAD_REPLY) {
            throw new CliException(CliException.USAGE, "--reply-file is for upload-reply jobs "
                    + "(--transfer-type upload-reply)");
        }
        if (type == JobType.UPLOAD_REPLY && files.stream().anyMatch(f -> FileSpecs.isSmbSource(f.remote()))) {
            // BG_FILE_INFO: "there is no SMB support for upload-reply jobs"; AddFile refuses it the same way.
            throw CliException.of(new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, "an upload-reply job goes to "
                    + "an http:// or https:// URL: BITS has no SMB upload-reply (use --transfer-type upload for an "
                    + "SMB share)"));
        }
        org.jbits.agent.HttpOptions httpOptions = http.toHttpOptions();
        List<Request.NewFile> newFiles = new java.util.ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            newFiles.add(new Request.NewFile(files.get(i).remote(), files.get(i).local(), hashes.get(i)));
        }
        // An upload job holds one file: a list of uploads is one job per file, as Start-BitsTransfer makes them.
        List<List<Request.NewFile>> jobs = type == JobType.DOWNLOAD ? List.of(newFiles)
                : newFiles.stream().map(List::of).toList();
        if (jobs.size() > 1 && props.replyFileName() != null) {
            throw new CliException(CliException.USAGE, "--reply-file names one file, and " + csv + " makes "
                    + jobs.size() + " upload-reply jobs: leave it out, and each reply goes next to its file");
        }
        {
            List<JsonNode> submitted = submit(conn, type, props, jobs, httpOptions, paths.fileMode());
            if (async || suspended) {
                print(submitted, jobs.size() > 1 || (csv != null && type != JobType.DOWNLOAD));
                return 0;
            }
            int exit = 0;
            for (JsonNode job : submitted) {
                try {
                    exit = Math.max(exit, new Waiter(conn, job, json).run());
                } catch (CliException e) {
                    if (submitted.size() == 1) {
                        throw e;
                    }
                    // Start-BitsTransfer goes on with the next file of its pipeline: the failure is reported, the rest run.
                    Io.current().err().println(Main.errorLine(e.getMessage(), e.exitCode));
                    exit = exit == 0 ? e.exitCode : exit;
                }
            }
            return exit;
        }
    }

    /**
     * Submits every job; when one is refused, the ones already made are removed again: bad input creates nothing.
     * The files get this user's umask, as files a command writes itself do, not the agent's (with --host, the
     * remote user's, as the bridge there reads it).
     */
    private List<JsonNode> submit(Connection conn, JobType type, JobProperties props, List<List<Request.NewFile>> jobs,
            org.jbits.agent.HttpOptions httpOptions, int fileMode) {
        List<JsonNode> done = new java.util.ArrayList<>();
        try {
            for (List<Request.NewFile> files : jobs) {
                Request.Submit req = new Request.Submit(type, props, files, suspended, fileMode,
                        httpOptions);
                done.add(Connection.job(conn.call(req)));
            }
            return done;
        } catch (RuntimeException e) {
            for (JsonNode job : done) {
                try {
                    conn.call(new Request.Remove(job.path("jobId").asText()));
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * The (remote, local) pairs of the job, checked before anything is sent: bad input creates nothing. A download
     * takes SOURCE... DESTINATION (URLs or local files, then a local file or directory); an upload takes one local
     * file and the URL it goes to.
     */
    private List<FileSpecs.Spec> resolveFiles(PathResolver paths) {
        boolean upload = transferType != null && transferType.trim().toLowerCase(Locale.ROOT).startsWith("upload");
        try {
            if (csv != null) {
                if (!args.isEmpty()) {
                    throw new BitsException(HResult.E_INVALIDARG, "--from-csv takes no SOURCE or DESTINATION arguments");
                }
                return paths.fromCsv(csv, upload);
            }
            if (args.size() < 2) {
                throw new BitsException(HResult.E_INVALIDARG, "give at least one SOURCE and a DESTINATION"
                        + (args.isEmpty() ? "" : " (one argument given)") + ": jbits start SOURCE... DESTINATION");
            }
            List<String> sources = args.subList(0, args.size() - 1);
            String destination = args.get(args.size() - 1);
            return upload ? paths.pairUpload(sources, destination) : paths.pair(sources, destination);
        } catch (BitsException e) {
            throw CliException.of(e);
        }
    }

    /** One checked hash per file, in file order, or nulls when none is given; a count that differs is refused. */
    private List<String> expectedHashes(int files) {
        if (expectedSha256 == null || expectedSha256.isEmpty()) {
            return java.util.Collections.nCopies(files, null);
        }
        try {
            if (expectedSha256.size() != files) {
                throw new BitsException(HResult.E_INVALIDARG, expectedSha256.size() + " --expected-sha256 given for "
                        + files + (files == 1 ? " file" : " files") + "; give one per file, in file order");
            }
            return expectedSha256.stream().map(BitsLimits::checkSha256).toList();
        } catch (BitsException e) {
            throw CliException.of(e);
        }
    }

    /** The job (its object with --json), or several: an array of job objects for one job per row of a CSV. */
    private void print(List<JsonNode> submitted, boolean several) {
        if (json) {
            if (several) {
                com.fasterxml.jackson.databind.node.ArrayNode a = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
                submitted.forEach(a::add);
                Output.json(Io.current().out(), a);
            } else {
                Output.json(Io.current().out(), submitted.get(0));
            }
        } else {
            Output.table(Io.current().out(), submitted);
        }
    }
}
