package org.jbits.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.jbits.file.StateDirectory;

/**
 * The agent's bound socket file, and whether it is still the one the agent bound. Someone may delete
 * {@code agent.sock} (a cleanup script, a user) or put another file there while the agent runs; the agent then
 * listens on a socket nobody can reach, and every CLI takes it for "not running". The server asks
 * {@link #isIntact()} four times a second and {@link #rebind()}s when it is not, and at close it deletes only its
 * own file.
 */
public final class ListeningSocket implements AutoCloseable {
    /** Connections the kernel queues before the agent accepts them. */
    private static final int BACKLOG = 128;

    private final Path path;
    private ServerSocketChannel channel;
    private Object fileKey;

    private ListeningSocket(Path path) {
        this.path = path;
    }

    /** Binds {@code path} (which must not exist) as a non-blocking listening socket, mode 0600. */
    public static ListeningSocket bind(Path path) throws IOException {
        ListeningSocket s = new ListeningSocket(path);
        s.open();
        return s;
    }

    private void open() throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path), BACKLOG);
            ch.configureBlocking(false);
            StateDirectory.restrict(path);
            fileKey = key();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        channel = ch;
    }

    /** The listening channel (a new one after {@link #rebind()}). */
    public ServerSocketChannel channel() {
        return channel;
    }

    public Path path() {
        return path;
    }

    /** True while the file at the path is the socket this agent bound. */
    public boolean isIntact() {
        try {
            return Objects.equals(fileKey, key());
        } catch (IOException gone) {
            return false;
        }
    }

    /** Closes the old channel, removes whatever now sits at the path (the state directory is the user's own), and binds again. */
    public void rebind() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
        open();
    }

    private Object key() throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isOther()) {
            throw new NoSuchFileException(path.toString(), null, "not a socket");
        }
        return a.fileKey();
    }

    /** Stops listening and deletes the socket file if it is still this agent's. */
    @Override
    public void close() throws IOException {
        boolean ours = isIntact();
        channel.close();
        if (ours) {
            Files.deleteIfExists(path);
        }
    }
}
