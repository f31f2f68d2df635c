package org.jbits.cli;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jbits.agent.PeerCheck;
import org.jbits.file.StateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the launcher's fast client ({@code native/jbits-fast.c}, installed as
 * {@code lib/jbits/jbits-fast}): runs a job command ({@code start}, {@code get}, ...) in the agent's warm JVM for a
 * client of the agent's own user, with the client's working directory, umask, terminal, output charset and
 * signals ({@link Io}), its output streamed back; a command then costs milliseconds instead of a JVM start and
 * picocli's first use (0.2-0.3 s). Anything else, or a command that needs standard input or a password prompt, is
 * answered "fall back", and the client runs the same command through the JVM launcher, as it does when no agent
 * runs.
 *
 * <p>The socket is {@code cli.sock} in the state directory, mode 0600, and, as {@code agent.sock}, admits only the
 * agent's own user by the kernel's word ({@code SO_PEERCRED}). The wire: frames of a tag byte, a 4-byte big-endian
 * length and that many bytes. The client sends {@code J} (the jar it was installed with: size and modification
 * time, so a client and an agent of different builds never mix), {@code C} its working directory, {@code U} its
 * umask (octal), {@code T} whether standard input, output and error are terminals ("101"), {@code W} the
 * terminal's columns and rows ("120 40"), {@code K} its locale's charset, {@code V} an environment variable
 * ({@code COLUMNS=...}), {@code A} each argument, then {@code R}; later {@code S} and a signal number (Ctrl-C).
 * The host sends {@code B} when it begins the command, then {@code O} and {@code E} (standard output and error
 * bytes) and {@code X} and the exit status (4 bytes); or only {@code F} (fall back: nothing ran). A run that needs
 * its own process after {@code B} (standard input, a password prompt) does so before it has sent anything to the
 * agent, and is also answered {@code F} when it has written nothing.
 */
final class CommandHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandHost.class);
    /** The socket's file name in the state directory. */
    static final String SOCKET = "cli.sock";
    /** The commands a client's run may be; the rest (agent, serve-uploads, monitor, network, help) fall back. */
    static final Set<String> COMMANDS = Set.of("start", "get", "add-file", "set", "suspend", "resume", "complete",
            "remove");
    /** Options that change this JVM's system properties or the backend: a run with them falls back. */
    private static final List<String> PROCESS_OPTIONS = List.of("--host", "--backend", "--remote-jbits");
    /** The exit status {@link Main#execute} returns for a run that needs its own process. */
    static final int FALLBACK = -1;
    private static final int MAX_SESSIONS = 16;
    private static final int MAX_REQUEST_BYTES = 1 << 20;
    private static final int MAX_ARGS = 4096;
    /** A client that has not sent its whole request in this time is dropped. */
    private static final long REQUEST_MILLIS = 5_000;

    private final Path socket;
    private final Path stateDir;
    private final String build;
    private final ServerSocketChannel server;
    private final PeerCheck peers;
    private final Semaphore sessions = new Semaphore(MAX_SESSIONS);
    private final AtomicInteger ids = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    private CommandHost(Path stateDir, String build) throws IOException {
        this.stateDir = stateDir;
        this.socket = stateDir.resolve(SOCKET);
        this.build = build;
        Files.deleteIfExists(socket); // the state directory is the user's own, and this agent holds its start lock
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(socket), 64);
            StateDirectory.restrict(socket);
            peers = PeerCheck.ofSocketOwner(socket);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        server = ch;
        acceptor = new Thread(this::accept, "jbits-cli-host");
        acceptor.setDaemon(true);
    }

    /**
     * Starts the host of the agent of {@code stateDir}; null (logged) when it cannot, or when this JVM was not
     * started from an installed jar (then no fast client can match it).
     */
    static CommandHost start(Path stateDir) {
        String build = build(jarOfThisJvm());
        if (build == null) {
            return null;
        }
        try {
            CommandHost h = new CommandHost(stateDir, build);
            h.acceptor.start();
            return h;
        } catch (IOException | RuntimeException e) {
            log.warn("the fast client's socket {} is not served (the CLI starts a JVM per command): {}",
                    stateDir.resolve(SOCKET), e.toString());
            return null;
        }
    }

    /** The jar on this JVM's class path when it is one jar, else null. */
    static Path jarOfThisJvm() {
        String cp = System.getProperty("java.class.path", "");
        if (cp.isEmpty() || cp.contains(java.io.File.pathSeparator) || !cp.endsWith(".jar")) {
            return null;
        }
        return Path.of(cp).toAbsolutePath();
    }

    /** What the client sends as {@code J}: the jar's size and modification time in nanoseconds, or null. */
    static String build(Path jar) {
        if (jar == null) {
            return null;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
            java.time.Instant t = a.lastModifiedTime().toInstant();
            return a.size() + ":" + t.getEpochSecond() + "." + String.format("%09d", t.getNano());
        } catch (IOException e) {
            return null;
        }
    }

    private void accept() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("the fast client's socket failed; it is no longer served: {}", e.toString());
                }
                return;
            }
            try {
                if (peers.admit(ch).isEmpty() || !sessions.tryAcquire()) {
                    fallBack(ch); // another user (refused as agent.sock refuses it, by the JVM), or too many at once
                    continue;
                }
            } catch (IOException e) {
                closeQuietly(ch);
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    new Session(ch).run();
                } finally {
                    sessions.release();
                    closeQuietly(ch);
                }
            }, "jbits-cli-" + ids.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }
    }

    private static void fallBack(SocketChannel ch) {
        try {
            writeFrame(ch, 'F', new byte[0]);
        } catch (IOException ignored) {
            // gone
        }
        closeQuietly(ch);
    }

    static void writeFrame(SocketChannel ch, char tag, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(5 + data.length);
        b.put((byte) tag).putInt(data.length).put(data).flip();
        synchronized (ch) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()
                    ? Boolean.TRUE : null;
            if (key != null) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException ignored) {
            // gone already
        }
    }

    /** The request a client sent. */
    record Request(String build, Path cwd, int umask, boolean inTty, boolean outTty, boolean errTty, int[] size,
            Charset charset, java.util.Map<String, String> env, List<String> args) {
    }

    /**
     * Reads a request's frames up to {@code R}; null when the client went away first. The working directory and the
     * arguments are decoded as the client's locale encodes them ({@code K}), as a JVM started there decodes its own.
     */
    static Request readRequest(DataInputStream in) throws IOException {
        String build = null;
        byte[] cwd = null;
        int umask = 022;
        String tty = "000";
        int[] size = null;
        String charsetName = "UTF-8";
        java.util.Map<String, String> env = new java.util.HashMap<>();
        List<byte[]> args = new ArrayList<>();
        int total = 0;
        while (true) {
            int tag = in.read();
            if (tag < 0) {
                return null;
            }
            int len = in.readInt();
            total += 5 + Math.max(len, 0);
            if (len < 0 || total > MAX_REQUEST_BYTES || args.size() >= MAX_ARGS) {
                throw new IOException("request too large");
            }
            byte[] data = in.readNBytes(len);
            if (data.length < len) {
                throw new EOFException();
            }
            String s = new String(data, StandardCharsets.US_ASCII);
            switch (tag) {
                case 'J' -> build = s;
                case 'C' -> cwd = data;
                case 'U' -> umask = Integer.parseInt(s, 8) & 0777;
                case 'T' -> tty = s;
                case 'W' -> {
                    String[] p = s.trim().split(" ");
                    if (p.length == 2) {
                        int c = Integer.parseInt(p[0]);
                        int r = Integer.parseInt(p[1]);
                        size = c > 0 ? new int[]{c, r > 0 ? r : 24} : null;
                    }
                }
                case 'K' -> charsetName = s;
                case 'V' -> {
                    int eq = s.indexOf('=');
                    if (eq > 0) {
                        env.put(s.substring(0, eq), s.substring(eq + 1));
                    }
                }
                case 'A' -> args.add(data);
                case 'R' -> {
                    if (build == null || cwd == null || tty.length() != 3) {
                        throw new IOException("incomplete request");
                    }
                    Charset charset = Charset.isSupported(charsetName) ? Charset.forName(charsetName) : null;
                    if (charset == null) {
                        throw new NotForHere("the charset " + charsetName);
                    }
                    Path dir = Path.of(new String(cwd, charset));
                    if (!dir.isAbsolute()) {
                        throw new IOException("a relative working directory");
                    }
                    List<String> words = new ArrayList<>();
                    for (byte[] a : args) {
                        words.add(new String(a, charset));
                    }
                    return new Request(build, dir, umask, tty.charAt(0) == '1', tty.charAt(1) == '1',
                            tty.charAt(2) == '1', size, charset, env, words);
                }
                default -> throw new IOException("unknown frame " + tag);
            }
        }
    }

    /** Why a request is answered "fall back" rather than run. */
    private static final class NotForHere extends IOException {
        private static final long serialVersionUID = 1L;

        NotForHere(String why) {
            super(why);
        }
    }

    /** Whether this host runs {@code args}: one of {@link #COMMANDS}, with no option that acts on this JVM. */
    static boolean runsHere(List<String> args) {
        for (String a : args) {
            for (String o : PROCESS_OPTIONS) {
                if (a.equals(o) || a.startsWith(o + "=")) {
                    return false;
                }
            }
        }
        String word = Main.commandWord(args.toArray(String[]::new));
        return word != null && COMMANDS.contains(word);
    }

    /** One client's run. */
    private final class Session {
        private final SocketChannel ch;

        Session(SocketChannel ch) {
            this.ch = ch;
        }

        void run() {
            Request req;
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(REQUEST_MILLIS);
                    closeQuietly(ch);
                } catch (InterruptedException done) {
                    // the request came in time
                }
            }, Thread.currentThread().getName() + "-deadline");
            watchdog.setDaemon(true);
            watchdog.start();
            try {
                req = readRequest(in);
            } catch (NotForHere e) {
                watchdog.interrupt();
                fallBack(ch);
                return;
            } catch (IOException | RuntimeException e) {
                watchdog.interrupt();
                return; // a broken client: dropped
            }
            watchdog.interrupt();
            if (req == null) {
                return;
            }
            if (!build.equals(req.build()) || !runsHere(req.args())) {
                fallBack(ch);
                return;
            }
            send('B', new byte[0]); // begun: from here on the client never runs the command again itself
            ClientIo io = new ClientIo(ch, req, stateDir);
            AtomicInteger status = new AtomicInteger(Integer.MIN_VALUE);
            Thread worker = new Thread(() -> {
                int code;
                try {
                    code = Io.with(io, () -> Main.execute(req.args().toArray(String[]::new)));
                } catch (Throwable t) {
                    log.warn("a fast client's command failed in the agent", t);
                    code = 70;
                }
                io.flushAll();
                status.set(code);
                synchronized (status) {
                    status.notifyAll();
                }
                closeInput(); // wakes the reader below
            }, Thread.currentThread().getName() + "-run");
            worker.setDaemon(true);
            worker.start();
            int signal = 0;
            try {
                while (true) {
                    int tag = in.read();
                    if (tag < 0) {
                        break;
                    }
                    int len = in.readInt();
                    byte[] data = in.readNBytes(Math.min(Math.max(len, 0), 64));
                    if (tag == 'S' && data.length == 4) {
                        signal = ByteBuffer.wrap(data).getInt();
                        break;
                    }
                }
            } catch (IOException e) {
                // the client went away, or the run ended and closed our side of the input
            }
            if (status.get() == Integer.MIN_VALUE && signal > 0) {
                io.interrupted(); // as a JVM's shutdown hooks run on SIGINT, SIGTERM, SIGHUP
                worker.interrupt();
                send('X', exit(128 + signal));
                return;
            }
            if (status.get() == Integer.MIN_VALUE) {
                io.abandon(); // the client was killed: the run stops as a killed JVM would, doing no more
                worker.interrupt();
                return;
            }
            int code = status.get();
            if (code == FALLBACK) {
                if (io.wroteNothing()) {
                    send('F', new byte[0]);
                } else {
                    send('X', exit(CliException.JOB_ERROR));
                }
                return;
            }
            send('X', exit(code));
        }

        private void closeInput() {
            try {
                ch.shutdownInput();
            } catch (IOException ignored) {
                // closed already
            }
        }

        private void send(char tag, byte[] data) {
            try {
                writeFrame(ch, tag, data);
            } catch (IOException ignored) {
                // the client is gone
            }
        }

        private byte[] exit(int code) {
            return ByteBuffer.allocate(4).putInt(code).array();
        }
    }

    /** A client's streams and terminal, as its request described them. */
    private static final class ClientIo extends Io {
        private final SocketChannel ch;
        private final Request req;
        private final Path stateDir;
        private final FrameStream outBytes;
        private final FrameStream errBytes;
        private final PrintStream out;
        private final PrintStream err;
        private final List<Thread> hooks = new CopyOnWriteArrayList<>();
        private volatile boolean abandoned;

        ClientIo(SocketChannel ch, Request req, Path stateDir) {
            this.ch = ch;
            this.req = req;
            this.stateDir = stateDir;
            this.outBytes = new FrameStream('O');
            this.errBytes = new FrameStream('E');
            this.out = new PrintStream(outBytes, true, req.charset());
            this.err = new PrintStream(errBytes, true, req.charset());
        }

        void flushAll() {
            out.flush();
            err.flush();
        }

        boolean wroteNothing() {
            return !outBytes.wrote && !errBytes.wrote;
        }

        void interrupted() {
            for (Thread h : hooks) {
                h.run();
            }
            flushAll();
        }

        void abandon() {
            abandoned = true;
        }

        @Override
        PrintStream out() {
            return out;
        }

        @Override
        PrintStream err() {
            return err;
        }

        @Override
        InputStream in() {
            return new InputStream() {
                @Override
                public int read() {
                    throw new Fallback("standard input");
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    throw new Fallback("standard input");
                }
            };
        }

        @Override
        boolean console() {
            return req.inTty() && req.outTty();
        }

        @Override
        Console passwordConsole() {
            throw new Fallback("a password prompt");
        }

        @Override
        String env(String name) {
            return req.env().get(name);
        }

        @Override
        Path absolute(Path p) {
            return req.cwd().resolve(p);
        }

        @Override
        Path local(Path p) {
            return req.cwd().resolve(p);
        }

        @Override
        Path stateDirectory() {
            return stateDir;
        }

        @Override
        boolean abandoned() {
            return abandoned;
        }

        @Override
        int umask() {
            return req.umask();
        }

        @Override
        int[] terminalSize(int fd) {
            if (req.size() != null && (fd == 1 ? req.outTty() : req.errTty())) {
                return req.size().clone();
            }
            try {
                int cols = Integer.parseInt(req.env().getOrDefault("COLUMNS", "").trim());
                if (cols > 0) {
                    return new int[]{cols, 24};
                }
            } catch (NumberFormatException unset) {
                // as Terminal: 80
            }
            return new int[]{80, 24}; // never this process's own terminal
        }

        @Override
        Charset outCharset() {
            return req.charset();
        }

        @Override
        void onInterrupt(Thread hook) {
            hooks.add(hook);
        }

        @Override
        void removeInterrupt(Thread hook) {
            hooks.remove(hook);
        }

        /** Bytes written to a stream, sent as frames of {@code tag}; dropped once the client is gone. */
        private final class FrameStream extends OutputStream {
            private final char tag;
            private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
            volatile boolean wrote;

            FrameStream(char tag) {
                this.tag = tag;
            }

            @Override
            public synchronized void write(int b) {
                buf.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                buf.write(b, off, len);
                if (buf.size() >= 65536) {
                    flush();
                }
            }

            @Override
            public synchronized void flush() {
                if (buf.size() == 0) {
                    return;
                }
                wrote = true;
                byte[] data = buf.toByteArray();
                buf.reset();
                if (abandoned) {
                    return;
                }
                try {
                    writeFrame(ch, tag, data);
                } catch (IOException e) {
                    abandoned = true;
                }
            }
        }
    }
}
