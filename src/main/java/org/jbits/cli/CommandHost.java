package org.jbits.cli;

import java.io.Console;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jbits.HResult;
import org.jbits.agent.ListeningSocket;
import org.jbits.agent.PeerCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the launcher's fast client ({@code native/jbits-fast.c}, installed as
 * {@code lib/jbits/jbits-fast}): runs a job command ({@code start}, {@code get}, ...) in the agent's warm JVM for a
 * client of the agent's own user, with the client's working directory, umask, terminal, output charset, time zone
 * and signals ({@link Io}), its output streamed back; a command then costs milliseconds instead of a JVM start and
 * picocli's first use (0.2-0.3 s). Anything else, or a command that needs standard input or a password prompt, is
 * answered "fall back", and the client runs the same command through the JVM launcher, as it does when no agent
 * runs.
 *
 * <p>The socket is {@code cli.sock} in the state directory, mode 0600, bound again when someone removes it (as
 * {@code agent.sock} is), and admits only the agent's own user by the kernel's word ({@code SO_PEERCRED}); the
 * client checks the same of the host. The wire: frames of a tag byte, a 4-byte big-endian length and that many
 * bytes. The client sends {@code J} (the jar it was installed with: size and modification time, so a client and an
 * agent of different builds never mix), {@code K} its locale's charset, {@code C} its working directory, {@code U}
 * its umask (octal), {@code T} whether standard input, output and error are terminals ("101"), {@code W} the
 * terminal's columns and rows ("120 40"), {@code V} an environment variable ({@code COLUMNS}, {@code TZ},
 * {@code NO_COLOR}, {@code CLICOLOR}, {@code CLICOLOR_FORCE}), {@code A} each argument, then {@code R}. The host
 * answers {@code F} (fall back: nothing ran) or {@code B} (it can run it); the client answers {@code B} with
 * {@code G} (go), and from then on never runs the command itself: a command runs once, here or in a JVM, never
 * both, whatever ends when. Then the host sends {@code O} and {@code E} (standard output and error bytes),
 * {@code H} every 10 s while the command runs (so that a client can tell an agent that stopped answering), and
 * {@code X} with the exit status (4 bytes); the client may send {@code S} with a signal number (Ctrl-C). A run that
 * finds it needs its own process after {@code G} (standard input, a password prompt) does so before it has called
 * the agent or written anything, and is then answered {@code F} too.
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
    /**
     * Runs at once; a client beyond them is answered "fall back". Few: a run's memory is the agent's heap's
     * (a {@code get --json} of 10,000 jobs holds its 17 MB reply twice while it copies it out).
     */
    static final int MAX_SESSIONS = 4;
    /** The largest CSV file a run in the agent reads; a larger one is read by a JVM of the client's own. */
    static final long MAX_CSV_BYTES = 16L << 20;
    private static final int MAX_REQUEST_BYTES = 1 << 20;
    private static final int MAX_ARGS = 4096;
    /** A client that has not sent its whole request and its go in this time is dropped. */
    private static final long REQUEST_MILLIS = 5_000;
    private static final long HEARTBEAT_MILLIS = 10_000;
    /** How long an interrupted run's hooks and end are waited for before its exit status goes out (as a JVM's hooks). */
    private static final long INTERRUPT_MILLIS = 30_000;

    private final Path stateDir;
    private final String build;
    private final ListeningSocket socket;
    private final PeerCheck peers;
    private final Selector selector;
    private final Semaphore sessions = new Semaphore(MAX_SESSIONS);
    private final AtomicInteger ids = new AtomicInteger();
    private final ScheduledExecutorService deadlines;
    private final Thread acceptor;
    private volatile boolean closed;

    private CommandHost(Path stateDir, String build) throws IOException {
        this.stateDir = stateDir;
        this.build = build;
        Path path = stateDir.resolve(SOCKET);
        Files.deleteIfExists(path); // the state directory is the user's own, and this agent holds its start lock
        socket = ListeningSocket.bind(path);
        try {
            peers = PeerCheck.ofSocketOwner(path);
            selector = Selector.open();
            socket.channel().register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jbits-cli-deadlines");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        deadlines = timer;
        acceptor = new Thread(this::accept, "jbits-cli-host");
        acceptor.setDaemon(true);
    }

    /**
     * Starts the host of the agent of {@code stateDir}; null (logged) when it cannot, or when this JVM was not
     * started from one jar (then no fast client can match it).
     */
    static CommandHost start(Path stateDir) {
        String build = build(jarOfThisJvm());
        return build == null ? null : start(stateDir, build);
    }

    /** The same, for clients that send {@code build}. */
    static CommandHost start(Path stateDir, String build) {
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
            return a.size() + ":" + t.getEpochSecond() + "." + String.format(java.util.Locale.ROOT, "%09d", t.getNano());
        } catch (IOException e) {
            return null;
        }
    }

    private void accept() {
        try {
            acceptLoop();
        } finally {
            if (!closed) {
                log.warn("the fast client's socket is no longer served; the CLI starts a JVM per command");
            }
            try {
                socket.close(); // clients then fall back at once rather than wait for an answer
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                selector.select(250);
                selector.selectedKeys().clear();
                if (!socket.isIntact() && !closed) {
                    socket.rebind(); // someone removed or replaced cli.sock: serve it again, as agent.sock is
                    socket.channel().register(selector, SelectionKey.OP_ACCEPT);
                    log.info("the fast client's socket {} was bound again", socket.path());
                }
                SocketChannel ch;
                while ((ch = socket.channel().accept()) != null) {
                    admit(ch);
                }
            } catch (java.nio.channels.ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("the fast client's socket failed: {}", e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Hands a connection to a session thread of its own (the peer is checked there), or answers "fall back". */
    private void admit(SocketChannel ch) {
        if (!sessions.tryAcquire()) {
            fallBack(ch); // too many at once: the client's own JVM runs it
            return;
        }
        try {
            Thread t = new Thread(() -> new Session(ch).run(), "jbits-cli-" + ids.incrementAndGet());
            t.setDaemon(true);
            t.start();
        } catch (Throwable e) {
            sessions.release();
            closeQuietly(ch);
            log.warn("a fast client's session did not start: {}", e.toString());
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
        writeFrame(ch, tag, data, 0, data.length);
    }

    /** One frame of {@code len} bytes of {@code data} from {@code off}, written whole before any other frame. */
    static void writeFrame(SocketChannel ch, char tag, byte[] data, int off, int len) throws IOException {
        ByteBuffer[] frame = {ByteBuffer.allocate(5).put((byte) tag).putInt(len).flip(), ByteBuffer.wrap(data, off, len)};
        synchronized (ch) {
            while (frame[1].hasRemaining() || frame[0].hasRemaining()) {
                ch.write(frame);
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

    /** Stops accepting and deletes {@code cli.sock} if it is still this host's; runs under way end with the agent. */
    @Override
    public void close() {
        closed = true;
        deadlines.shutdownNow();
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
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
            if (len < 0 || len > MAX_REQUEST_BYTES - total - 5 || args.size() >= MAX_ARGS) {
                throw new IOException("request too large");
            }
            total += 5 + len;
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

    /**
     * Whether this host runs {@code args}: one of {@link #COMMANDS}, with no option that acts on this JVM and no
     * {@code @file} argument.
     */
    static boolean runsHere(List<String> args) {
        for (String a : args) {
            if (a.startsWith("@")) {
                return false; // picocli's @file: read from this JVM's directory, and it may hold any option
            }
            for (String o : PROCESS_OPTIONS) {
                if (a.equals(o) || a.startsWith(o + "=")) {
                    return false;
                }
            }
        }
        String word = Main.commandWord(args.toArray(String[]::new));
        return word != null && COMMANDS.contains(word);
    }

    /**
     * The time zone a JVM started with {@code TZ=tz} (null: unset) would take: the zone named, without a leading
     * {@code :} or a {@code .../zoneinfo/} path; unset, {@code /etc/localtime}'s (this JVM's own default, unless
     * this agent has a TZ of its own); UTC for a name no zone has.
     */
    static ZoneId zoneOf(String tz) {
        if (tz == null) {
            if (System.getenv("TZ") == null) {
                return ZoneId.systemDefault();
            }
            try {
                tz = Files.readSymbolicLink(Path.of("/etc/localtime")).toString();
            } catch (IOException | UnsupportedOperationException e) {
                return ZoneId.systemDefault();
            }
        }
        String t = tz.startsWith(":") ? tz.substring(1) : tz;
        int at = t.indexOf("zoneinfo/");
        if (t.startsWith("/") && at >= 0) {
            t = t.substring(at + "zoneinfo/".length());
        }
        try {
            return t.isEmpty() ? ZoneId.of("UTC") : ZoneId.of(t);
        } catch (java.time.DateTimeException e) {
            return ZoneId.of("UTC");
        }
    }

    /** One client's run. */
    private final class Session {
        private final SocketChannel ch;
        /** Holders of the session's permit: this session, and its command while it runs. */
        private final AtomicInteger holders = new AtomicInteger(1);
        private final AtomicBoolean released = new AtomicBoolean();

        Session(SocketChannel ch) {
            this.ch = ch;
        }

        private void release() {
            if (holders.decrementAndGet() == 0 && released.compareAndSet(false, true)) {
                sessions.release();
            }
        }

        void run() {
            try {
                serve();
            } finally {
                closeQuietly(ch);
                release();
            }
        }

        private void serve() {
            try {
                ch.configureBlocking(true);
                if (peers.admit(ch).isEmpty()) {
                    writeFrame(ch, 'F', new byte[0]); // another user: its JVM's connection to agent.sock is refused
                    return;
                }
            } catch (IOException e) {
                return;
            }
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            // Until the client's go, the deadline may end the session; after it, only the client or the run does.
            AtomicInteger phase = new AtomicInteger(0); // 0 handshake, 1 running, 2 expired
            var deadline = deadlines.schedule(() -> {
                if (phase.compareAndSet(0, 2)) {
                    closeQuietly(ch);
                }
            }, REQUEST_MILLIS, TimeUnit.MILLISECONDS);
            Request req;
            try {
                req = readRequest(in);
                if (req == null) {
                    return;
                }
                if (!build.equals(req.build()) || !runsHere(req.args())) {
                    writeFrame(ch, 'F', new byte[0]);
                    return;
                }
                writeFrame(ch, 'B', new byte[0]);
                int tag = in.read();
                if (tag != 'G' || in.readInt() != 0 || !phase.compareAndSet(0, 1)) {
                    return; // the client went away, was interrupted, or took too long: nothing ran
                }
            } catch (NotForHere e) {
                fallBack(ch);
                return;
            } catch (IOException | RuntimeException e) {
                return; // a broken or departed client: dropped, nothing ran
            } finally {
                deadline.cancel(false);
            }
            runCommand(in, req);
        }

        private void runCommand(DataInputStream in, Request req) {
            ClientIo io = new ClientIo(ch, req, stateDir);
            BlockingQueue<int[]> events = new LinkedBlockingQueue<>(); // {0, status}: ended; {1, signal}; {2}: gone
            holders.incrementAndGet();
            Thread worker = new Thread(() -> {
                int code;
                try {
                    code = Io.with(io, () -> Main.execute(req.args().toArray(String[]::new)));
                } catch (Throwable t) {
                    log.warn("a fast client's command ended with {} in the agent", t.getClass().getName());
                    io.err().println(Main.errorLine("internal error: " + Output.safe(t.getClass().getName())
                            + " [" + HResult.name(HResult.E_UNEXPECTED) + " " + HResult.hex(HResult.E_UNEXPECTED)
                            + "]", CliException.JOB_ERROR));
                    code = CliException.JOB_ERROR;
                } finally {
                    release();
                }
                io.flushAll();
                events.add(new int[]{0, code});
            }, Thread.currentThread().getName() + "-run");
            worker.setDaemon(true);
            Thread reader = new Thread(() -> events.add(readClient(in)), Thread.currentThread().getName() + "-in");
            reader.setDaemon(true);
            try {
                worker.start();
            } catch (Throwable e) {
                release();
                log.warn("a fast client's command did not start: {}", e.toString());
                return; // the client, after its go, ends with exit 5: nothing ran
            }
            try {
                reader.start();
            } catch (Throwable e) {
                io.abandon();
                worker.interrupt();
                return;
            }
            try {
                while (true) {
                    int[] ev = events.poll(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
                    if (ev == null) {
                        send('H', new byte[0]);
                    } else if (ev[0] == 0) {
                        finish(io, ev[1]);
                        return;
                    } else if (ev[0] == 1) {
                        interrupted(io, ev[1], events, worker);
                        return;
                    } else {
                        io.abandon(); // the client was killed: the run stops as a killed JVM would, doing no more
                        worker.interrupt();
                        return;
                    }
                }
            } catch (InterruptedException stop) {
                io.abandon();
                worker.interrupt();
                Thread.currentThread().interrupt();
            }
        }

        /** The client's next frames until a signal ({1, n}) or its end ({2}). */
        private int[] readClient(DataInputStream in) {
            try {
                int tag = in.read();
                if (tag != 'S' || in.readInt() != 4) {
                    return new int[]{2}; // its end, or a frame this client never sends after its go: taken as its end
                }
                return new int[]{1, in.readInt()};
            } catch (IOException e) {
                return new int[]{2};
            }
        }

        private void finish(ClientIo io, int code) {
            if (code == FALLBACK) {
                if (io.untouched()) {
                    send('F', new byte[0]);
                    return;
                }
                // Never reached by today's commands (they read their input before anything else), and said if it is.
                io.err().println(Main.errorLine("this command needs standard input or a terminal prompt, which"
                        + " the agent cannot give it once it has begun; run it with JBITS_NO_FAST=1 ["
                        + HResult.name(HResult.E_UNEXPECTED) + " " + HResult.hex(HResult.E_UNEXPECTED) + "]",
                        CliException.JOB_ERROR));
                io.flushAll();
                code = CliException.JOB_ERROR;
            }
            send('X', exit(code));
        }

        /**
         * Ctrl-C: what a JVM's shutdown hooks do (a synchronous start removes its job), on a thread of their own
         * while heartbeats go on, then 128 + the signal at once, as a JVM exits once its hooks have run: the command
         * is not waited for (it may be in a call to the agent that will not end soon); it is interrupted, and asks
         * nothing more of the agent.
         */
        private void interrupted(ClientIo io, int signal, BlockingQueue<int[]> events, Thread worker)
                throws InterruptedException {
            Thread hooks = new Thread(() -> {
                io.interrupt();
                events.add(new int[]{3});
            }, Thread.currentThread().getName() + "-hooks");
            hooks.setDaemon(true);
            hooks.start();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERRUPT_MILLIS);
            while (System.nanoTime() < end) {
                int[] ev = events.poll(Math.min(HEARTBEAT_MILLIS,
                        Math.max(1, (end - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
                if (ev == null) {
                    send('H', new byte[0]);
                } else if (ev[0] == 3 || ev[0] == 2) {
                    break; // the hooks have run, or the client left (a second Ctrl-C)
                }
            }
            io.flushAll();
            send('X', exit(128 + (signal & 0x7f)));
            io.abandon();
            worker.interrupt();
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

    /** A client's streams, terminal and environment, as its request described them. */
    private static final class ClientIo extends Io {
        private final SocketChannel ch;
        private final Request req;
        private final Path stateDir;
        private final FrameStream outBytes;
        private final FrameStream errBytes;
        private final PrintStream out;
        private final PrintStream err;
        private final List<Thread> hooks = new ArrayList<>();
        private volatile boolean interrupted;
        private volatile boolean abandoned;
        private volatile boolean calledAgent;

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

        /** Nothing written and nothing asked of the agent: the command may still run elsewhere. */
        boolean untouched() {
            return !outBytes.wrote && !errBytes.wrote && !calledAgent;
        }

        /** Runs the hooks registered so far; one registered later runs as it is registered. */
        void interrupt() {
            List<Thread> now;
            synchronized (this) {
                interrupted = true;
                now = new ArrayList<>(hooks);
                hooks.clear();
            }
            for (Thread h : now) {
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
        void callingAgent() {
            if (interrupted || abandoned) {
                // A JVM would have ended at the signal: the run asks nothing more of the agent.
                throw new CliException(CliException.JOB_ERROR, "interrupted [E_ABORT 0x80004004]");
            }
            calledAgent = true;
        }

        @Override
        void reading(long bytes) {
            if (bytes > MAX_CSV_BYTES) {
                throw new Fallback("a large file"); // read by a JVM of the client's own, not into the agent's heap
            }
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
        ZoneId zone() {
            return zoneOf(req.env().get("TZ"));
        }

        @Override
        boolean ansi() {
            // picocli's Ansi.AUTO, asked of the client's terminal and environment instead of this process's
            if (req.env().get("NO_COLOR") != null) {
                return false;
            }
            String force = req.env().get("CLICOLOR_FORCE");
            if (force != null && !"0".equals(force)) {
                return true;
            }
            return !"0".equals(req.env().get("CLICOLOR")) && console();
        }

        @Override
        void onInterrupt(Thread hook) {
            synchronized (this) {
                if (!interrupted) {
                    hooks.add(hook);
                    return;
                }
            }
            // Interrupted before it was registered: as a JVM's hook, it runs, with its own calls to the agent.
            Io.with(Io.PROCESS, () -> {
                hook.run();
                return null;
            });
        }

        @Override
        void removeInterrupt(Thread hook) {
            synchronized (this) {
                hooks.remove(hook);
            }
        }

        /**
         * Bytes written to a stream, sent as frames of {@code tag} of up to 64 KiB from one buffer (a large
         * {@code get --json} makes no garbage here beyond its frames' headers); dropped once the client is gone.
         */
        private final class FrameStream extends OutputStream {
            private final char tag;
            private final byte[] buf = new byte[65536];
            private int count;
            volatile boolean wrote;

            FrameStream(char tag) {
                this.tag = tag;
            }

            @Override
            public synchronized void write(int b) {
                if (count == buf.length) {
                    flush();
                }
                buf[count++] = (byte) b;
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                while (len > 0) {
                    int n = Math.min(len, buf.length - count);
                    System.arraycopy(b, off, buf, count, n);
                    count += n;
                    off += n;
                    len -= n;
                    if (count == buf.length) {
                        flush();
                    }
                }
            }

            @Override
            public synchronized void flush() {
                if (count == 0) {
                    return;
                }
                wrote = true;
                int n = count;
                count = 0;
                if (abandoned) {
                    return;
                }
                try {
                    writeFrame(ch, tag, buf, 0, n);
                } catch (IOException e) {
                    abandoned = true;
                }
            }
        }
    }
}
