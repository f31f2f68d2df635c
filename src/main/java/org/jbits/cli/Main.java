package org.jbits.cli;

import java.io.PrintWriter;
import org.jbits.BitsException;
import org.jbits.BitsOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code jbits}: the command line, mirroring the BitsTransfer cmdlets. Exit status: 0 success, 1 the job ended
 * in Error, 2 bad usage or input, 3 no such job, 4 access denied, 5 the agent could not be reached or started.
 */
@Command(name = "jbits", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Background Intelligent Transfer Service for Java.",
        subcommands = {StartCommand.class, JobCommands.Get.class, JobCommands.AddFile.class, JobCommands.Set.class,
                JobCommands.Suspend.class, JobCommands.Resume.class, JobCommands.Complete.class,
                JobCommands.Remove.class, AgentCommand.class, ServeUploadsCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    /**
     * {@code --backend portable|native}, accepted before or after the command. It sets {@code -Djbits.backend},
     * which every connection of this run reads ({@link BitsOptions#defaults()}), so it outranks {@code JBITS_BACKEND}.
     */
    @Option(names = "--backend", paramLabel = "portable|native", scope = ScopeType.INHERIT,
            description = "The backend: portable (jbits' engine, through the agent) or native (Windows' BITS, in "
                    + "this process, no agent). Default: -Djbits.backend, else JBITS_BACKEND, else native on "
                    + "Windows and portable elsewhere.")
    void backend(String name) {
        String n = name.trim();
        if (!n.equals("portable") && !n.equals("native")) {
            throw new ParameterException(spec.commandLine(), "unknown backend '" + name + "' (expected portable or native)");
        }
        System.setProperty(BitsOptions.BACKEND_PROPERTY, n);
    }

    @Override
    public void run() {
        throw new CliException(CliException.USAGE, "give a command (see 'jbits --help')");
    }

    /** Runs the CLI and exits with its status. */
    public static void main(String[] args) {
        int code = execute(args);
        System.out.flush();
        System.exit(code);
    }

    /** Runs the CLI and returns its exit status. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            // One line: the problem and where to read more ("jbits start --help").
            err.println("jbits: " + ex.getMessage() + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help')");
            err.flush();
            return CliException.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            CliException ce = ex instanceof CliException c ? c
                    : ex instanceof BitsException b ? CliException.of(b)
                    : null;
            PrintWriter err = commandLine.getErr();
            if (ce == null) {
                err.println("jbits: internal error: " + ex);
                err.flush();
                return CliException.JOB_ERROR;
            }
            err.println("jbits: " + ce.getMessage());
            err.flush();
            return ce.exitCode;
        });
        // --backend works through the system property; restore it so one in-process run does not leak into the next.
        String saved = System.getProperty(BitsOptions.BACKEND_PROPERTY);
        try {
            return cl.execute(args);
        } finally {
            if (saved == null) {
                System.clearProperty(BitsOptions.BACKEND_PROPERTY);
            } else {
                System.setProperty(BitsOptions.BACKEND_PROPERTY, saved);
            }
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"jbits " + version()};
        }
    }
}
