package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real nginx on a free 127.0.0.1 port, run from a private prefix directory (config, logs, temp paths, pid), so
 * it works as root or not and leaves nothing behind. It serves {@link #docroot()} at three places:
 * <ul>
 *   <li>{@code /NAME}: full speed, with ranges, ETag and Last-Modified as nginx sends them for static files;</li>
 *   <li>{@code /slow/NAME}: the same files under {@code limit_rate} ({@link Builder#limitRate});</li>
 *   <li>{@code /rate/NAME?rate=R}: any rate per request ({@code 256k}, {@code 1m}; no {@code rate}: unlimited).</li>
 * </ul>
 * Each request is logged with its Range, If-Range, status and body bytes; {@link #accessLog()} parses the log.
 *
 * <p>A missing nginx is a failure, never a skip: CI installs it ({@code apt-get install nginx-light}).
 */
public final class NginxServer implements AutoCloseable {
    /** Candidate binaries when neither {@code -Djbits.nginx} nor {@code NGINX} names one. */
    private static final List<String> KNOWN_PATHS = List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx",
            "/usr/local/nginx/sbin/nginx", "/usr/bin/nginx", "/opt/homebrew/bin/nginx", "/usr/local/bin/nginx");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Path prefix;
    private final Path docroot;
    private final Path accessLog;
    private final Process process;
    private final int port;
    /** The server's self-signed certificate (PEM) when it serves TLS, else null. */
    private final Path certificate;

    private final Thread reaper;

    private NginxServer(Path prefix, Path docroot, Process process, int port, Path certificate) {
        this.prefix = prefix;
        this.certificate = certificate;
        this.docroot = docroot;
        this.accessLog = prefix.resolve("logs/access.log");
        this.process = process;
        this.port = port;
        // nginx outlives a JVM that exits without close() (a test that forgot it, a killed fork): stop it then too.
        this.reaper = new Thread(process::destroyForcibly, "nginx-reaper-" + port);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** A server with the default settings ({@code limit_rate 256k} on {@code /slow/}). */
    public static NginxServer start() {
        return builder().start();
    }

    /** Settings for a server. */
    public static Builder builder() {
        return new Builder();
    }

    /** The directory served; put files here (or use {@link #put}). */
    public Path docroot() {
        return docroot;
    }

    /** The port nginx listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    /**
     * {@code http://127.0.0.1:PORT/path}, or {@code https://} for a TLS server (the path is taken as given, a
     * leading '/' is optional).
     */
    public URI url(String path) {
        return URI.create((certificate != null ? "https" : "http") + "://127.0.0.1:" + port
                + (path.startsWith("/") ? "" : "/") + path);
    }

    /** The self-signed certificate (PEM, for 127.0.0.1) of a server started with {@link Builder#tls()}. */
    public Path certificate() {
        if (certificate == null) {
            throw new IllegalStateException("this nginx serves plain HTTP");
        }
        return certificate;
    }

    /** The URL of a docroot file under the {@code limit_rate} location. */
    public URI slowUrl(String name) {
        return url("/slow/" + name);
    }

    /** The URL of a docroot file served at {@code rate} bytes per second ({@code 64k}, {@code 1m}). */
    public URI rateUrl(String name, String rate) {
        return url("/rate/" + name + "?rate=" + rate);
    }

    /** Writes {@code content} to {@code docroot/name} (atomically: a request never sees half of it). */
    public Path put(String name, byte[] content) {
        try {
            Path target = docroot.resolve(name);
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(prefix.resolve("tmp"), "put", ".part");
            Files.write(tmp, content);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every request logged so far, oldest first. nginx logs a request when it ends (also when the client left). */
    public List<AccessLogEntry> accessLog() {
        try {
            if (!Files.exists(accessLog)) {
                return List.of();
            }
            List<AccessLogEntry> out = new ArrayList<>();
            for (String line : Files.readAllLines(accessLog, StandardCharsets.ISO_8859_1)) {
                if (!line.isBlank()) {
                    out.add(AccessLogEntry.parse(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The logged transfer requests whose path (query string excluded) ends with {@code suffix}: HEAD requests are
     * left out, they are a background job's latency probes (README, Network citizenship), not transfers.
     */
    public List<AccessLogEntry> requestsFor(String suffix) {
        return transfers().filter(e -> e.path().endsWith(suffix)).toList();
    }

    private java.util.stream.Stream<AccessLogEntry> transfers() {
        return accessLog().stream().filter(e -> !e.method().equals("HEAD"));
    }

    /** Waits until at least {@code count} logged transfer requests (not HEAD probes) match, and returns them. */
    public List<AccessLogEntry> awaitRequests(Predicate<AccessLogEntry> match, int count, Duration timeout) {
        var found = new java.util.concurrent.atomic.AtomicReference<List<AccessLogEntry>>(List.of());
        Await.until(timeout, () -> count + " matching request(s) in the nginx access log; have " + accessLog(), () -> {
            found.set(transfers().filter(match).toList());
            return found.get().size() >= count;
        });
        return found.get();
    }

    /** The error log, for failure messages. */
    public String errorLog() {
        return readQuietly(prefix.resolve("logs/error.log"));
    }

    /** Stops nginx and deletes its prefix (docroot included). */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops nginx
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Daemons.deleteTree(prefix);
    }

    /** One access-log line: {@code $msec $request $status $http_range $http_if_range $body_bytes_sent $request_time}. */
    public record AccessLogEntry(Instant time, String method, String target, int status, String range, String ifRange,
                                 long bodyBytesSent, Duration requestTime) {
        /** The request target without its query string. */
        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        /** The N of a {@code Range: bytes=N-} header, or -1 without one. */
        public long rangeStart() {
            if (range == null || !range.startsWith("bytes=")) {
                return -1;
            }
            String spec = range.substring("bytes=".length());
            int dash = spec.indexOf('-');
            return dash <= 0 ? -1 : Long.parseLong(spec.substring(0, dash).trim());
        }

        static AccessLogEntry parse(String line) {
            String[] f = line.split("\t", -1);
            if (f.length != 7) {
                throw new IllegalStateException("unexpected nginx access log line: " + line);
            }
            String[] request = unescape(f[1]).split(" ");
            long millis = Math.round(Double.parseDouble(f[0]) * 1000);
            return new AccessLogEntry(Instant.ofEpochMilli(millis), request[0], request.length > 1 ? request[1] : "",
                    Integer.parseInt(f[2]), orNull(f[3]), orNull(f[4]), Long.parseLong(f[5]),
                    Duration.ofMillis(Math.round(Double.parseDouble(f[6]) * 1000)));
        }

        private static String orNull(String field) {
            return field.equals("-") ? null : unescape(field);
        }

        /** nginx writes {@code "} and non-printable bytes as {@code \xHH} in logs. */
        private static String unescape(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 3 < s.length() && s.charAt(i + 1) == 'x') {
                    b.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
                    i += 3;
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }

    /** How to run the server. */
    public static final class Builder {
        private String limitRate = "256k";
        private String extraServerConfig = "";
        private boolean tls;
        private Path tlsCertificate;
        private Path tlsKey;

        private Builder() {
        }

        /** Serves HTTPS only with the given certificate chain and key (PEM), e.g. one a {@link TestCa} signed. */
        public Builder tls(Path certificate, Path key) {
            this.tls = true;
            this.tlsCertificate = certificate;
            this.tlsKey = key;
            return this;
        }

        /**
         * Serves HTTPS only, with a new self-signed certificate for 127.0.0.1 made by {@code openssl} (RSA 2048,
         * valid two days); {@link #certificate()} is the PEM a client must trust.
         */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** The {@code limit_rate} of {@code /slow/} ({@code 256k}, {@code 1m}, bytes per second). */
        public Builder limitRate(String rate) {
            this.limitRate = rate;
            return this;
        }

        /** Raw directives added to the {@code server} block (extra locations for other tests and benchmarks). */
        public Builder extraServerConfig(String directives) {
            this.extraServerConfig = directives;
            return this;
        }

        /** Starts nginx and waits until it accepts connections. */
        public NginxServer start() {
            String binary = findNginx();
            Path prefix;
            try {
                prefix = Files.createTempDirectory("jbits-nginx-");
                for (String d : List.of("logs", "tmp", "www")) {
                    Files.createDirectories(prefix.resolve(d));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (tlsCertificate != null) {
                try {
                    Files.copy(tlsCertificate, prefix.resolve("cert.pem"));
                    Files.copy(tlsKey, prefix.resolve("key.pem"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else if (tls) {
                makeCertificate(prefix);
            }
            // A free port can be taken between probing and nginx's bind: try a few.
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = Ports.free();
                try {
                    return launch(binary, prefix, port);
                } catch (IllegalStateException e) {
                    last = e;
                    if (!e.getMessage().contains("Address already in use")) {
                        break;
                    }
                }
            }
            Daemons.deleteTree(prefix);
            throw last;
        }

        private NginxServer launch(String binary, Path prefix, int port) {
            Path conf = prefix.resolve("nginx.conf");
            Path errorLog = prefix.resolve("logs/error.log");
            try {
                Files.writeString(conf, config(prefix, port));
                Files.deleteIfExists(errorLog);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> command = new ArrayList<>(List.of(binary, "-p", prefix + "/", "-c", conf.toString()));
            if (supportsErrorLogOption(binary)) {
                // Else the error log compiled in (/var/log/nginx) is tried before the config is read.
                command.addAll(List.of("-e", errorLog.toString()));
            }
            command.addAll(List.of("-g", "daemon off; pid " + prefix.resolve("logs/nginx.pid") + ";"));
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("logs/stdout.log").toFile());
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run nginx at " + binary + ": " + e.getMessage(), e);
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("nginx exited with status " + p.exitValue() + " on port " + port
                            + ": " + readQuietly(errorLog) + readQuietly(prefix.resolve("logs/stdout.log")));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new NginxServer(prefix, prefix.resolve("www"), p, port, tls ? prefix.resolve("cert.pem") : null);
                } catch (IOException notYet) {
                    sleep(20);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("nginx did not accept connections on port " + port + " within "
                    + START_TIMEOUT.toSeconds() + " s: " + readQuietly(errorLog));
        }

        private String config(Path prefix, int port) {
            Path www = prefix.resolve("www");
            Path tmp = prefix.resolve("tmp");
            // master_process off: one process, no privilege drop, so root and non-root runs behave alike.
            return """
                    master_process off;
                    worker_processes 1;
                    error_log %3$s/logs/error.log warn;
                    lock_file %2$s/nginx.lock;
                    events { worker_connections 256; }
                    http {
                      default_type application/octet-stream;
                      client_body_temp_path %2$s/body;
                      proxy_temp_path %2$s/proxy;
                      fastcgi_temp_path %2$s/fastcgi;
                      uwsgi_temp_path %2$s/uwsgi;
                      scgi_temp_path %2$s/scgi;
                      log_format jbits '$msec\\t$request\\t$status\\t$http_range\\t$http_if_range\\t$body_bytes_sent\\t$request_time';
                      access_log %3$s/logs/access.log jbits;
                      keepalive_timeout 30s;
                      server {
                        listen 127.0.0.1:%1$d%7$s;
                        %8$s
                        root %4$s;
                        location / { }
                        location /slow/ { alias %4$s/; limit_rate %5$s; }
                        location /rate/ { alias %4$s/; limit_rate $arg_rate; }
                        %6$s
                      }
                    }
                    """.formatted(port, tmp, prefix, www, limitRate, extraServerConfig, tls ? " ssl" : "",
                    tls ? "ssl_certificate %1$s/cert.pem; ssl_certificate_key %1$s/key.pem;".formatted(prefix) : "");
        }

        /** cert.pem and key.pem in {@code prefix}: a self-signed certificate for 127.0.0.1. */
        private static void makeCertificate(Path prefix) {
            List<String> command = List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", prefix.resolve("key.pem").toString(), "-out", prefix.resolve("cert.pem").toString(),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("openssl could not make a certificate: " + out);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run openssl (apt-get install openssl): " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while making a certificate", e);
            }
        }
    }

    /** {@code -e} exists since nginx 1.19.5; older builds reject it. */
    private static boolean supportsErrorLogOption(String binary) {
        try {
            Process p = new ProcessBuilder(binary, "-v").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            p.waitFor(5, TimeUnit.SECONDS);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("nginx/(\\d+)\\.(\\d+)\\.(\\d+)").matcher(out);
            if (!m.find()) {
                return false;
            }
            int v = Integer.parseInt(m.group(1)) * 1_000_000 + Integer.parseInt(m.group(2)) * 1_000
                    + Integer.parseInt(m.group(3));
            return v >= 1_019_005;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String findNginx() {
        String configured = System.getProperty("jbits.nginx");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("NGINX");
        }
        if (configured != null && !configured.isBlank()) {
            if (!Files.isExecutable(Path.of(configured))) {
                throw new IllegalStateException("nginx named by -Djbits.nginx / NGINX is not executable: " + configured);
            }
            return configured;
        }
        List<String> candidates = new ArrayList<>(KNOWN_PATHS);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                candidates.add(dir + "/nginx");
            }
        }
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        throw new IllegalStateException("nginx is required by the transfer tests but was not found (looked in "
                + KNOWN_PATHS + " and PATH). Install it (Debian/Ubuntu: apt-get install nginx-light) or point "
                + "-Djbits.nginx=/path/to/nginx at it.");
    }


    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }

}
