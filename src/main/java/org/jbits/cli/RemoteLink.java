package org.jbits.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.agent.AgentClient;
import org.jbits.agent.AgentLink;
import org.jbits.agent.Json;
import org.jbits.agent.Protocol;
import org.jbits.agent.Request;
import org.jbits.agent.StreamClient;

/**
 * The line to another machine's agent: {@code ssh HOST jbits agent bridge} as a child process, the protocol over
 * its stdin and stdout ({@link StreamClient}). What goes wrong is told apart by ssh's exit status and the last
 * line it printed on stderr (kept, never shown raw): ssh missing, the host unreachable, the authentication or the
 * host key refused, jbits missing there, the remote agent failing to start, the connection lost. Each is one
 * {@link CliException}: exit 4 for a refused authentication, exit 5 for the rest, as an agent that cannot be
 * reached is locally.
 */
final class RemoteLink implements AgentLink {
    /** What the first reply may take beyond its own deadline: the ssh login and an agent started there (20 s). */
    static final Duration OPEN_GRACE = Duration.ofSeconds(60);
    private static final int STDERR_LINES = 20;

    private final SshHost host;
    private final Process process;
    private final StreamClient client;
    private final Deque<String> stderr = new ArrayDeque<>();
    private final Thread stderrReader;
    private boolean answered;

    private RemoteLink(SshHost host, Process process) {
        this.host = host;
        this.process = process;
        this.client = new StreamClient(process.getInputStream(), process.getOutputStream(), OPEN_GRACE);
        this.stderrReader = new Thread(this::readStderr, "jbits-ssh-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    /** Runs ssh for {@code host} ({@code JBITS_SSH_CONFIG}, {@code --remote-jbits}/{@code JBITS_REMOTE_PATH} apply). */
    static RemoteLink open(SshHost host) {
        String config = blankToNull(System.getenv("JBITS_SSH_CONFIG"));
        List<String> cmd = host.command(config, remoteJbits());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        try {
            return new RemoteLink(host, pb.start());
        } catch (IOException e) {
            throw new CliException(CliException.AGENT_UNREACHABLE, "cannot reach " + host.shown()
                    + ": cannot run ssh (OpenSSH's client; on Debian: apt-get install openssh-client): "
                    + Output.safe(String.valueOf(e.getMessage())) + " [" + name(HResult.RPC_S_SERVER_UNAVAILABLE) + "]");
        }
    }

    /** The remote jbits: {@code --remote-jbits} (a system property), else {@code JBITS_REMOTE_PATH}, else {@code jbits}. */
    static String remoteJbits() {
        String p = System.getProperty(Connection.REMOTE_JBITS_PROPERTY);
        if (p != null) {
            return p;
        }
        String env = blankToNull(System.getenv("JBITS_REMOTE_PATH"));
        if (env != null) {
            try {
                return SshHost.checkRemoteJbits(env, "JBITS_REMOTE_PATH");
            } catch (BitsException e) {
                throw CliException.of(e);
            }
        }
        return SshHost.DEFAULT_REMOTE_JBITS;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    SshHost host() {
        return host;
    }

    private void readStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                synchronized (stderr) {
                    if (stderr.size() == STDERR_LINES) {
                        stderr.removeFirst();
                    }
                    stderr.addLast(line.length() > 400 ? line.substring(0, 400) : line);
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    @Override
    public ObjectNode call(Request request) {
        return parse(callLine(request));
    }

    /**
     * A reply line as the object it must be. Anything else came from something other than the bridge: most often a
     * shell startup file on the remote host that prints to stdout in a non-interactive session.
     */
    private ObjectNode parse(byte[] line) {
        try {
            return AgentClient.parse(line);
        } catch (IOException e) {
            process.destroy();
            String shown = Output.clip(Output.safe(new String(line, StandardCharsets.UTF_8)), 80);
            throw new CliException(CliException.AGENT_UNREACHABLE, "the ssh session to " + host.shown() + " sent '"
                    + shown + "', not the agent's protocol: does a shell startup file there (~/.bashrc) print to"
                    + " stdout in a non-interactive session? [" + name(HResult.RPC_S_SERVER_UNAVAILABLE) + "]");
        }
    }

    @Override
    public byte[] callLine(Request request) {
        try {
            byte[] line = client.callLine(request);
            answered = true;
            return line;
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** A request to the bridge itself ({@code {"bridge": op, ...}}): its successful reply, or the failure it stands for. */
    ObjectNode bridge(ObjectNode request) {
        byte[] replyLine;
        try {
            byte[] json = Json.bytes(request);
            byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            replyLine = client.exchange(line, AgentClient.REPLY_TIMEOUT);
            answered = true;
        } catch (IOException e) {
            throw failure(e);
        }
        ObjectNode reply = parse(replyLine);
        if (!reply.path("ok").asBoolean(false)) {
            throw CliException.of(Protocol.toException(reply));
        }
        return reply;
    }

    /** The one line for a call that got no reply, from how ssh ended and what it said last. */
    CliException failure(IOException e) {
        if (e instanceof SocketTimeoutException) {
            process.destroy();
            return new CliException(CliException.AGENT_UNREACHABLE, "the agent on " + host.shown() + " did not answer: "
                    + e.getMessage() + "; it may be hung (its log is agent.log in its state directory there)"
                    + context() + " [" + name(HResult.RPC_S_SERVER_UNAVAILABLE) + "]");
        }
        Integer exit = exitStatus();
        String last = lastStderr();
        String where = host.shown();
        if (exit != null && exit == 255) {
            String l = last == null ? "" : last.toLowerCase(java.util.Locale.ROOT);
            if (l.contains("permission denied") || l.contains("too many authentication failures")) {
                return new CliException(CliException.ACCESS_DENIED, "ssh could not log in to " + where
                        + ": the authentication was refused (jbits runs ssh in batch mode: a key, an ssh-agent or "
                        + "Kerberos, never a password prompt)" + context() + " [" + name(HResult.E_ACCESSDENIED) + "]");
            }
            if (l.contains("host key verification failed") || l.contains("host key for") || l.contains("no matching host key")) {
                return new CliException(CliException.AGENT_UNREACHABLE, "ssh refused the host key of " + where
                        + " (unknown or changed): add it to your known_hosts (ssh-keyscan, or one interactive ssh)"
                        + context() + " [" + name(HResult.RPC_S_SERVER_UNAVAILABLE) + "]");
            }
            if (answered) {
                return lostMidway(where);
            }
            return new CliException(CliException.AGENT_UNREACHABLE, "cannot reach " + where + " over ssh"
                    + context() + " [" + name(HResult.RPC_S_SERVER_UNAVAILABLE) + "]");
        }
        if (exit != null && (exit == 127 || exit == 126)) {
            return new CliException(CliException.AGENT_UNREACHABLE, "jbits is " + (exit == 127 ? "not found" : "not executable")
                    + " on " + where + " (ssh ran '" + Output.safe(remoteJbits()) + " agent bridge' there): install it"
                    + " there, or name it with --remote-jbits PATH or JBITS_REMOTE_PATH (a non-interactive ssh session may"
                    + " not have ~/.local/bin on its PATH)" + context() + " [" + name(HResult.RPC_S_SERVER_UNAVAILABLE) + "]");
        }
        if (exit != null && exit >= 1 && exit <= 5 && last != null && last.startsWith("jbits: ")) {
            String said = last.substring("jbits: ".length());
            if (said.contains("Unmatched argument") || said.contains("Unknown option")) {
                return new CliException(CliException.AGENT_UNREACHABLE, "the jbits on " + where + " has no 'agent bridge'"
                        + " (an older version?): " + Output.safe(said));
            }
            return new CliException(exit == 1 ? CliException.AGENT_UNREACHABLE : exit, "on " + where + ": "
                    + Output.safe(said));
        }
        if (answered || exit == null || exit > 128) {
            return lostMidway(where);
        }
        return new CliException(CliException.AGENT_UNREACHABLE, "the ssh session to " + where + " ended (exit " + exit
                + ") before the agent there answered" + context() + " [" + name(HResult.RPC_S_SERVER_UNAVAILABLE) + "]");
    }

    private CliException lostMidway(String where) {
        return new CliException(CliException.AGENT_UNREACHABLE, "lost the ssh connection to " + where
                + "; its jobs keep running there ('jbits --host ssh://" + where + " get' shows them)" + context()
                + " [" + name(HResult.RPC_S_CALL_FAILED) + "]");
    }

    /** ssh's exit status once it has ended (it ends right after the stream does), or null while it runs on. */
    private Integer exitStatus() {
        try {
            if (process.waitFor(10, TimeUnit.SECONDS)) {
                stderrReader.join(2000);
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private String lastStderr() {
        synchronized (stderr) {
            return stderr.isEmpty() ? null : stderr.peekLast();
        }
    }

    /** ssh's (or the remote command's) last line, as context: "; ssh said: ...". */
    private String context() {
        String last = lastStderr();
        return last == null ? "" : "; ssh said: " + Output.clip(Output.safe(last), 300);
    }

    private static String name(int hr) {
        return HResult.name(hr) + " " + HResult.hex(hr);
    }

    /** Ends the session: the bridge sees its input end and exits, and so does ssh. */
    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException ignored) {
            // ssh is gone already
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }
}
