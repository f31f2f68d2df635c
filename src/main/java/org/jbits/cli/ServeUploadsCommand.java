package org.jbits.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jbits.server.UploadServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbits serve-uploads --dir DIR [--port P] [--bind ADDR] ...}: a BITS upload protocol server (what IIS' BITS
 * server extensions are on Windows) in the foreground until SIGTERM or Ctrl-C. Secrets (Basic credentials, the key
 * store's password) come from files or environment variables, never from the command line.
 */
@Command(name = "serve-uploads", mixinStandardHelpOptions = true, description = "Serve the BITS upload protocol: receive BITS upload and upload-reply "
        + "jobs into a directory (SIGTERM stops it cleanly; sessions resume at the next start).")
final class ServeUploadsCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The directory uploads go into.")
    Path dir;

    @Option(names = "--port", paramLabel = "P", description = "The port (default 8080; 0 picks a free one).")
    int port = 8080;

    @Option(names = "--bind", paramLabel = "ADDR", description = "The address to listen on (default 127.0.0.1; "
            + "0.0.0.0 for every interface).")
    String bind = "127.0.0.1";

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where session journals and replies live "
            + "(default DIR/" + UploadServer.STATE_DIRECTORY + ").")
    Path stateDir;

    @Option(names = "--max-file-size", paramLabel = "BYTES", description = "The largest upload, in bytes or with a "
            + "k/m/g/t suffix (default 64g).")
    String maxFileSize = "64g";

    @Option(names = "--max-sessions", paramLabel = "N", description = "Open sessions at once (default 1000).")
    int maxSessions = 1000;

    @Option(names = "--session-expiry", paramLabel = "SECONDS", description = "A session without a packet for this "
            + "long is ended (default 1209600, 14 days).")
    long sessionExpiry = 1_209_600;

    @Option(names = "--overwrite", description = "Let an upload replace an existing file (default: 409).")
    boolean overwrite;

    @Option(names = "--create-dirs", description = "Create missing sub-directories of the URL (default: 404).")
    boolean createDirs;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Close a connection idle this long, a "
            + "stalled body included (default 30).")
    long idleTimeout = 30;

    @Option(names = "--max-threads", paramLabel = "N", description = "Requests handled at once (default 64).")
    int maxThreads = 64;

    @Option(names = "--max-connections", paramLabel = "N", description = "Open connections (default 4096).")
    int maxConnections = 4096;

    @Option(names = "--basic-auth-file", paramLabel = "FILE", description = "Require HTTP Basic authentication with "
            + "one of the user:password lines of FILE.")
    Path basicAuthFile;

    @Option(names = "--basic-auth-env", paramLabel = "VAR", description = "Require HTTP Basic authentication with the "
            + "user:password in the environment variable VAR.")
    String basicAuthEnv;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "Serve HTTPS with this PKCS#12 key store.")
    Path keystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", description = "The key store's password (first line).")
    Path keystorePasswordFile;

    @Option(names = "--tls-password-env", paramLabel = "VAR", description = "The environment variable holding the key "
            + "store's password.")
    String keystorePasswordEnv;

    @Option(names = "--notify-command", paramLabel = "\"PROGRAM ARGS\"", description = "Hand each complete upload to "
            + "this command by reference (BITS_REQUEST_DATAFILE_NAME / BITS_RESPONSE_DATAFILE_NAME in its "
            + "environment); its reply is served through BITS-Reply-URL.")
    String notifyCommand;

    @Option(names = "--notify-url", paramLabel = "URL", description = "Hand each complete upload to this URL (BITS' "
            + "notification protocol).")
    URI notifyUrl;

    @Option(names = "--notify-type", paramLabel = "reference|value", description = "How --notify-url gets the upload: "
            + "its location in headers (reference, the default) or in the POST body (value).")
    String notifyType = "reference";

    @Option(names = "--notify-timeout", paramLabel = "SECONDS", description = "How long the application may take "
            + "(default 120).")
    long notifyTimeout = 120;

    @Option(names = "--plain-put", description = "Also take plain PUT/POST uploads (for benchmarks; default off).")
    boolean plainPut;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new CliException(CliException.USAGE, dir + " is not a directory");
        }
        UploadServer.Builder b = UploadServer.builder(dir).port(port).bind(bind).maxFileSize(bytes(maxFileSize))
                .maxSessions(maxSessions).sessionExpiry(Duration.ofSeconds(sessionExpiry)).overwrite(overwrite)
                .createDirectories(createDirs).idleTimeout(Duration.ofSeconds(idleTimeout)).maxThreads(maxThreads)
                .maxConnections(maxConnections).plainPut(plainPut).notifyTimeout(Duration.ofSeconds(notifyTimeout));
        if (stateDir != null) {
            b.stateDirectory(stateDir);
        }
        if (basicAuthFile != null && basicAuthEnv != null) {
            throw new CliException(CliException.USAGE, "give --basic-auth-file or --basic-auth-env, not both");
        }
        if (basicAuthFile != null) {
            b.basicAuthText(read(basicAuthFile), basicAuthFile.toString());
        } else if (basicAuthEnv != null) {
            b.basicAuthText(env(basicAuthEnv), "$" + basicAuthEnv);
        }
        if (keystore != null) {
            b.tls(keystore, password());
        } else if (keystorePasswordFile != null || keystorePasswordEnv != null) {
            throw new CliException(CliException.USAGE, "a key store password was given without --tls-keystore");
        }
        if (notifyCommand != null && notifyUrl != null) {
            throw new CliException(CliException.USAGE, "give --notify-command or --notify-url, not both");
        }
        if (notifyCommand != null) {
            b.notifyCommand(Arrays.asList(notifyCommand.trim().split("\\s+")));
        } else if (notifyUrl != null) {
            String t = notifyType.trim().toLowerCase(Locale.ROOT);
            if (!t.equals("reference") && !t.equals("value")) {
                throw new CliException(CliException.USAGE, "--notify-type is reference or value, not '" + notifyType + "'");
            }
            b.notifyUrl(notifyUrl, t.equals("value"));
        }
        UploadServer server;
        try {
            server = b.build().start();
        } catch (IOException e) {
            throw new CliException(CliException.JOB_ERROR, "cannot serve uploads: " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "jbits-serve-uploads-shutdown"));
        System.out.println("jbits: serving BITS uploads into " + dir.toAbsolutePath() + " at " + server.url());
        System.out.flush();
        stopped.await();
        return 0;
    }

    private char[] password() throws IOException {
        if (keystorePasswordFile != null && keystorePasswordEnv != null) {
            throw new CliException(CliException.USAGE, "give --tls-password-file or --tls-password-env, not both");
        }
        if (keystorePasswordFile != null) {
            return read(keystorePasswordFile).lines().findFirst().orElse("").toCharArray();
        }
        if (keystorePasswordEnv != null) {
            return env(keystorePasswordEnv).toCharArray();
        }
        throw new CliException(CliException.USAGE, "--tls-keystore needs --tls-password-file or --tls-password-env");
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new CliException(CliException.USAGE, "the environment variable " + name + " is not set");
        }
        return v;
    }

    /** {@code 123}, {@code 10k}, {@code 64g}: binary multiples. */
    static long bytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!t.isEmpty() && "kmgt".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = 1L << (10 * ("kmgt".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t);
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(v, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CliException(CliException.USAGE, "'" + text + "' is not a size (bytes, or with k/m/g/t)");
        }
    }
}
