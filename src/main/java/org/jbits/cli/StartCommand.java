package org.jbits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobType;
import org.jbits.agent.JobProperties;
import org.jbits.agent.Request;
import org.jbits.file.Umask;
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
        // The files get this user's umask, as files a command writes itself do, not the agent's.
        Request.Submit req = new Request.Submit(type, props,
                files.stream().map(f -> new Request.NewFile(f.remote(), f.local())).toList(), suspended,
                Umask.fileMode(Umask.current()));
        try (Connection conn = Connection.forEnvironment()) {
            JsonNode job = Connection.job(conn.call(req));
            if (async || suspended) {
                print(job);
                return 0;
            }
            return new Waiter(conn, job, json).run();
        }
    }

    /**
     * The (remote, local) pairs of the job, checked before anything is sent: bad input creates nothing. A download
     * takes SOURCE... DESTINATION (URLs or local files, then a local file or directory); an upload takes one local
     * file and the URL it goes to.
     */
    private List<FileSpecs.Spec> resolveFiles() {
        boolean upload = transferType != null && transferType.trim().toLowerCase(Locale.ROOT).startsWith("upload");
        try {
            if (csv != null) {
                if (!args.isEmpty()) {
                    throw new BitsException(HResult.E_INVALIDARG, "--from-csv takes no SOURCE or DESTINATION arguments");
                }
                return FileSpecs.fromCsv(csv, upload);
            }
            if (args.size() < 2) {
                throw new BitsException(HResult.E_INVALIDARG, "give at least one SOURCE and a DESTINATION"
                        + (args.isEmpty() ? "" : " (one argument given)") + ": jbits start SOURCE... DESTINATION");
            }
            List<String> sources = args.subList(0, args.size() - 1);
            String destination = args.get(args.size() - 1);
            return upload ? FileSpecs.pairUpload(sources, destination) : FileSpecs.pair(sources, destination);
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
}
