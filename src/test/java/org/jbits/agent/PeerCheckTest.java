package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Peers are admitted by uid, as the kernel reports it for the socket (SO_PEERCRED). */
class PeerCheckTest {
    private final UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();

    @TempDir
    Path dir;

    @Test
    void theAgentsOwnUserIsAdmittedWithItsUid() throws Exception {
        Path sock = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            PeerCheck check = PeerCheck.ofSocketOwner(sock);
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                 SocketChannel accepted = server.accept()) {
                Caller c = check.admit(accepted).orElseThrow();
                assertEquals(Files.getAttribute(sock, "unix:uid"), c.uid());
                assertEquals(Caller.ofThisProcess(), c);
                assertTrue(client.isConnected());
            }
        }
    }

    /** The property the check rests on: the JDK's Unix principals are equal exactly when their uids are. */
    @Test
    void principalsOfOneUidAreEqualWhateverTheirNameAndOthersAreNot() throws Exception {
        UserPrincipal root = users.lookupPrincipalByName("root");
        UserPrincipal uidZero = users.lookupPrincipalByName("0");
        assertEquals("0", uidZero.getName());
        assertEquals(root, uidZero);
        assertNotEquals(root, users.lookupPrincipalByName("nobody"));
    }

    @Test
    void anotherUsersPeerIsRefused() throws Exception {
        Path sock = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            PeerCheck check = PeerCheck.ofSocketOwner(sock);
            UserPrincipal me = Files.getOwner(sock);
            String other = me.getName().equals("nobody") ? "root" : "nobody";
            assertTrue(check.admit(users.lookupPrincipalByName(other)).isEmpty());
            assertTrue(check.admit(me).isPresent());
        }
    }
}
