package org.jbits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.junit.jupiter.api.Test;

/** {@code --host}: which URLs are hosts, and the ssh command line each gives (nothing ssh could take as an option). */
class SshHostTest {
    @Test
    void userHostAndPortAreOptional() {
        assertEquals(new SshHost(null, "example.org", 0), SshHost.parse("ssh://example.org", "--host"));
        assertEquals(new SshHost("alice", "example.org", 0), SshHost.parse("ssh://alice@example.org", "--host"));
        assertEquals(new SshHost("alice", "10.0.0.2", 2222), SshHost.parse("ssh://alice@10.0.0.2:2222", "--host"));
        assertEquals(new SshHost(null, "::1", 22), SshHost.parse("ssh://[::1]:22", "--host"));
        assertEquals(new SshHost(null, "host", 0), SshHost.parse("SSH://HOST/", "--host"), "docker's trailing slash");
    }

    @Test
    void anythingElseIsInvalidArgument() {
        for (String bad : List.of("", "host", "http://host", "ssh://", "ssh://host/path", "ssh://host?x=1",
                "ssh://host:0", "ssh://host:65536", "ssh://host:ab", "ssh://-oProxyCommand=x", "ssh://-l@host",
                "ssh://a b@host", "ssh://host name", "ssh://[zz]", "ssh://u:pw@host", "ssh://@host")) {
            BitsException e = assertThrows(BitsException.class, () -> SshHost.parse(bad, "--host"), bad);
            assertEquals(HResult.E_INVALIDARG, e.hresult(), bad);
            assertTrue(e.detail().startsWith("--host '"), e.detail());
        }
        BitsException pw = assertThrows(BitsException.class, () -> SshHost.parse("ssh://u:pw@host", "--host"));
        assertTrue(pw.detail().contains("a password does not belong in the URL"), pw.detail());
        assertTrue(assertThrows(BitsException.class, () -> SshHost.parse("ftp://h", "JBITS_HOST")).detail()
                .contains("only ssh:// hosts"));
    }

    @Test
    void theCommandIsBatchModeAndTheHostFollowsTheEndOfOptions() {
        List<String> c = new SshHost("alice", "example.org", 2222).command("/etc/jbits/ssh_config", "jbits");
        assertEquals(List.of("ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=30", "-o", "ServerAliveInterval=15",
                "-o", "ServerAliveCountMax=4", "-F", "/etc/jbits/ssh_config", "-p", "2222", "-l", "alice", "--",
                "example.org", "jbits", "agent", "bridge"), c);
        List<String> plain = new SshHost(null, "h", 0).command(null, "jbits");
        assertFalse(plain.contains("-p") || plain.contains("-l") || plain.contains("-F"), plain.toString());
    }

    @Test
    void aRemotePathIsOneShellWord() {
        List<String> c = new SshHost(null, "h", 0).command(null, "/opt/my jbits/it's/jbits");
        assertEquals("'/opt/my jbits/it'\\''s/jbits'", c.get(c.size() - 3));
        assertThrows(BitsException.class, () -> SshHost.checkRemoteJbits("a\nb", "--remote-jbits"));
        assertThrows(BitsException.class, () -> SshHost.checkRemoteJbits(" ", "--remote-jbits"));
    }

    @Test
    void messagesNameTheHostAsGiven() {
        assertEquals("alice@[::1]:2222", new SshHost("alice", "::1", 2222).shown());
        assertEquals("h", new SshHost(null, "h", 0).shown());
    }
}
