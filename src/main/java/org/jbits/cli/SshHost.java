package org.jbits.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbits.BitsException;
import org.jbits.HResult;

/**
 * A remote host as {@code --host} and {@code JBITS_HOST} name it: {@code ssh://[USER@]HOST[:PORT]}, nothing else
 * (no path, query, password or other scheme), and the {@code ssh} command line that reaches its agent. The
 * parts are checked so that none can be read by ssh as an option: a user or host starting with {@code -} is
 * refused, and the host follows {@code --}.
 */
record SshHost(String user, String host, int port) {
    /** The remote command when no {@code --remote-jbits}/{@code JBITS_REMOTE_PATH} names another. */
    static final String DEFAULT_REMOTE_JBITS = "jbits";

    private static final Pattern URL = Pattern.compile("(?i)ssh://(?:([^@/]*)@)?(\\[[^\\]/]*\\]|[^:/\\[\\]@]*)(?::([^/]*))?/?");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]*\\$?");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?");
    private static final Pattern IPV6 = Pattern.compile("\\[([0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?)\\]");

    /** {@code url} as a host, or E_INVALIDARG saying what is wrong with it; {@code from} names where it came from. */
    static SshHost parse(String url, String from) {
        String shown = Output.safe(url);
        Matcher m = URL.matcher(url.trim());
        if (!m.matches()) {
            String why = url.contains("://") && !url.regionMatches(true, 0, "ssh://", 0, 6)
                    ? "only ssh:// hosts are supported"
                    : url.regionMatches(true, 0, "ssh://", 0, 6)
                    ? "expected ssh://[USER@]HOST[:PORT] (no path, query or password)"
                    : "expected ssh://[USER@]HOST[:PORT]";
            throw invalid(from + " '" + shown + "' is not a remote host: " + why);
        }
        String user = m.group(1);
        if (user != null && (user.contains(":") || !USER.matcher(user).matches())) {
            throw invalid(from + " '" + shown + "': " + (user.contains(":")
                    ? "a password does not belong in the URL; ssh authenticates (keys, an agent, ~/.ssh/config)"
                    : "'" + Output.safe(user) + "' is not a user name"));
        }
        String host = m.group(2);
        Matcher v6 = IPV6.matcher(host);
        if (v6.matches()) {
            host = v6.group(1);
        } else if (host.isEmpty() || !HOSTNAME.matcher(host).matches()) {
            throw invalid(from + " '" + shown + "': " + (host.isEmpty() ? "no host" : "'" + Output.safe(host)
                    + "' is not a host name or address"));
        }
        int port = 0;
        if (m.group(3) != null) {
            String p = m.group(3);
            try {
                port = p.matches("[0-9]{1,5}") ? Integer.parseInt(p) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw invalid(from + " '" + shown + "': the port '" + Output.safe(p) + "' is not 1 to 65535");
            }
        }
        return new SshHost(user, host.toLowerCase(Locale.ROOT), port);
    }

    private static BitsException invalid(String message) {
        return new BitsException(HResult.E_INVALIDARG, message);
    }

    /** The remote jbits as {@code --remote-jbits}/{@code JBITS_REMOTE_PATH} give it: one line, no NUL. */
    static String checkRemoteJbits(String path, String from) {
        if (path.isBlank() || path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
            throw invalid(from + " '" + Output.safe(path) + "' is not a command path");
        }
        return path;
    }

    /** How messages name the host: {@code user@host:port} as given. */
    String shown() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return (user != null ? user + "@" : "") + h + (port > 0 ? ":" + port : "");
    }

    /**
     * {@code ssh -T -o BatchMode=yes [-F CONFIG] [-p PORT] [-l USER] -- HOST 'JBITS' agent bridge}: batch mode
     * so that ssh never prompts for a password or passphrase (authentication is by key, agent or Kerberos, as
     * ssh is set up); the remote command goes through the remote user's shell, so a path given for it is quoted.
     */
    List<String> command(String sshConfig, String remoteJbits) {
        List<String> c = new ArrayList<>(List.of("ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=30",
                "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4"));
        if (sshConfig != null) {
            c.add("-F");
            c.add(sshConfig);
        }
        if (port > 0) {
            c.add("-p");
            c.add(String.valueOf(port));
        }
        if (user != null) {
            c.add("-l");
            c.add(user);
        }
        c.add("--");
        c.add(host);
        c.add(remoteJbits.equals(DEFAULT_REMOTE_JBITS) ? remoteJbits : shellQuote(remoteJbits));
        c.add("agent");
        c.add("bridge");
        return c;
    }

    /** {@code s} as one word of a POSIX shell: single-quoted, a quote in it as {@code '\''}. */
    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
