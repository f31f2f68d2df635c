package org.jbits.server;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jbits.file.SafeFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back-end application as a command, by reference (as IIS' {@code BITSServerNotificationType} 1): it runs with
 * the upload's location in its environment, reads the request file and writes its reply into the response file.
 *
 * <ul>
 *   <li>environment: {@code BITS_ORIGINAL_REQUEST_URL}, {@code BITS_REQUEST_DATAFILE_NAME},
 *       {@code BITS_RESPONSE_DATAFILE_NAME}, {@code BITS_SESSION_ID}; standard input is empty;</li>
 *   <li>standard output may carry response headers, one a line, as a CGI script's: {@code Status: 403},
 *       {@code BITS-Static-Response-URL: URL}, {@code BITS-Copy-File-To-Destination: yes},
 *       {@code BITS-Error-Code: 0x...};</li>
 *   <li>exit status 0 is success (status 200 unless a {@code Status} line says otherwise); any other is a failure
 *       with status 500, which BITS clients retry; a command still running after the timeout is killed (504).</li>
 * </ul>
 *
 * A command that writes no reply gets an empty one served, so an upload-reply job always finds its reply.
 */
final class CommandNotifier implements BackendNotifier {
    private static final Logger log = LoggerFactory.getLogger(CommandNotifier.class);
    private static final int MAX_OUTPUT = 64 << 10;

    private final List<String> command;
    private final Duration timeout;

    CommandNotifier(List<String> command, Duration timeout) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the notification command is empty");
        }
        this.command = List.copyOf(command);
        this.timeout = timeout;
    }

    @Override
    public UploadSession.Reply notify(Notification n, SessionFiles files) throws BitsError {
        files.deleteReply(n.session());
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("BITS_ORIGINAL_REQUEST_URL", n.originalUrl());
        pb.environment().put("BITS_REQUEST_DATAFILE_NAME", n.requestFile().toString());
        pb.environment().put("BITS_RESPONSE_DATAFILE_NAME", n.responseFile().toString());
        pb.environment().put("BITS_SESSION_ID", n.session().id);
        String output;
        int exit;
        try {
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> copyBounded(p.getInputStream(), out), "jbits-notify-out");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw BitsError.application(504, 0, "the notification command " + command.get(0) + " did not finish in "
                        + timeout.toSeconds() + " s");
            }
            exit = p.exitValue();
            reader.join(5000);
            synchronized (out) {
                output = out.toString(StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw BitsError.application(500, 0, "cannot run the notification command " + command.get(0) + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BitsError.internal("interrupted while the notification command ran", e);
        }
        int status = exit == 0 ? 200 : 500;
        String staticUrl = null;
        boolean copy = false;
        String code = null;
        for (String line : output.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "status" -> status = parseStatus(value, status);
                case "bits-static-response-url" -> staticUrl = value;
                case "bits-copy-file-to-destination" -> copy = true;
                case "bits-error-code", "bits-error" -> code = value;
                default -> {
                    // other lines are the command's own output
                }
            }
        }
        if (status != 200) {
            log.info("session {}: the notification command answered {} (exit {})", n.session().id, status, exit);
            throw BitsError.application(status, BackendNotifier.applicationCode(code, null),
                    "the notification command " + command.get(0) + " failed with status " + status + " (exit " + exit + ")");
        }
        String url = BackendNotifier.checkStaticUrl(staticUrl);
        if (url == null) {
            ensureReply(n, files);
        }
        return new UploadSession.Reply(url, copy);
    }

    /** An empty reply file when the command wrote none. */
    static void ensureReply(Notification n, SessionFiles files) throws BitsError {
        try (SafeFile existing = files.openReply(n.session())) {
            if (existing == null) {
                files.createReply(n.session()).close();
            }
        } catch (IOException e) {
            throw BitsError.local("cannot read the reply of session " + n.session().id, e);
        }
    }

    private static int parseStatus(String value, int otherwise) {
        String v = value.trim();
        int space = v.indexOf(' ');
        try {
            int s = Integer.parseInt(space > 0 ? v.substring(0, space) : v);
            return s >= 100 && s <= 599 ? s : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static void copyBounded(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (out) {
                    if (out.size() < MAX_OUTPUT) {
                        out.write(buf, 0, Math.min(n, MAX_OUTPUT - out.size()));
                    }
                }
            }
        } catch (IOException ignored) {
            // the command ended
        }
    }
}
