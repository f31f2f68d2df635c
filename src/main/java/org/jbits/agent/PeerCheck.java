package org.jbits.agent;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Admits a connection only from the agent's own user, by the kernel's word for who is at the other end
 * ({@code SO_PEERCRED}), whatever the socket file's mode says.
 *
 * <p>The comparison is by numeric uid. The JDK gives the peer as a {@link UserPrincipal} built from the peer's uid
 * (its name is looked up from that uid, or is the decimal uid when the user database has none), and on Unix two such
 * principals are equal exactly when their uids are, whatever their names. The agent's own principal is taken from
 * the owner of the socket it has just bound, so it carries the uid the kernel gave the agent's files, not a name
 * looked up again. The uid itself is read from the socket file ({@code unix:uid}). Reading SO_PEERCRED through JNA
 * would need the socket's file descriptor, which the JDK does not hand out without opening its internals.
 */
public final class PeerCheck {
    private final UserPrincipal agentUser;
    private final int agentUid;

    private PeerCheck(UserPrincipal agentUser, int agentUid) {
        this.agentUser = agentUser;
        this.agentUid = agentUid;
    }

    /** The check for the agent that bound {@code socket}. */
    public static PeerCheck ofSocketOwner(Path socket) throws IOException {
        UserPrincipal owner = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return new PeerCheck(owner, uid);
    }

    /** The agent's own user. */
    Caller agent() {
        return new Caller(agentUid, agentUser.getName());
    }

    /** The peer of {@code ch} as a caller when it is the agent's own user, else empty. */
    public Optional<Caller> admit(SocketChannel ch) throws IOException {
        return admit(peer(ch));
    }

    /** {@link #admit(SocketChannel)} for a peer already read. */
    Optional<Caller> admit(UserPrincipal peer) {
        return peer.equals(agentUser) ? Optional.of(new Caller(agentUid, peer.getName())) : Optional.empty();
    }

    /** The user at the other end of {@code ch}. */
    static UserPrincipal peer(SocketChannel ch) throws IOException {
        UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        return p.user();
    }
}
