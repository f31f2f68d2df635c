package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * A real Apache httpd (Debian's apache2) on a free 127.0.0.1 port, from a private prefix with a generated config,
 * one per JVM ({@link #shared()}). It serves {@link #docroot()} under {@code /digest/}, which mod_auth_digest
 * protects (RFC 7616 Digest, MD5, qop=auth) for {@link #USER}: the Digest partner of the credential tests.
 * A missing apache2 is a failure, never a skip: CI installs it.
 */
public final class ApacheServer implements AutoCloseable {
    public static final String USER = "carol";
    public static final String PASSWORD = "digest-Pw4";
    public static final String REALM = "jbits-digest";
    private static final String MODULES = "/usr/lib/apache2/modules";

    private static ApacheServer shared;

    private final Path prefix;
    private final Process process;
    private final int port;

    private ApacheServer(Path prefix, Process process, int port) {
        this.prefix = prefix;
        this.process = process;
        this.port = port;
    }

    /** The JVM's apache2, started on first use and stopped when the JVM exits. */
    public static synchronized ApacheServer shared() {
        if (shared == null) {
            ApacheServer s = start();
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "apache-reaper"));
            shared = s;
        }
        return shared;
    }

    /** The directory served under {@code /digest/}. */
    public Path docroot() {
        return prefix.resolve("www");
    }

    /** {@code http://127.0.0.1:PORT/digest/NAME}. */
    public URI digestUrl(String name) {
        return URI.create("http://127.0.0.1:" + port + "/digest/" + name);
    }

    /** Writes a file into the docroot, readable by the server's user. */
    public void put(String name, byte[] content) {
        try {
            Path p = docroot().resolve(name);
            Files.write(p, content);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The access log's lines (combined format: the user is the third field). */
    public List<String> accessLog() {
        try {
            return Files.readAllLines(prefix.resolve("access.log"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ApacheServer start() {
        String httpd = Daemons.find("Apache httpd", "apache2", "/usr/sbin/apache2", "/usr/sbin/httpd");
        try {
            Path prefix = Files.createTempDirectory("jbits-apache-");
            Files.setPosixFilePermissions(prefix, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path www = Files.createDirectory(prefix.resolve("www"));
            Files.setPosixFilePermissions(www, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path users = prefix.resolve("htdigest");
            Files.writeString(users, USER + ":" + REALM + ":" + md5(USER + ":" + REALM + ":" + PASSWORD) + "\n");
            Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-r--r--"));
            int port = Ports.free();
            String modules = String.join("\n", List.of("mpm_event", "authn_core", "authn_file", "authz_core",
                    "authz_user", "auth_digest", "alias").stream()
                    .map(m -> "LoadModule " + m + "_module " + MODULES + "/mod_" + m + ".so").toList());
            String conf = """
                    %1$s
                    ServerRoot %2$s
                    ServerName 127.0.0.1
                    Listen 127.0.0.1:%3$d
                    PidFile %2$s/httpd.pid
                    DefaultRuntimeDir %2$s
                    Mutex file:%2$s default
                    ErrorLog %2$s/error.log
                    LogLevel warn
                    LogFormat "%%h %%l %%u %%t \\"%%r\\" %%>s %%b" plain
                    CustomLog %2$s/access.log plain
                    %4$s
                    StartServers 1
                    ServerLimit 1
                    ThreadsPerChild 8
                    MaxRequestWorkers 8
                    KeepAlive On
                    DocumentRoot %2$s/www
                    <Directory %2$s/www>
                      Require all granted
                    </Directory>
                    Alias /digest/ %2$s/www/
                    <Location /digest/>
                      AuthType Digest
                      AuthName "%5$s"
                      AuthDigestProvider file
                      AuthUserFile %2$s/htdigest
                      Require valid-user
                    </Location>
                    """.formatted(modules, prefix, port, Daemons.isRoot() ? "User www-data\nGroup www-data" : "", REALM);
            Path confFile = prefix.resolve("httpd.conf");
            Files.writeString(confFile, conf);
            Process p = new ProcessBuilder(httpd, "-f", confFile.toString(), "-DFOREGROUND")
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
            Daemons.awaitPort(p, port, Duration.ofSeconds(15), prefix.resolve("stdout.log"), "apache2");
            return new ApacheServer(prefix, p, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        Daemons.stop(process);
        Daemons.deleteTree(prefix);
    }
}
