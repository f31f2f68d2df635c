package org.jbits.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one I/O thread: accepts connections, checks each peer ({@link PeerCheck}), reads request lines with
 * the bounds of {@link ConnectionLimits}, hands each complete line to {@link Requests} and writes the replies that
 * come back. A thread per connection let 3,000 connections that never finished their line take 3,000 threads;
 * here they cost one buffer each (and the idlest is closed once the limit is reached), so a new client is always
 * read and answered.
 *
 * <p>Nothing stops the loop but {@link #shutdown}: every failure, an {@link OutOfMemoryError} included, is logged
 * (at most once per {@value #REPORT_SECONDS} s for each kind) and the loop carries on; a failing accept (no file
 * descriptors left) closes the idlest connection and pauses accepting, backing off up to a second. Every
 * {@value #TICK_MILLIS} ms it also checks the deadlines, and its socket file, which it binds again when someone
 * removed or replaced it.
 */
final class ConnectionLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLoop.class);
    private static final long TICK_MILLIS = 250;
    private static final int REPORT_SECONDS = 10;
    private static final int ACCEPTS_PER_ROUND = 64;
    /** Reads of one connection in one round, so that one fast client cannot hold the others up. */
    private static final int READS_PER_ROUND = 4;

    /** Where complete request lines go; {@code reply} may be called from any thread, once. */
    interface Requests {
        /** Carries out the request on {@code line} from {@code caller} and hands its reply line to {@code reply}. */
        void submit(byte[] line, Caller caller, Reply reply);
    }

    /** Where a request's reply goes, once: a whole line ({@link #accept}), or a line written in parts. */
    @FunctionalInterface
    interface Reply extends Consumer<byte[]> {
        /** A reply line written in parts (by default gathered, and handed to {@link #accept} at close). */
        default ReplyStream stream() {
            return ReplyStream.gathered(this);
        }
    }

    private final ListeningSocket socket;
    private final PeerCheck peers;
    private final Requests requests;
    private final ConnectionLimits limits;
    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<ClientConnection> connections = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final LineBuffer.Budget budget;
    private final RateLimitedLog reports = new RateLimitedLog(log, REPORT_SECONDS);
    private final CountDownLatch finished = new CountDownLatch(1);
    private SelectionKey acceptKey;
    private long acceptPausedUntil;
    private long acceptBackoffMillis = 10;
    private long lastSweep;
    private volatile boolean stopping;
    private boolean accepting = true;
    private long drainDeadline;

    ConnectionLoop(ListeningSocket socket, PeerCheck peers, Requests requests, ConnectionLimits limits) throws IOException {
        this.socket = socket;
        this.peers = peers;
        this.requests = requests;
        this.limits = limits;
        this.budget = new MemoryBudget(limits.maxBufferedBytes());
        this.selector = Selector.open();
        this.acceptKey = socket.channel().register(selector, SelectionKey.OP_ACCEPT);
    }

    @Override
    public void run() {
        try {
            while (!stopping || !drained()) {
                try {
                    round();
                } catch (Throwable t) {
                    // An OutOfMemoryError included: what failed was one round; drop nothing else and carry on.
                    reports.note("the agent's I/O loop failed: " + t, t);
                    AgentProcess.sleep(100);
                }
            }
        } finally {
            closeAll();
            finished.countDown();
        }
    }

    private void round() throws IOException {
        selector.select(TICK_MILLIS);
        for (Runnable task; (task = tasks.poll()) != null; ) {
            task.run();
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            if (k == acceptKey) {
                if (k.isValid() && k.isAcceptable()) {
                    acceptSome();
                }
            } else if (k.attachment() instanceof ClientConnection c) {
                serve(k, c);
            }
        }
        long now = System.nanoTime();
        if (now - lastSweep >= TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS)) {
            lastSweep = now;
            sweep(now);
        }
    }

    private void serve(SelectionKey k, ClientConnection c) {
        try {
            if (k.isValid() && k.isReadable()) {
                read(c);
            }
            if (k.isValid() && k.isWritable()) {
                flush(c);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("client connection ended: {}", e.toString());
            close(c);
        }
    }

    /** Thread-safe: runs {@code task} on the I/O thread. */
    void post(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    // --- accepting ---

    private void acceptSome() {
        for (int i = 0; i < ACCEPTS_PER_ROUND; i++) {
            SocketChannel ch;
            try {
                ch = socket.channel().accept();
            } catch (IOException e) {
                acceptFailed(e);
                return;
            }
            if (ch == null) {
                acceptBackoffMillis = 10;
                return;
            }
            try {
                admit(ch);
            } catch (IOException | RuntimeException e) {
                reports.note("a connection could not be set up: " + e, null);
                closeQuietly(ch);
            }
        }
    }

    private void acceptFailed(IOException e) {
        reports.note("accepting a connection failed (" + e.getMessage() + "); pausing " + acceptBackoffMillis + " ms", null);
        // Usually no file descriptor is left: give one back, and let the backlog wait instead of spinning.
        evictIdlest();
        acceptKey.interestOps(0);
        acceptPausedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(acceptBackoffMillis);
        acceptBackoffMillis = Math.min(1000, acceptBackoffMillis * 2);
    }

    private void admit(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        if (connections.size() >= limits.maxConnections() && !evictIdlest()) {
            reports.note("refused a connection: all " + limits.maxConnections() + " connections have a request in flight", null);
            refuse(ch, new BitsException(HResult.E_FAIL, "the agent is busy: " + limits.maxConnections()
                    + " connections have requests in flight; try again"));
            return;
        }
        UserPrincipal peer = PeerCheck.peer(ch);
        Optional<Caller> caller = peers.admit(peer);
        long now = System.nanoTime();
        SelectionKey key = ch.register(selector, caller.isPresent() ? SelectionKey.OP_READ : 0);
        ClientConnection c = new ClientConnection(ch, key, new LineBuffer(limits.maxLineBytes()), caller.orElse(null), now);
        key.attach(c);
        connections.add(c);
        c.deadline = now + limits.idle().toNanos();
        if (caller.isEmpty()) {
            // Answered before anything is read: nothing another user sends is ever parsed.
            reports.note("refused a connection from user '" + peer.getName() + "': this agent serves only '"
                    + peers.agent().user() + "'", null);
            fail(c, new BitsException(HResult.E_ACCESSDENIED, "this jbits agent serves only user '"
                    + peers.agent().user() + "'"));
        }
    }

    /** Answers a connection that will not be registered, as far as one non-blocking write goes, and closes it. */
    private static void refuse(SocketChannel ch, BitsException why) {
        try {
            ch.write(ByteBuffer.wrap(replyLine(why)));
        } catch (IOException ignored) {
            // the client is gone already
        }
        closeQuietly(ch);
    }

    /** Closes the connection idle the longest, to make room; false when every connection is busy. */
    private boolean evictIdlest() {
        ClientConnection idlest = null;
        for (ClientConnection c : connections) {
            if (c.isIdle() && (idlest == null || c.lastActivity - idlest.lastActivity < 0)) {
                idlest = c;
            }
        }
        if (idlest == null) {
            return false;
        }
        reports.note("closed idle connections to make room (at the limit of " + limits.maxConnections() + ")", null);
        close(idlest);
        return true;
    }

    // --- reading ---

    private void read(ClientConnection c) throws IOException {
        switch (c.read(readBuffer, READS_PER_ROUND, budget, limits.request())) {
            case LINE -> dispatch(c);
            case END -> close(c);
            case TOO_LONG -> fail(c, new BitsException(HResult.E_INVALIDARG, "the request is over "
                    + limits.maxLineBytes() + " bytes without a newline; the agent stopped reading it"));
            case NO_MEMORY -> {
                reports.note("refused a request: unfinished requests hold " + budget + "", null);
                fail(c, new BitsException(HResult.E_OUTOFMEMORY, "the agent holds too many unfinished "
                        + "requests to take this one; try again"));
            }
            case MORE -> {
                // the rest of the line is still to come
            }
        }
    }

    private void dispatch(ClientConnection c) {
        byte[] line = c.in.takeLine(budget);
        c.phase = ClientConnection.Phase.DISPATCHED;
        c.deadline = Long.MAX_VALUE;
        c.key.interestOps(0);
        if (stopping) {
            fail(c, new BitsException(HResult.E_FAIL, "the agent is stopping"));
            return;
        }
        try {
            requests.submit(line, c.caller, new Reply() {
                @Override
                public void accept(byte[] reply) {
                    post(() -> replied(c, reply));
                }

                @Override
                public ReplyStream stream() {
                    return new ReplyStream.Parted(parts(c), limits.write().toNanos());
                }
            });
        } catch (RuntimeException rejected) {
            fail(c, new BitsException(HResult.E_FAIL, "the agent is stopping"));
        }
    }

    // --- writing ---

    /** The I/O thread's side of a reply in parts to {@code c}: each call posts to this thread. */
    private ReplyStream.Connection parts(ClientConnection c) {
        return new ReplyStream.Connection() {
            @Override
            public void started(ReplyStream.Parted reply) {
                post(() -> {
                    if (c.closed) {
                        reply.connectionGone();
                        return;
                    }
                    c.parts = reply;
                    c.phase = ClientConnection.Phase.WRITING;
                    c.deadline = System.nanoTime() + limits.write().toNanos();
                    flushQuietly(c);
                });
            }

            @Override
            public void more(ReplyStream.Parted reply) {
                post(() -> {
                    if (c.parts == reply && !c.closed) {
                        flushQuietly(c);
                    }
                });
            }

            @Override
            public void aborted(ReplyStream.Parted reply) {
                post(() -> close(c));
            }
        };
    }

    private void flushQuietly(ClientConnection c) {
        try {
            flush(c);
        } catch (IOException | RuntimeException e) {
            log.debug("could not write a reply: {}", e.toString());
            close(c);
        }
    }

    private void replied(ClientConnection c, byte[] reply) {
        if (c.closed) {
            return;
        }
        c.out = ByteBuffer.wrap(reply);
        c.phase = ClientConnection.Phase.WRITING;
        c.deadline = System.nanoTime() + limits.write().toNanos();
        try {
            flush(c);
        } catch (IOException | RuntimeException e) {
            log.debug("could not write a reply: {}", e.toString());
            close(c);
        }
    }

    private void flush(ClientConnection c) throws IOException {
        if (c.phase != ClientConnection.Phase.WRITING) {
            return;
        }
        while (c.parts != null) {
            if (c.out != null) {
                if (!c.flush()) {
                    c.key.interestOps(SelectionKey.OP_WRITE);
                    return;
                }
                c.out = null;
                c.parts.partWritten();
            }
            ByteBuffer next = c.parts.nextPart();
            if (next == null && c.parts.ended()) {
                next = c.parts.nextPart();
                if (next == null) {
                    c.parts = null;
                    break;
                }
            }
            if (next == null) {
                // The worker is making the next part: the client is not the one behind.
                c.key.interestOps(0);
                c.deadline = Long.MAX_VALUE;
                return;
            }
            c.out = next;
            c.deadline = System.nanoTime() + limits.write().toNanos();
        }
        if (c.out != null && !c.flush()) {
            c.key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        c.lastActivity = System.nanoTime();
        c.out = null;
        if (c.closeAfterWrite) {
            close(c);
            return;
        }
        c.phase = ClientConnection.Phase.READING;
        if (c.in.hasLine()) {
            dispatch(c);
            return;
        }
        long now = System.nanoTime();
        c.deadline = now + (c.in.hasPartial() ? limits.request() : limits.idle()).toNanos();
        c.key.interestOps(SelectionKey.OP_READ);
    }

    /** Sends one error reply, then closes: nothing more is read from this connection. */
    private void fail(ClientConnection c, BitsException why) {
        c.closeAfterWrite = true;
        c.in.release(budget);
        c.key.interestOps(0);
        replied(c, replyLine(why));
    }

    private static byte[] replyLine(BitsException why) {
        return Protocol.line(Protocol.error(why));
    }

    // --- time ---

    private void sweep(long now) {
        for (ClientConnection c : List.copyOf(connections)) {
            if (c.closed || c.deadline == Long.MAX_VALUE || now - c.deadline < 0) {
                continue;
            }
            if (c.phase == ClientConnection.Phase.READING && c.in.hasPartial() && !c.closeAfterWrite) {
                fail(c, new BitsException(HResult.E_INVALIDARG, "the request did not arrive within "
                        + limits.request().toSeconds() + " s"));
            } else {
                close(c);
            }
        }
        if (accepting && acceptKey.isValid() && acceptKey.interestOps() == 0 && now - acceptPausedUntil >= 0) {
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        if (accepting && !socket.isIntact()) {
            rebind();
        }
        reports.flush(now);
    }

    private void rebind() {
        try {
            acceptKey.cancel();
            socket.rebind();
            acceptKey = socket.channel().register(selector, SelectionKey.OP_ACCEPT);
            log.warn("{} was removed or replaced while the agent ran; bound it again", socket.path());
        } catch (IOException | RuntimeException e) {
            reports.note("cannot bind " + socket.path() + " again: " + e, null);
        }
    }

    // --- closing ---

    private void close(ClientConnection c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        if (c.parts != null) {
            c.parts.connectionGone();
            c.parts = null;
        }
        c.in.release(budget);
        c.key.cancel();
        closeQuietly(c.channel);
        connections.remove(c);
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /**
     * Thread-safe: stops accepting and removes the socket file (if it is still this agent's), so new CLIs find no
     * agent rather than a dying one. Connections already open are still served.
     */
    void stopAccepting() {
        CountDownLatch done = new CountDownLatch(1);
        post(() -> {
            acceptKey.cancel();
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("closing the socket: {}", e.toString());
            }
            accepting = false;
            done.countDown();
        });
        await(done, 5_000);
    }

    /**
     * Thread-safe: stops accepting, lets the replies still owed be written for up to {@code drain}, then closes
     * every connection; returns when the loop has ended.
     */
    void shutdown(Duration drain) {
        stopAccepting();
        post(() -> {
            stopping = true;
            drainDeadline = System.nanoTime() + drain.toNanos();
        });
        await(finished, drain.toMillis() + 5_000);
    }

    private static void await(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean drained() {
        if (System.nanoTime() - drainDeadline >= 0) {
            return true;
        }
        for (ClientConnection c : connections) {
            if (c.phase != ClientConnection.Phase.READING) {
                return false;
            }
        }
        return true;
    }

    private void closeAll() {
        for (ClientConnection c : List.copyOf(connections)) {
            close(c);
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** Connections held now (for tests and reports); called on any thread, so only an estimate. */
    int connectionCount() {
        return connections.size();
    }
}
