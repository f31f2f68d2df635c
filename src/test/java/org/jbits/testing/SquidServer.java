package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A real squid proxy on free 127.0.0.1 ports, from a private prefix with a generated config, one per JVM
 * ({@link #shared()}): the proxy the proxy tests go through, with two partners the tests did not write:
 * <ul>
 *   <li>{@link #port()}: a forward proxy (plain HTTP and CONNECT) that requires proxy authentication: Basic for
 *       {@link #BASIC_USER} (squid's {@code basic_ncsa_auth} over an htpasswd file) or NTLM for {@link #NTLM_USER}
 *       (Samba's {@code ntlm_auth --helper-protocol=squid-2.5-ntlmssp}, checking NTLMv2 responses against the given
 *       password);</li>
 *   <li>{@link #openPort()}: the same proxy without authentication.</li>
 * </ul>
 * Squid's access log ({@link #accessLog()}) shows every request and the user it was authenticated as.
 * A missing squid or ntlm_auth is a failure, never a skip: CI installs them (squid, winbind).
 */
public final class SquidServer implements AutoCloseable {
    public static final String BASIC_USER = "alice";
    public static final String BASIC_PASSWORD = "proxy-Pw1";
    public static final String NTLM_DOMAIN = "JBITSNT";
    public static final String NTLM_USER = "bob";
    public static final String NTLM_PASSWORD = "ntlm-Pw2";

    private static SquidServer shared;

    private final Path prefix;
    private final Process process;
    private final int port;
    private final int openPort;

    private SquidServer(Path prefix, Process process, int port, int openPort) {
        this.prefix = prefix;
        this.process = process;
        this.port = port;
        this.openPort = openPort;
    }

    /** The JVM's squid, started on first use and stopped when the JVM exits. */
    public static synchronized SquidServer shared() {
        if (shared == null) {
            SquidServer s = start();
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "squid-reaper"));
            shared = s;
        }
        return shared;
    }

    /** The authenticating proxy's port. */
    public int port() {
        return port;
    }

    /** The open proxy's port. */
    public int openPort() {
        return openPort;
    }

    /** The access log's lines ({@code time elapsed client code/status bytes method URL user hierarchy type}). */
    public List<String> accessLog() {
        try {
            Path log = prefix.resolve("access.log");
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SquidServer start() {
        String squid = Daemons.find("squid", "squid", "/usr/sbin/squid", "/usr/local/sbin/squid");
        String ntlmAuth = Daemons.find("Samba's ntlm_auth", "winbind", "/usr/bin/ntlm_auth");
        String ncsa = Daemons.find("squid's basic_ncsa_auth", "squid", "/usr/lib/squid/basic_ncsa_auth");
        try {
            Path prefix = Files.createTempDirectory("jbits-squid-");
            // Squid started by root runs as its own user (proxy), which must write the logs here.
            Files.setPosixFilePermissions(prefix, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path passwd = prefix.resolve("passwd");
            Files.writeString(passwd, BASIC_USER + ":" + md5crypt(BASIC_PASSWORD) + "\n");
            for (String log : List.of("access.log", "cache.log")) {
                Path p = prefix.resolve(log);
                Files.createFile(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
            }
            int port = Ports.free();
            int open = Ports.free();
            String conf = """
                    http_port 127.0.0.1:%1$d
                    http_port 127.0.0.1:%2$d name=open
                    pid_filename %3$s/squid.pid
                    cache_log %3$s/cache.log
                    access_log stdio:%3$s/access.log
                    logfile_rotate 0
                    cache deny all
                    cache_mem 8 MB
                    %4$s
                    coredump_dir %3$s
                    shutdown_lifetime 0 seconds
                    dns_v4_first on
                    auth_param ntlm program %5$s --helper-protocol=squid-2.5-ntlmssp --username=%6$s --password=%7$s --domain=%8$s
                    auth_param ntlm children 2
                    auth_param ntlm keep_alive on
                    auth_param basic program %9$s %3$s/passwd
                    auth_param basic children 2
                    auth_param basic realm jbits-proxy
                    acl open_port myportname open
                    acl authed proxy_auth REQUIRED
                    acl SSL_ports port 1-65535
                    acl CONNECT method CONNECT
                    http_access allow open_port
                    http_access allow authed
                    http_access deny all
                    """.formatted(port, open, prefix, Daemons.isRoot() ? "cache_effective_user proxy" : "",
                    ntlmAuth, NTLM_USER, NTLM_PASSWORD, NTLM_DOMAIN, ncsa);
            Path confFile = prefix.resolve("squid.conf");
            Files.writeString(confFile, conf);
            Files.setPosixFilePermissions(confFile, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-r--r--"));
            Process p = new ProcessBuilder(squid, "-N", "-f", confFile.toString())
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
            Daemons.awaitPort(p, port, Duration.ofSeconds(20), prefix.resolve("cache.log"), "squid");
            Daemons.awaitPort(p, open, Duration.ofSeconds(5), prefix.resolve("cache.log"), "squid");
            return new SquidServer(prefix, p, port, open);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An htpasswd line's password: {@code openssl passwd -apr1}. */
    private static String md5crypt(String password) {
        try {
            Process p = new ProcessBuilder("openssl", "passwd", "-apr1", password).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        Daemons.stop(process);
        Daemons.deleteTree(prefix);
    }
}
