package org.jbits.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jbits.file.DurableFile;
import org.jbits.file.SafeDirectory;
import org.jbits.file.StagingPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BITS upload server ([MC-BUP]): the receiving end of BITS upload and upload-reply jobs, writing every upload
 * into one directory, embeddable as this class or run as {@code jbits serve-uploads}.
 *
 * <pre>{@code
 * try (UploadServer server = UploadServer.builder(Path.of("/srv/uploads")).port(8080).build().start()) {
 *     System.out.println("BITS uploads at " + server.url());
 *     server.join();
 * }
 * }</pre>
 *
 * <p>Sessions are server-wide and kept on disk, one journal each, so a restart (or {@code kill -9}) resumes every
 * session from the bytes it made durable; a file appears under its name only when its session is closed complete.
 * Writes never leave the directory: paths are confined ({@link UploadPath}), directories walked by handle
 * without following links, and the final rename made through the directory's handle.
 *
 * <p>Defaults: port 8080 on 127.0.0.1, files up to 64 GiB, 1,000 open sessions, sessions expire after 14 days
 * without a packet, existing files are not overwritten, sub-directories must exist, 30 s idle timeout, 64 handler
 * threads, 4,096 connections.
 */
public final class UploadServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UploadServer.class);
    /** The state directory's name inside the upload directory, unless another is given. */
    public static final String STATE_DIRECTORY = ".jbits-uploads";

    private final Builder b;
    private Server jetty;
    private ServerConnector connector;
    private static final int BODY_READ_BUFFER = 64 << 10;
    private SafeDirectory root;
    private SafeDirectory state;
    private SessionStore store;
    private ExecutorService io;
    private ScheduledExecutorService sweeper;

    private UploadServer(Builder b) {
        this.b = b;
    }

    /** A builder for a server writing into {@code directory} (which must exist). */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /**
     * Opens the directories, resumes the sessions on disk, and starts listening.
     *
     * @throws IOException when the directory cannot be used or the port cannot be bound
     */
    public UploadServer start() throws IOException {
        if (!SafeDirectory.supported()) {
            throw new IOException("the upload server needs Linux (openat/renameat2 through JNA) on x86-64 or AArch64");
        }
        boolean started = false;
        try {
            root = SafeDirectory.open(b.directory, null);
            state = openState();
            TargetDirectories dirs = new TargetDirectories(root, b.createDirectories);
            SessionFiles files = new SessionFiles(dirs, state, b.overwrite, b.directIo);
            store = new SessionStore(files, b.maxSessions, b.sessionExpiry, b.clock);
            int resumed = store.recover();
            AtomicInteger n = new AtomicInteger();
            io = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "jbits-upload-io-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            // 256 KiB staging buffers, 32 MiB in all beyond the two each fragment being received always gets.
            StagingPool pool = new StagingPool(256 << 10, 32L << 20);
            DurableFile.Options options = new DurableFile.Options(4L << 20, 64L << 20, 1_000_000_000L, 500_000_000L,
                    b.directIo);
            FragmentReceiver receiver = new FragmentReceiver(files, pool, io, options, b.clock);
            PlainUpload plain = b.plainPut ? new PlainUpload(files, pool, io, options, b.maxFileSize) : null;
            BitsHandler handler = new BitsHandler(store, receiver, notifier(), plain, b.auth, b.maxFileSize,
                    b.idleTimeout.plusSeconds(5));
            jetty = jetty(handler);
            jetty.start();
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jbits-upload-expiry");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1000, Math.min(60_000, b.sessionExpiry.toMillis() / 4));
            sweeper.scheduleWithFixedDelay(this::expireSessions, every, every, TimeUnit.MILLISECONDS);
            log.info("serving BITS uploads into {} at {} ({} sessions resumed)", b.directory, url(), resumed);
            started = true;
            return this;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot start the upload server: " + e.getMessage(), e);
        } finally {
            if (!started) {
                close();
            }
        }
    }

    /** The state directory: journals and reply files, private to this user (0700), reached by handle. */
    private SafeDirectory openState() throws IOException {
        SafeDirectory d;
        if (b.stateDirectory == null) {
            try {
                d = root.openSubdirectory(STATE_DIRECTORY);
            } catch (NoSuchFileException e) {
                d = root.createSubdirectory(STATE_DIRECTORY, 0700);
            }
        } else {
            Files.createDirectories(b.stateDirectory);
            d = SafeDirectory.open(b.stateDirectory, null);
        }
        String why = d.untrustedReason();
        if (why != null) {
            d.close();
            throw new IOException("the state directory " + d.path() + " " + why);
        }
        d.chmod(0700);
        return d;
    }

    private BackendNotifier notifier() {
        if (b.notifyCommand != null) {
            return new CommandNotifier(b.notifyCommand, b.notifyTimeout);
        }
        if (b.notifyUrl != null) {
            return new UrlNotifier(b.notifyUrl, b.notifyByValue, b.notifyTimeout, b.maxFileSize);
        }
        return null;
    }

    private Server jetty(BitsHandler handler) {
        QueuedThreadPool threads = new QueuedThreadPool(b.maxThreads, Math.min(4, b.maxThreads), 60_000);
        threads.setName("jbits-upload");
        Server server = new Server(threads);
        // Jetty's buffers retained for reuse: at most 16 MiB on and 16 MiB off the heap.
        ArrayByteBufferPool buffers = new ArrayByteBufferPool(0, 4096, BODY_READ_BUFFER, 1024, 16L << 20, 16L << 20);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // BITS headers are up to 4 KB each; the handler answers an oversize one with E_INVALIDARG.
        http.setRequestHeaderSize(32 << 10);
        // Paths reach the handler as sent, so UploadPath's rules (not Jetty's) decide, and answer with BITS codes.
        http.setUriCompliance(UriCompliance.UNSAFE);
        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        // A body is read from the socket into buffers of this size (Jetty's default, 8 KiB, took about 170,000
        // read(2) per GiB, measured with strace -c): the pool's largest, so they are reused.
        h1.setInputBufferSize(BODY_READ_BUFFER);
        if (b.keyStore != null) {
            http.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(b.keyStore.toString());
            ssl.setKeyStoreType("PKCS12");
            ssl.setKeyStorePassword(new String(b.keyStorePassword));
            connector = new ServerConnector(server, null, null, buffers, 1, 1,
                    new SslConnectionFactory(ssl, h1.getProtocol()), h1);
        } else {
            connector = new ServerConnector(server, null, null, buffers, 1, 1, h1);
        }
        connector.setHost(b.bind);
        connector.setPort(b.port);
        connector.setIdleTimeout(b.idleTimeout.toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(b.maxConnections, server));
        server.setHandler(handler);
        server.setErrorHandler(new AckErrorHandler());
        server.setStopTimeout(5000);
        return server;
    }

    /** The port it listens on (the one chosen when built with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The server's base URL, {@code http(s)://bind:port/}. */
    public URI url() {
        String host = b.bind.contains(":") ? "[" + b.bind + "]" : b.bind;
        return URI.create((b.keyStore != null ? "https" : "http") + "://" + host + ":" + port() + "/");
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return new InetSocketAddress(b.bind, port());
    }

    /** The sessions open now. */
    public int openSessions() {
        return store == null ? 0 : store.size();
    }

    /** Ends the sessions abandoned for longer than the expiry (run periodically; by the builder's clock). */
    int expireSessions() {
        try {
            return store.expire();
        } catch (RuntimeException e) {
            log.warn("expiring sessions failed: {}", e.toString());
            return 0;
        }
    }

    SessionStore store() {
        return store;
    }

    /** Waits until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    /** Stops listening (requests in flight get 5 s to finish); every session stays on disk for the next start. */
    @Override
    public void close() {
        try {
            if (jetty != null) {
                jetty.stop();
            }
        } catch (Exception e) {
            log.warn("stopping the upload server: {}", e.toString());
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (io != null) {
            io.shutdown();
        }
        if (store != null) {
            for (UploadSession s : store.all()) {
                s.journal.release();
            }
        }
        if (state != null) {
            state.close();
        }
        if (root != null) {
            root.close();
        }
    }

    /** The server's settings; every one has a default but the directory. */
    public static final class Builder {
        private final Path directory;
        private Path stateDirectory;
        private String bind = "127.0.0.1";
        private int port = 8080;
        private long maxFileSize = 64L << 30;
        private int maxSessions = 1000;
        private Duration sessionExpiry = Duration.ofDays(14);
        private boolean overwrite;
        private boolean createDirectories;
        private boolean plainPut;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private int maxThreads = 64;
        private int maxConnections = 4096;
        private BasicAuth auth;
        private Path keyStore;
        private char[] keyStorePassword;
        private List<String> notifyCommand;
        private URI notifyUrl;
        private boolean notifyByValue;
        private Duration notifyTimeout = Duration.ofMinutes(2);
        private Clock clock = Clock.systemUTC();
        private boolean directIo = true;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /** Where journals and reply files live (default {@code DIR/.jbits-uploads}); made private (0700). */
        public Builder stateDirectory(Path dir) {
            this.stateDirectory = dir;
            return this;
        }

        /** The address to listen on (default 127.0.0.1; 0.0.0.0 for every interface). */
        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The port (default 8080; 0 picks a free one, see {@link #port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not 0-65535");
            }
            this.port = port;
            return this;
        }

        /** The largest file accepted (default 64 GiB): larger is 500 BG_E_TOO_LARGE. */
        public Builder maxFileSize(long bytes) {
            this.maxFileSize = positive(bytes, "maxFileSize");
            return this;
        }

        /** How many sessions may be open at once (default 1,000): one more is 503 with Retry-After. */
        public Builder maxSessions(int sessions) {
            this.maxSessions = (int) positive(sessions, "maxSessions");
            return this;
        }

        /** How long a session may go without a packet before it is ended (default 14 days). */
        public Builder sessionExpiry(Duration expiry) {
            this.sessionExpiry = positive(expiry, "sessionExpiry");
            return this;
        }

        /** Whether an upload may replace an existing file (default no: 409 E_ACCESSDENIED). */
        public Builder overwrite(boolean allow) {
            this.overwrite = allow;
            return this;
        }

        /** Whether missing sub-directories of the URL are created (default no: 404). */
        public Builder createDirectories(boolean create) {
            this.createDirectories = create;
            return this;
        }

        /** Whether plain PUT and POST uploads are taken too, for benchmarks (default no). */
        public Builder plainPut(boolean enable) {
            this.plainPut = enable;
            return this;
        }

        /** How long a connection may be idle, a body included (default 30 s). */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive(timeout, "idleTimeout");
            return this;
        }

        /** Handler threads (default 64): requests handled at once, each with at most one fragment's buffers. */
        public Builder maxThreads(int threads) {
            this.maxThreads = (int) Math.max(8, positive(threads, "maxThreads"));
            return this;
        }

        /** Open connections (default 4,096); past it Jetty stops accepting until one closes. */
        public Builder maxConnections(int connections) {
            this.maxConnections = (int) positive(connections, "maxConnections");
            return this;
        }

        /** Requires HTTP Basic authentication with one of these {@code user -> password} pairs. */
        public Builder basicAuth(Map<String, String> users) {
            this.auth = BasicAuth.of(users);
            return this;
        }

        /** Requires HTTP Basic authentication with the {@code user:password} lines of {@code file}. */
        public Builder basicAuthFile(Path file) {
            try {
                this.auth = BasicAuth.fromFile(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the credentials file " + file, e);
            }
            return this;
        }

        /** Requires HTTP Basic authentication with the {@code user:password} lines of {@code text}. */
        public Builder basicAuthText(String text, String source) {
            this.auth = BasicAuth.parse(text, source);
            return this;
        }

        /** Serves HTTPS with the key and certificate of this PKCS#12 key store. */
        public Builder tls(Path pkcs12, char[] password) {
            this.keyStore = Objects.requireNonNull(pkcs12, "pkcs12");
            this.keyStorePassword = password.clone();
            return this;
        }

        /** Hands each complete upload to this command by reference (see {@link CommandNotifier}). */
        public Builder notifyCommand(List<String> argv) {
            this.notifyCommand = new ArrayList<>(argv);
            this.notifyUrl = null;
            return this;
        }

        /** Hands each complete upload to this URL, by value (the upload in the POST's body) or by reference. */
        public Builder notifyUrl(URI url, boolean byValue) {
            this.notifyUrl = Objects.requireNonNull(url, "url");
            this.notifyByValue = byValue;
            this.notifyCommand = null;
            return this;
        }

        /** How long the back-end application may take (default 2 min; BITS clients wait 5 min for the ack). */
        public Builder notifyTimeout(Duration timeout) {
            this.notifyTimeout = positive(timeout, "notifyTimeout");
            return this;
        }

        /** The clock sessions expire by (tests drive it). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether block-aligned runs are written with O_DIRECT where the file system takes it (default yes). */
        public Builder directIo(boolean direct) {
            this.directIo = direct;
            return this;
        }

        public UploadServer build() {
            return new UploadServer(this);
        }

        private static long positive(long v, String what) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be positive, not " + v);
            }
            return v;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            return d;
        }
    }
}
