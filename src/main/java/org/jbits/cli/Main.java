package org.jbits.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbits.BitsException;
import org.jbits.BitsOptions;
import org.jbits.HResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code jbits}: the command line, mirroring the BitsTransfer cmdlets. Exit status: 0 success, 1 the job ended
 * in Error, 2 bad usage or input, 3 no such job, 4 access denied, 5 the agent could not be reached or started.
 * {@code --host ssh://...} runs a command against another machine's agent ({@link Connection}).
 */
@Command(name = "jbits", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Background Intelligent Transfer Service for Java.")
public final class Main implements Runnable {
    /** The commands, in the order help lists them. */
    static final List<Class<?>> COMMANDS = List.of(StartCommand.class, JobCommands.Get.class,
            JobCommands.AddFile.class, JobCommands.Set.class, JobCommands.Suspend.class, JobCommands.Resume.class,
            JobCommands.Complete.class, JobCommands.Remove.class, MonitorCommand.class, AgentCommand.class,
            ServeUploadsCommand.class, NetworkCommand.class);
    /** The options before a command that take a value (as the next word unless given with '='). */
    private static final java.util.Set<String> VALUED = java.util.Set.of("--backend", "--host", "--remote-jbits");

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

    /**
     * {@code --host ssh://[USER@]HOST[:PORT]}, before or after the command: run it against that machine's agent
     * over ssh ({@link RemoteLink}). It sets {@code -Djbits.host}, which outranks {@code JBITS_HOST}.
     */
    @Option(names = "--host", paramLabel = "ssh://[USER@]HOST[:PORT]", scope = ScopeType.INHERIT,
            description = "Run the command against the agent of another machine, over ssh (its own authentication"
                    + " and known hosts; JBITS_SSH_CONFIG names an ssh config file). Default: JBITS_HOST, else this"
                    + " machine.")
    void host(String url) {
        try {
            SshHost.parse(url, "--host");
        } catch (BitsException e) {
            throw new ParameterException(spec.commandLine(), e.detail());
        }
        System.setProperty(Connection.HOST_PROPERTY, url);
    }

    /** {@code --remote-jbits PATH}: the jbits command ssh runs on the remote host; outranks {@code JBITS_REMOTE_PATH}. */
    @Option(names = "--remote-jbits", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "With --host: the jbits command on the remote host (default: JBITS_REMOTE_PATH, else"
                    + " 'jbits' on the remote PATH).")
    void remoteJbits(String path) {
        try {
            System.setProperty(Connection.REMOTE_JBITS_PROPERTY, SshHost.checkRemoteJbits(path, "--remote-jbits"));
        } catch (BitsException e) {
            throw new ParameterException(spec.commandLine(), e.detail());
        }
    }

    /** The commands that act on this machine only: {@code --host} is refused with them (JBITS_HOST does not apply). */
    private static final java.util.Set<String> LOCAL_ONLY = java.util.Set.of("agent", "serve-uploads");

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
        CommandLine cl = commandLine(args);
        Io io = Io.current();
        if (io != Io.PROCESS) { // a fast client's run: picocli's help and errors go to the client's streams
            cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(io.out(), io.outCharset()), true));
            cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(io.err(), io.outCharset()), true));
            cl.setColorScheme(CommandLine.Help.defaultColorScheme(io.ansi() ? CommandLine.Help.Ansi.ON
                    : CommandLine.Help.Ansi.OFF));
        }
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            // One line: the problem, a suggestion for a misspelt name, where to read more, and the code.
            String suggest = "";
            if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                suggest = "; did you mean " + String.join(" or ", u.getSuggestions().stream().limit(3)
                        .map(s -> "'" + s + "'").toList()) + "?";
            }
            err.println(errorLine(String.valueOf(ex.getMessage()) + suggest + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')", CliException.USAGE));
            err.flush();
            return CliException.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof Io.Fallback) {
                return CommandHost.FALLBACK; // a fast client's run that needs a process of its own
            }
            CliException ce = ex instanceof CliException c ? c
                    : ex instanceof BitsException b ? CliException.of(b)
                    : null;
            PrintWriter err = commandLine.getErr();
            if (ce == null) {
                err.println(errorLine("internal error: " + ex + " [" + HResult.name(HResult.E_UNEXPECTED) + " "
                        + HResult.hex(HResult.E_UNEXPECTED) + "]", CliException.JOB_ERROR));
                err.flush();
                return CliException.JOB_ERROR;
            }
            err.println(errorLine(ce.getMessage(), ce.exitCode));
            err.flush();
            return ce.exitCode;
        });
        cl.setExecutionStrategy(parseResult -> {
            Integer help = CommandLine.executeHelpRequest(parseResult);
            if (help != null) {
                return help;
            }
            CommandLine.ParseResult sub = parseResult.subcommand();
            if (System.getProperty(Connection.HOST_PROPERTY) != null && sub != null
                    && LOCAL_ONLY.contains(sub.commandSpec().name())) {
                String name = sub.commandSpec().qualifiedName(" ").replaceFirst("^jbits ", "");
                while (sub.subcommand() != null) {
                    sub = sub.subcommand();
                    name = sub.commandSpec().qualifiedName(" ").replaceFirst("^jbits ", "");
                }
                PrintWriter err = cl.getErr();
                err.println(errorLine("'jbits " + name + "' acts on this machine; --host is for the job commands "
                        + "(run it on the host itself: ssh HOST jbits " + name + ")", CliException.USAGE));
                err.flush();
                return CliException.USAGE;
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        // --backend and --host work through system properties; restore them so one in-process run does not leak
        // into the next.
        List<String> props = List.of(BitsOptions.BACKEND_PROPERTY, Connection.HOST_PROPERTY,
                Connection.REMOTE_JBITS_PROPERTY);
        Map<String, String> saved = new HashMap<>();
        for (String p : props) {
            saved.put(p, System.getProperty(p));
        }
        try {
            return cl.execute(args);
        } finally {
            for (String p : props) {
                if (saved.get(p) == null) {
                    System.clearProperty(p);
                } else {
                    System.setProperty(p, saved.get(p));
                }
            }
        }
    }

    /**
     * The command line for {@code args}: with only the command they name when they name one (picocli builds its model
     * of every command it is given, by reflection, before it parses: about a third of a short command's run, and a
     * fixed cost of every synchronous {@code start}), else with every command (for help, and for the suggestions of a
     * misspelt name). What a command parses, and its help, are the same either way.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        Class<?> named = named(commandWord(args));
        for (Class<?> c : named != null ? List.of(named) : COMMANDS) {
            cl.addSubcommand(c);
        }
        return cl;
    }

    /** The word that names the command: the first that is not a global option or its value; null when none. */
    static String commandWord(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (VALUED.contains(a)) {
                if (i + 1 < args.length && named(args[i + 1]) != null) {
                    return null; // a command's name as a value: picocli explains that with every command there
                }
                i++;
            } else if (a.startsWith("-")) {
                int eq = a.indexOf('=');
                if (eq < 0 || !VALUED.contains(a.substring(0, eq))) {
                    return null; // help, version, or an option picocli is to explain
                }
            } else {
                return a;
            }
        }
        return null;
    }

    private static Class<?> named(String word) {
        if (word == null) {
            return null;
        }
        for (Class<?> c : COMMANDS) {
            if (c.getAnnotation(Command.class).name().equals(word)) {
                return c;
            }
        }
        return null;
    }

    /** "NAME 0x8XXXXXXX" anywhere in a message: the BITS code is named. */
    private static final Pattern NAMED_CODE = Pattern.compile("\\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+ 0x[0-9A-Fa-f]{8}\\b");
    /** A trailing "[NAME]" without its value. */
    private static final Pattern BARE_NAME = Pattern.compile("\\[([A-Z][A-Z0-9_]+)\\]$");

    /**
     * The one stderr line of a failure: "jbits: " and the message, its control characters escaped (a message may
     * quote user input or a server's text, and must stay one line), ending with the BITS code: the message's own,
     * else the one its exit status stands for (2 E_INVALIDARG, 3 BG_E_NOT_FOUND, 4 E_ACCESSDENIED,
     * 5 RPC_S_SERVER_UNAVAILABLE, what a BITS client gets when the service cannot be reached; 1 E_FAIL).
     */
    static String errorLine(String message, int exitCode) {
        // A URL's password never reaches the terminal, whatever message quoted it.
        String m = Output.safe(org.jbits.transport.Redacted.text(message == null ? "" : message));
        if (!NAMED_CODE.matcher(m).find()) {
            Matcher bare = BARE_NAME.matcher(m);
            int hr;
            if (bare.find() && known(bare.group(1))) {
                hr = HResult.parse(bare.group(1));
                m = m.substring(0, bare.start()).stripTrailing();
            } else {
                hr = switch (exitCode) {
                    case CliException.USAGE -> HResult.E_INVALIDARG;
                    case CliException.NOT_FOUND -> HResult.BG_E_NOT_FOUND;
                    case CliException.ACCESS_DENIED -> HResult.E_ACCESSDENIED;
                    case CliException.AGENT_UNREACHABLE -> HResult.RPC_S_SERVER_UNAVAILABLE;
                    default -> HResult.E_FAIL;
                };
            }
            m = m + " [" + HResult.name(hr) + " " + HResult.hex(hr) + "]";
        }
        return "jbits: " + m;
    }

    private static boolean known(String name) {
        try {
            HResult.parse(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
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
