package org.jbits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Samba {@code smbd} on a free 127.0.0.1 port, run from a private directory (its smb.conf, passdb, lock, state,
 * cache, pid and log directories), so it touches nothing of the machine's own Samba. One per JVM
 * ({@link #shared()}), used by every SMB test class. Its shares:
 * <ul>
 *   <li>{@code share}: read-write, for the account {@link #USER}/{@link #PASSWORD} only (workgroup {@link #DOMAIN});</li>
 *   <li>{@code guest}: read-only, open to anonymous and guest logons;</li>
 *   <li>{@code ro}: read-only, for {@link #USER};</li>
 *   <li>{@code small}: read-write, for {@link #USER}, where {@link #mountSmall} puts a small filesystem;</li>
 *   <li>{@code sync}: read-write, for {@link #USER}, every write made durable before smbd answers it
 *   ({@code sync always}): a write takes milliseconds, so smbd answers it first with an interim reply;</li>
 *   <li>{@code denied}: no account the tests have may use it (access denied at the tree connect).</li>
 * </ul>
 * smbd's profile counters are on: {@link #bytesRead()} is what smbd read from its files, the server's view of a
 * transfer. {@link #stop()}, {@link #start()} and {@link #restart()} take the server away and bring it back on the
 * same port, for fault tests.
 *
 * <p>smbd switches to the account of each logon, so it runs as root: the test account {@link #USER} is mapped to the
 * Unix user running the tests ({@code username map}), so no system account is created. nmbd is not needed (NetBIOS
 * is off). A missing smbd is a failure, never a skip: CI installs it ({@code apt-get install samba smbclient}).
 */
public final class SambaServer {
    public static final String USER = "jbits";
    public static final String PASSWORD = "s3cret-Pw";
    public static final String DOMAIN = "JBITSTEST";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern COUNTER = Pattern.compile("^(syscall_(?:asys_)?pread_bytes):\\s+(\\d+)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern WRITE_COUNTER = Pattern.compile(
            "^(syscall_(?:asys_)?pwrite_bytes):\\s+(\\d+)\\s*$", Pattern.MULTILINE);

    private static final Pattern CLIENT_PORT = Pattern.compile("ipv4:127\\.0\\.0\\.1:(\\d+)");
    /** A session row's PID (a clustered smbd writes it as {@code NODE:PID}). */
    private static final Pattern SESSION_PID = Pattern.compile("^\\s*(?:\\d+:)?(\\d+)\\s");

    private static SambaServer shared;
    private static SambaServer signing;
    private static SambaServer smallIo;

    private final Path root;
    private final Path conf;
    private final int port;
    private final String smbd;
    /** Lines added to [global] (the signing-required server's {@code server signing = mandatory}). */
    private final String extraGlobal;
    private Process process;
    private boolean smallMounted;

    private SambaServer(Path root, int port, String smbd, String extraGlobal) {
        this.extraGlobal = extraGlobal;
        this.root = root;
        this.conf = root.resolve("smb.conf");
        this.port = port;
        this.smbd = smbd;
    }

    /** The JVM's server, started on first use and stopped when the JVM exits. */
    public static synchronized SambaServer shared() {
        if (shared == null) {
            SambaServer s = create();
            s.start();
            Runtime.getRuntime().addShutdownHook(new Thread(s::destroy, "smbd-reaper-" + s.port));
            shared = s;
        }
        return shared;
    }

    /**
     * A second server, started on first use, that requires signing ({@code server signing = mandatory}): it drops
     * unsigned requests, so a client that must sign and does not fails against it.
     */
    public static synchronized SambaServer signingRequired() {
        if (signing == null) {
            signing = started("  server signing = mandatory\n");
        }
        return signing;
    }

    /**
     * A third server, started on first use, that takes reads and writes of at most 64 KiB ({@code smb2 max read},
     * {@code smb2 max write}) while it still offers multi-credit requests (LARGE_MTU): it refuses a larger one with
     * STATUS_INVALID_PARAMETER.
     */
    public static synchronized SambaServer smallRequests() {
        if (smallIo == null) {
            smallIo = started("  smb2 max read = 65536\n  smb2 max write = 65536\n");
        }
        return smallIo;
    }

    /** A server with {@code extraGlobal} in its [global], started, and stopped when the JVM exits. */
    private static SambaServer started(String extraGlobal) {
        SambaServer s = create(extraGlobal);
        s.start();
        Runtime.getRuntime().addShutdownHook(new Thread(s::destroy, "smbd-reaper-" + s.port));
        return s;
    }

    private static SambaServer create() {
        return create("");
    }

    private static SambaServer create(String extraGlobal) {
        String smbd = find("smbd");
        String user = System.getProperty("user.name");
        if (!"root".equals(user)) {
            throw new IllegalStateException("smbd changes to the account of each logon, which needs root; the tests run "
                    + "as '" + user + "' (CI runs them as root)");
        }
        try {
            Path root = Files.createTempDirectory("jbits-samba-");
            // The guest account ("nobody") must get through to the guest share's files.
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String d : List.of("private", "lock", "state", "cache", "pid", "ncalrpc", "log", "share", "guest",
                    "ro", "denied", "small", "sync")) {
                Files.createDirectories(root.resolve(d));
            }
            SambaServer s = new SambaServer(root, Ports.free(), smbd, extraGlobal);
            Files.writeString(root.resolve("users.map"), user + " = " + USER + "\n");
            Files.writeString(s.conf, s.config(user));
            s.addUser();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String config(String unixUser) {
        return """
                [global]
                  server role = standalone server
                  workgroup = %2$s
                  netbios name = JBITSSMB
                  smb ports = %1$d
                  bind interfaces only = yes
                  interfaces = 127.0.0.1
                  disable netbios = yes
                  private dir = %3$s/private
                  lock directory = %3$s/lock
                  state directory = %3$s/state
                  cache directory = %3$s/cache
                  pid directory = %3$s/pid
                  ncalrpc dir = %3$s/ncalrpc
                  binddns dir = %3$s/private/bind-dns
                  log file = %3$s/log/smbd.log
                  log level = 1
                  max log size = 0
                  passdb backend = tdbsam:%3$s/private/passdb.tdb
                  username map = %3$s/users.map
                  map to guest = Bad User
                  guest account = nobody
                  load printers = no
                  printing = bsd
                  printcap name = /dev/null
                  disable spoolss = yes
                  server min protocol = SMB2_02
                  smbd profiling level = on
                  use sendfile = no
                %5$s[share]
                  path = %3$s/share
                  read only = no
                  valid users = %4$s
                [guest]
                  path = %3$s/guest
                  guest ok = yes
                  read only = yes
                [ro]
                  path = %3$s/ro
                  read only = yes
                  valid users = %4$s
                [small]
                  path = %3$s/small
                  read only = no
                  valid users = %4$s
                [sync]
                  path = %3$s/sync
                  read only = no
                  valid users = %4$s
                  sync always = yes
                  strict sync = yes
                [denied]
                  path = %3$s/denied
                  read only = yes
                  valid users = nobody
                """.formatted(port, DOMAIN, root, unixUser, extraGlobal);
    }

    private void addUser() {
        run(List.of(find("smbpasswd"), "-c", conf.toString(), "-s", "-a", System.getProperty("user.name")),
                PASSWORD + "\n" + PASSWORD + "\n");
    }

    /** Starts smbd (again) on its port and waits until it accepts connections. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(smbd, "-s", conf.toString(), "-F", "--no-process-group",
                "--debug-stdout", "-d", "1")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("log/stdout.log").toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + smbd + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("smbd exited with status " + process.exitValue() + " on port " + port
                        + ": " + tail(root.resolve("log/stdout.log")) + tail(root.resolve("log/smbd.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        destroy();
        throw new IllegalStateException("smbd did not accept connections on port " + port + " within "
                + START_TIMEOUT.toSeconds() + " s: " + tail(root.resolve("log/smbd.log")));
    }

    /** Stops smbd and every connection it serves (its children): clients see their connections drop. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle c : children) {
            c.onExit().completeOnTimeout(c, 10, TimeUnit.SECONDS).join();
        }
        process = null;
    }

    /** {@link #stop()} then {@link #start()}: a server restart. */
    public void restart() {
        stop();
        start();
    }

    /**
     * Puts a tmpfs of {@code bytes} under the {@code small} share (unmounted when the JVM ends), so that writes beyond
     * it fail as a full disk does (ENOSPC, which smbd answers with NT_STATUS_DISK_FULL). Needs root, as smbd does.
     */
    public synchronized void mountSmall(long bytes) {
        if (smallMounted) {
            return;
        }
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0777", "jbits-small", dir("small").toString()),
                null);
        smallMounted = true;
    }

    private void destroy() {
        stop();
        if (smallMounted) {
            try {
                run(List.of("umount", "-l", dir("small").toString()), null);
            } catch (RuntimeException e) {
                // left mounted: a tmpfs in a temp directory
            }
        }
        Daemons.deleteTree(root);
    }

    public int port() {
        return port;
    }

    /** The directory a share serves. */
    public Path dir(String share) {
        return root.resolve(share);
    }

    /** Writes {@code content} to {@code name} in {@code share} (atomically: a reader never sees half of it). */
    public Path put(String share, String name, byte[] content) {
        try {
            Path target = dir(share).resolve(name);
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(root.resolve("cache"), "put", ".part");
            Files.write(tmp, content);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code smb://127.0.0.1:PORT/share/path}, the path encoded as a URL needs it. */
    public URI url(String share, String path) {
        try {
            return new URI("smb", null, "127.0.0.1", port, "/" + share + "/" + path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** {@link #url} with {@code user:password@} (encoded) in front of the host. */
    public String urlWithCredentials(String share, String path, String user, String password) {
        String u = url(share, path).toString();
        return "smb://" + encode(user) + ":" + encode(password) + "@" + u.substring("smb://".length());
    }

    /** The URL with the test account's credentials. */
    public String userUrl(String share, String path) {
        return urlWithCredentials(share, path, USER, PASSWORD);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Bytes smbd has read from its files since it was first started (its profile counters, all processes), once the
     * count has settled: each smbd process adds its reads to the shared counters about once a second, so the count is
     * taken when two looks 1.2 s apart agree.
     */
    public long bytesRead() {
        return settled(COUNTER);
    }

    /** Bytes smbd has written to its files since it was first started, once the count has settled (as {@link #bytesRead}). */
    public long bytesWritten() {
        return settled(WRITE_COUNTER);
    }

    private long settled(Pattern counter) {
        long last = readCounters(counter);
        for (int i = 0; i < 20; i++) {
            sleep(1200);
            long now = readCounters(counter);
            if (now == last) {
                return now;
            }
            last = now;
        }
        throw new IllegalStateException("smbd's read counters did not settle: " + last);
    }

    private long readCounters(Pattern counter) {
        String out = run(List.of(find("smbstatus"), "-s", conf.toString(), "-P"), null);
        Matcher m = counter.matcher(out);
        long total = 0;
        boolean any = false;
        while (m.find()) {
            total += Long.parseLong(m.group(2));
            any = true;
        }
        if (!any) {
            throw new IllegalStateException("smbstatus -P shows no " + counter.pattern() + " counters: " + out);
        }
        return total;
    }

    /**
     * The smbd process serving each connection now, by the client's port ({@code smbstatus -p}: a row per session,
     * its PID first, its machine as {@code 127.0.0.1 (ipv4:127.0.0.1:PORT)}).
     */
    public Map<Integer, Long> clientProcesses() {
        String out = run(List.of(find("smbstatus"), "-s", conf.toString(), "-p"), null);
        Map<Integer, Long> processes = new HashMap<>();
        for (String line : out.split("\n")) {
            Matcher pid = SESSION_PID.matcher(line);
            Matcher m = CLIENT_PORT.matcher(line);
            if (pid.find() && m.find()) {
                processes.put(Integer.parseInt(m.group(1)), Long.parseLong(pid.group(1)));
            }
        }
        return processes;
    }

    /** smbd's log, for failure messages. */
    public String log() {
        return tail(root.resolve("log/smbd.log"));
    }

    private static String run(List<String> command, String input) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (input != null) {
                p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + " (apt-get install samba smbclient): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    private static String find(String program) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/opt/homebrew/sbin")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException(program + " not found: apt-get install samba smbclient");
    }

    private static String tail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }


    @Override
    public String toString() {
        return "smbd on 127.0.0.1:" + port + " (" + root + ")";
    }
}
