package org.jbits.cli;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.jbits.file.Umask;

/**
 * What one run of the CLI has of its caller: standard streams, whether they are a terminal and its size, the
 * environment, the working directory, the umask, and what Ctrl-C does. A JVM started for the command has its own
 * process's ({@link #PROCESS}). A run the agent makes for the launcher's fast client ({@link CommandHost}) has the
 * client's, as the client sent them: its working directory and umask, its terminal, its output's charset, and the
 * signal that interrupted it. The commands the host runs ask {@link #current()} instead of {@code System}.
 */
abstract class Io {
    /** This process's own streams, terminal, environment, directory and umask. */
    static final Io PROCESS = new ProcessIo();
    private static final ThreadLocal<Io> CURRENT = new ThreadLocal<>();

    /** The caller of the run on this thread: a fast client's, else this process's. */
    static Io current() {
        Io io = CURRENT.get();
        return io != null ? io : PROCESS;
    }

    /** Runs {@code run} on this thread with {@code io} as the caller's. */
    static <T> T with(Io io, Supplier<T> run) {
        Io before = CURRENT.get();
        CURRENT.set(io);
        try {
            return run.get();
        } finally {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        }
    }

    abstract PrintStream out();

    abstract PrintStream err();

    /** Standard input. A fast client's run that needs it is run again by the JVM launcher ({@link Fallback}). */
    abstract InputStream in();

    /** True when standard input and output are both a terminal (what {@code System.console() != null} says). */
    abstract boolean console();

    /** The terminal to ask a password on, or null when there is none ({@link Fallback} for a fast client). */
    abstract Console passwordConsole();

    /** The caller's environment variable {@code name}, or null. */
    abstract String env(String name);

    /** {@code p} made absolute against the caller's working directory. */
    abstract Path absolute(Path p);

    /**
     * {@code p} as the file system calls should see it: unchanged in this process (relative paths are this
     * process's own working directory's), made absolute for a fast client.
     */
    abstract Path local(Path p);

    /** The agent's state directory when this run is the agent's own (a fast client's), else null. */
    abstract Path stateDirectory();

    /** True once the caller is gone (a fast client killed): the run stops as a killed JVM would, doing no more. */
    abstract boolean abandoned();

    /** Called before each request to the agent: a fast client's run that has made one may not run elsewhere. */
    void callingAgent() {
    }

    /** Called before a file of {@code bytes} is read whole into memory (a CSV file). */
    void reading(long bytes) {
    }

    /** The caller's time zone. */
    abstract java.time.ZoneId zone();

    /** Whether picocli's help may use ANSI styles (its {@code Ansi.AUTO}, asked of the caller's terminal). */
    abstract boolean ansi();

    /** The caller's umask. */
    abstract int umask();

    /** The columns and rows of the terminal of descriptor {@code fd} (1 or 2), or null to ask the terminal itself. */
    abstract int[] terminalSize(int fd);

    /** The charset standard output encodes text in. */
    abstract Charset outCharset();

    /** Runs {@code hook} when the run is interrupted (Ctrl-C, SIGTERM, SIGHUP), before it ends. */
    abstract void onInterrupt(Thread hook);

    /** Undoes {@link #onInterrupt}. */
    abstract void removeInterrupt(Thread hook);

    /**
     * Thrown where a fast client's run needs what only a process of its own has (standard input, a password prompt)
     * before it has done anything: the client then runs the same command through the JVM launcher.
     */
    static final class Fallback extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fallback(String why) {
            super(why, null, false, false);
        }
    }

    /** This process. */
    private static final class ProcessIo extends Io {
        @Override
        PrintStream out() {
            return System.out;
        }

        @Override
        PrintStream err() {
            return System.err;
        }

        @Override
        InputStream in() {
            return System.in;
        }

        @Override
        boolean console() {
            return System.console() != null;
        }

        @Override
        Console passwordConsole() {
            return System.console();
        }

        @Override
        String env(String name) {
            return System.getenv(name);
        }

        @Override
        Path absolute(Path p) {
            return p.toAbsolutePath();
        }

        @Override
        Path local(Path p) {
            return p;
        }

        @Override
        Path stateDirectory() {
            return null;
        }

        @Override
        boolean abandoned() {
            return false;
        }

        @Override
        java.time.ZoneId zone() {
            return java.time.ZoneId.systemDefault();
        }

        @Override
        boolean ansi() {
            return picocli.CommandLine.Help.Ansi.AUTO.enabled();
        }

        @Override
        int umask() {
            return Umask.current();
        }

        @Override
        int[] terminalSize(int fd) {
            return null;
        }

        @Override
        Charset outCharset() {
            String enc = System.getProperty("sun.stdout.encoding");
            try {
                return enc == null ? Charset.defaultCharset() : Charset.forName(enc);
            } catch (IllegalArgumentException e) {
                return Charset.defaultCharset();
            }
        }

        @Override
        void onInterrupt(Thread hook) {
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        void removeInterrupt(Thread hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // the JVM is already exiting: the hook runs, and checks whether it is still needed
            }
        }
    }
}
