package jcifs.smb;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import jcifs.Address;
import jcifs.CIFSContext;
import jcifs.CIFSException;
import jcifs.Configuration;
import jcifs.DialectVersion;
import jcifs.context.BaseContext;
import jcifs.internal.SmbNegotiation;
import jcifs.internal.SMBProtocolDecodingException;
import jcifs.internal.smb2.ServerMessageBlock2;
import jcifs.internal.smb2.ServerMessageBlock2Response;
import jcifs.internal.smb2.Smb2Constants;
import jcifs.internal.smb2.nego.Smb2NegotiateResponse;
import jcifs.util.Encdec;
import jcifs.util.transport.Request;
import jcifs.util.transport.Response;

/**
 * jcifs-ng's SMB2 connection with what multi-credit requests (MS-SMB2 3.2.4.1.5) and asynchronous replies need, which
 * jcifs-ng 2.1.10 lacks:
 * <ul>
 * <li>a request of credit charge N takes N message ids ({@code makeKey}: jcifs-ng hands out one per request, and the
 * next request after a charge of N must use the id N further on, else smbd drops the connection with "bad
 * message_id");
 * <li>a write of more than 64 KiB goes in one frame with its 24-bit length (jcifs-ng writes 16 bits), its data straight
 * from the caller's array after the header and fixed part ({@code doSend}); jcifs-ng would copy it into one of its
 * pooled message buffers, which hold 64 KiB;
 * <li>a successful reply to such a read has its data read from the socket straight into the caller's array
 * ({@code doRecv}), to its last byte or the read fails (jcifs-ng's read stops at the end of the stream without saying
 * so, and would need a buffer as large as the reply);
 * <li>the credits an interim reply grants are counted as it is read ({@code creditInterim}): jcifs-ng loses them when
 * the final reply is read before the waiting thread wakes up;
 * <li>every other reply jcifs-ng reads (a write's, signed ones, all of them) is read to its last byte or fails
 * ({@link EndChecked}): jcifs-ng's {@code readn} stops at the end of the stream without saying so, and a reply the
 * connection ended inside, after its header, was decoded with the rest of a pooled buffer (zeroed when it was last
 * released: a write's count 0, or the low bytes of the right one).
 * </ul>
 * Only jbits' unsigned bulk requests ({@link JbitsBulkIo}) carry a charge above 1 and go so; every other message goes
 * and comes as jcifs-ng sends and receives it (its interim replies' credits counted as above).
 *
 * <p>The message-id counter, the streams and the header buffer are jcifs-ng's private fields, reached by reflection;
 * jcifs-ng's version is pinned in the pom, and a missing field fails the class's initialisation (so every SMB
 * transfer), not a transfer half-way.
 */
final class JbitsBulkTransport extends SmbTransportImpl {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JbitsBulkTransport.class);
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();
    private static final Field MID = field(SmbTransportImpl.class, "mid");
    private static final Field OUT = field(SmbTransportImpl.class, "out");
    private static final Field IN = field(SmbTransportImpl.class, "in");
    /** The frame and SMB2 header peekKey has just read (jcifs-ng's own "small local buffer"). */
    private static final Field SBUF = field(SmbTransportImpl.class, "sbuf");
    private static final Field CREDITS = field(SmbTransportImpl.class, "credits");
    private static final Field CREDIT_CHARGE = field(ServerMessageBlock2.class, "creditCharge");
    private static final Field CONNECTIONS = field(SmbTransportPoolImpl.class, "connections");
    private static final Field NON_POOLED = field(SmbTransportPoolImpl.class, "nonPooledConnections");
    private static final Field SOCKET = field(SmbTransportImpl.class, "socket");
    private static final Field NEGOTIATED = field(SmbTransportImpl.class, "negotiated");
    private static final Field TCON_HOST_NAME = field(SmbTransportImpl.class, "tconHostName");
    private static final Method NEGOTIATE2 = method(SmbTransportImpl.class, "negotiate2", Smb2NegotiateResponse.class);
    private static final Method UPDATE_PREAUTH = method(SmbTransportImpl.class, "updatePreauthHash", byte[].class);
    /** The largest message the 4-byte direct-TCP header can say (24 bits). */
    private static final int MAX_FRAME = 0xFFFFFF;

    private final AtomicLong mids;
    /** jcifs-ng's count of the credits this connection holds. */
    private final Semaphore credits;
    private final byte[] sbuf;
    /** Where the bytes of a read reply that come before or after its data go (the transport thread's only). */
    private final byte[] skip = new byte[4096];
    private final Address address;
    private final int port;
    private final InetAddress localAddr;
    private final int localPort;
    /** The connection when this transport made it ({@link #doConnect}); null when jcifs-ng did. */
    private volatile ChannelConnection connection;

    JbitsBulkTransport(CIFSContext tc, Address address, int port, InetAddress localAddr, int localPort,
            boolean forceSigning) {
        super(tc, address, port, localAddr, localPort, forceSigning);
        this.address = address;
        this.port = port;
        this.localAddr = localAddr;
        this.localPort = localPort;
        try {
            this.mids = (AtomicLong) MID.get(this);
            this.sbuf = (byte[]) SBUF.get(this);
            this.credits = (Semaphore) CREDITS.get(this);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A context whose connections are these: for jbits' SMB transport. Its children ({@code withCredentials}) share
     * them, as they share a {@link BaseContext}'s.
     */
    static CIFSContext context(Configuration config) throws CIFSException {
        return new BulkContext(config);
    }

    /** Sets a request's credit charge (jcifs-ng has no setter: it never sends a charge above 0). */
    static void chargeOf(ServerMessageBlock2 request, int charge) {
        try {
            CREDIT_CHARGE.setInt(request, charge);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Connects as jcifs-ng's {@code doConnect} does with SMB2-only negotiation (jbits' configuration), but over a
     * {@link ChannelConnection}, whose output takes jbits' bulk data from direct buffers without a copy. jcifs-ng's
     * own negotiation runs on it ({@code negotiate2}, reached by reflection as the fields are); the checks and the
     * state it keeps after negotiating are the same as in its {@code doConnect}. Port 139 (NetBIOS sessions) and
     * multi-protocol negotiation still go through jcifs-ng's socket.
     */
    @Override
    protected void doConnect() throws IOException {
        Configuration config = getContext().getConfig();
        if (port == 139 || !config.isUseSMB2OnlyNegotiation() || config.isPort139FailoverEnabled()) {
            super.doConnect();
            return;
        }
        try {
            connectOverChannel(config);
        } catch (IOException | RuntimeException | Error e) {
            // jcifs-ng never disconnects a connection whose connect failed, and a channel with its selectors is not
            // closed when it is collected, as a socket is.
            ChannelConnection c = connection;
            if (c != null) {
                c.close();
                connection = null;
            }
            throw e;
        }
    }

    private void connectOverChannel(Configuration config) throws IOException {
        SmbNegotiation resp;
        synchronized (this.inLock) {
            ChannelConnection old = connection;
            if (old != null) {
                old.close();
            }
            ChannelConnection c = ChannelConnection.connect(
                    localAddr == null ? null : new InetSocketAddress(localAddr, localPort),
                    new InetSocketAddress(address.getHostAddress(), port <= 0 ? DEFAULT_PORT : port),
                    config.getConnTimeout());
            try {
                c.socket().setSoTimeout(config.getSoTimeout());
                SOCKET.set(this, c.socket());
                OUT.set(this, c.out());
                IN.set(this, c.in());
            } catch (IllegalAccessException e) {
                c.close();
                throw new IllegalStateException(e);
            }
            connection = c;
            // A connect that timed out in jcifs-ng's waiter may still end here, on a transport nobody uses again:
            // its connection is closed once the transport is collected.
            CLEANER.register(this, c::close);
            if (credits.drainPermits() == 0) {
                log.debug("It appears we previously lost some credits");
            }
            resp = (SmbNegotiation) invoke(NEGOTIATE2, (Object) null);
        }
        if (resp == null || resp.getResponse() == null) {
            throw new SmbException("Failed to connect.");
        }
        if (!resp.getResponse().isValid(getContext(), resp.getRequest())) {
            throw new SmbException("This client is not compatible with the server.");
        }
        try {
            TCON_HOST_NAME.set(this, address.getHostName());
            NEGOTIATED.set(this, resp.getResponse());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        if (resp.getResponse().getSelectedDialect().atLeast(DialectVersion.SMB311)) {
            invoke(UPDATE_PREAUTH, (Object) resp.getRequestRaw());
            invoke(UPDATE_PREAUTH, (Object) resp.getResponseRaw());
        }
    }

    private Object invoke(Method m, Object arg) throws IOException {
        try {
            return m.invoke(this, arg);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected long makeKey(Request request) throws IOException {
        int charge = request.getCreditCost();
        if (charge <= 1 || !(request instanceof ServerMessageBlock2 smb)) {
            return super.makeKey(request);
        }
        // The ids [m, m + charge) are this request's: the next request, from any thread, gets m + charge.
        long m = mids.getAndAdd(charge);
        smb.setMid(m);
        return m;
    }

    @Override
    protected void doSend(Request request) throws IOException {
        if (request instanceof JbitsBulkIo.Write w && w.direct()) {
            sendWithoutCopy(w);
            return;
        }
        if (request instanceof JbitsBulkIo.Write w && w.fromBuffer()) {
            // Its data is in no form jcifs-ng's encoder writes (JbitsBulkIo sets a buffer only for unsigned writes).
            throw new IOException("an SMB write whose data is a buffer, signed or compound");
        }
        if (request instanceof JbitsBulkIo.Write w && w.dataLength() > JbitsBulkIo.MAX_SINGLE_WRITE) {
            // jcifs-ng would write its length in 16 bits: only an unsigned write may be this long (JbitsBulkIo).
            throw new IOException("a signed or compound SMB write of " + w.dataLength() + " bytes");
        }
        super.doSend(request);
    }

    /**
     * A reply to one of jbits' unsigned reads, alone in its frame and successful, has its data read straight from the
     * socket into the reader's block: jcifs-ng would read the whole message into one of its pooled buffers (which hold
     * 64 KiB) and copy the data out of it. Every other message is received as jcifs-ng receives it. The data is read to
     * its last byte or the read fails (jcifs-ng's own read stops at the end of the stream without saying so).
     */
    @Override
    protected void doRecv(Response response) throws IOException {
        // Held from the reply's first byte to its credits: the waiter sees an interim reply only once it is counted.
        synchronized (response) {
            receive(response);
            creditInterim(response);
        }
    }

    private void receive(Response response) throws IOException {
        if (!(response instanceof JbitsBulkIo.Reply reply) || !reply.unsigned() || !plainSuccess()) {
            EndChecked checked = endChecked();
            checked.inReply = true;
            try {
                super.doRecv(response);
            } finally {
                checked.inReply = false;
            }
            return;
        }
        try {
            receiveData(reply);
        } catch (IOException | RuntimeException e) {
            // As jcifs-ng's doRecv does: the reply fails, and the transport thread disconnects.
            response.exception(e);
            synchronized (response) {
                response.notifyAll();
            }
            throw e;
        }
    }

    /**
     * Counts the credits an interim reply (STATUS_PENDING, async: MS-SMB2 3.3.4.2) grants as it is read. jcifs-ng
     * counts them in the waiting thread ({@code handleIntermediate}), and only if it wakes before the final reply is
     * read into the same response; when the final reply comes first (a write that completes just after smbd said it
     * would be slow, the waiter not yet scheduled) the grant is lost, and smbd gives its credits in the interim reply,
     * none in the final one: a long upload with several writes in flight runs out of credits ("Failed to acquire
     * credits in time"). The credits are taken out of the response, so the waiter's {@code handleIntermediate} (which
     * still records the async id and extends the wait) counts none.
     */
    private void creditInterim(Response response) {
        if (response instanceof ServerMessageBlock2Response r && r.isAsync()
                && r.getStatus() == NtStatus.NT_STATUS_PENDING && !r.isReceived() && !r.isError()) {
            int granted = r.getCredit();
            r.setCredit(0);
            credits.release(granted);
        }
    }

    /**
     * A message nobody waits for any more (its caller gave up): one longer than 64 KiB is skipped to its end here, as
     * jcifs-ng reads 16 bits of its length and would leave the rest in the stream.
     */
    @Override
    protected void doSkip(Long key) throws IOException {
        int size = frameSize();
        if (sbuf[4] == (byte) 0xFE && size > 0xFFFF) {
            synchronized (this.inLock) {
                discard(in(), size - Smb2Constants.SMB2_HEADER_LENGTH);
            }
            return;
        }
        super.doSkip(key);
    }

    /**
     * Whether the message whose frame and header peekKey read is SMB2, alone in its frame, a success, and not signed
     * (a signed reply goes through jcifs-ng, whole, as before).
     */
    private boolean plainSuccess() {
        byte[] b = sbuf;
        return b[0] == 0 && b[4] == (byte) 0xFE && b[5] == 'S' && b[6] == 'M' && b[7] == 'B'
                && Encdec.dec_uint32le(b, 4 + 8) == 0 // Status
                && (Encdec.dec_uint32le(b, 4 + 16) & ServerMessageBlock2.SMB2_FLAGS_SIGNED) == 0 // Flags
                && Encdec.dec_uint32le(b, 4 + 20) == 0 // NextCommand
                && frameSize() >= JbitsBulkIo.Reply.FIXED_END;
    }

    private int frameSize() {
        return (Encdec.dec_uint16be(sbuf, 2) & 0xFFFF) | (sbuf[1] & 0xFF) << 16;
    }

    private void receiveData(JbitsBulkIo.Reply reply) throws IOException {
        int size = frameSize();
        byte[] msg = new byte[JbitsBulkIo.Reply.FIXED_END];
        System.arraycopy(sbuf, 4, msg, 0, Smb2Constants.SMB2_HEADER_LENGTH);
        InputStream in = in();
        readFully(in, msg, Smb2Constants.SMB2_HEADER_LENGTH, msg.length - Smb2Constants.SMB2_HEADER_LENGTH);
        int dataOffset = msg[Smb2Constants.SMB2_HEADER_LENGTH + 2] & 0xFF;
        long dataLength = Encdec.dec_uint32le(msg, Smb2Constants.SMB2_HEADER_LENGTH + 4) & 0xFFFFFFFFL;
        if (dataLength > 0 && (dataOffset < msg.length || dataOffset + dataLength > size
                || dataLength > reply.target().limit())) {
            throw new SMBProtocolDecodingException("a read reply of " + size + " bytes says " + dataLength
                    + " bytes of data at " + dataOffset);
        }
        int at = msg.length;
        if (dataLength > 0) {
            discard(in, dataOffset - at);
            readFully(in, reply.target().slice(0, (int) dataLength));
            at = dataOffset + (int) dataLength;
        }
        discard(in, size - at);
        reply.decodeWithoutData(msg, size);
    }

    private InputStream in() throws IOException {
        return (InputStream) stream(IN);
    }

    /**
     * The connection's input as an {@link EndChecked} stream, put in place of jcifs-ng's on the transport thread (the
     * only one that reads it; jcifs-ng replaces it with the socket's at each connect).
     */
    private EndChecked endChecked() throws IOException {
        InputStream in = in();
        if (in instanceof EndChecked checked) {
            return checked;
        }
        EndChecked checked = new EndChecked(in);
        try {
            IN.set(this, checked);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return checked;
    }

    /**
     * The connection's input, which fails a read with {@link EOFException} where the stream ends inside a reply
     * ({@link #inReply}, set while jcifs-ng reads the rest of a message whose header has come): its {@code readn}
     * stops there without saying so and decodes what its buffer held. Between messages the end reads as the end, as
     * jcifs-ng expects when the server closes the connection.
     */
    static final class EndChecked extends java.io.FilterInputStream {
        /** Only the transport thread sets and reads it. */
        boolean inReply;

        EndChecked(InputStream in) {
            super(in);
        }

        /** The stream it checks. */
        InputStream under() {
            return in;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0 && inReply) {
                throw ended();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0 && inReply) {
                throw ended();
            }
            return n;
        }

        private static EOFException ended() {
            return new EOFException("the SMB connection ended inside a reply");
        }
    }

    /** One of the connection's streams (jcifs-ng replaces them when it connects). */
    private Object stream(Field which) throws IOException {
        try {
            Object stream = which.get(this);
            if (stream == null) {
                throw new IOException("the SMB connection is not open");
            }
            return stream;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        if (readn(in, b, off, len) < len) {
            throw new EOFException("the SMB connection ended inside a read reply");
        }
    }

    /**
     * Reads {@code dst}'s remaining bytes: on a {@link ChannelConnection} from its channel into {@code dst} as it is
     * (no copy in this process for a direct buffer), else through the stream.
     */
    private void readFully(InputStream in, ByteBuffer dst) throws IOException {
        InputStream under = in instanceof EndChecked checked ? checked.under() : in;
        if (under instanceof ChannelConnection.In channel) {
            while (dst.hasRemaining()) {
                if (channel.read(dst) < 0) {
                    throw new EOFException("the SMB connection ended inside a read reply");
                }
            }
            return;
        }
        if (dst.hasArray()) {
            readFully(in, dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            dst.position(dst.limit());
            return;
        }
        byte[] chunk = new byte[Math.min(dst.remaining(), 256 * 1024)];
        while (dst.hasRemaining()) {
            int k = Math.min(dst.remaining(), chunk.length);
            readFully(in, chunk, 0, k);
            dst.put(chunk, 0, k);
        }
    }

    private void discard(InputStream in, int n) throws IOException {
        while (n > 0) {
            int k = Math.min(n, skip.length);
            readFully(in, skip, 0, k);
            n -= k;
        }
    }

    /**
     * An unsigned write: its header and fixed part from a small array, then its data straight from the caller's buffer
     * (no copy into one of jcifs-ng's message buffers, which hold 64 KiB), then the padding to 8 bytes, as one frame. On
     * a {@link ChannelConnection} the three go in one gathering write, and data in a direct buffer is not copied at
     * all in this process.
     */
    private void sendWithoutCopy(JbitsBulkIo.Write w) throws IOException {
        byte[] head = new byte[4 + JbitsBulkIo.Write.DATA_OFFSET];
        synchronized (this.outLock) {
            int n = w.encodeWithoutData(head, 4);
            int pad = n - JbitsBulkIo.Write.DATA_OFFSET - w.dataLength();
            if (pad < 0 || pad > 7) {
                throw new IOException("an SMB write request encoded as " + n + " bytes for " + w.dataLength()
                        + " bytes of data");
            }
            OutputStream out = frame(head, n);
            ByteBuffer data = w.data();
            if (out instanceof ChannelConnection.Out channel) {
                channel.write(pad > 0
                        ? new ByteBuffer[] {ByteBuffer.wrap(head), data, ByteBuffer.allocate(pad)}
                        : new ByteBuffer[] {ByteBuffer.wrap(head), data});
                return;
            }
            out.write(head, 0, head.length);
            if (data.hasArray()) {
                out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
            } else {
                byte[] chunk = new byte[Math.min(data.remaining(), 64 * 1024)];
                while (data.hasRemaining()) {
                    int k = Math.min(chunk.length, data.remaining());
                    data.get(chunk, 0, k);
                    out.write(chunk, 0, k);
                }
            }
            if (pad > 0) {
                out.write(new byte[pad]);
            }
            out.flush();
        }
    }

    /**
     * Writes the direct-TCP header of a message of {@code n} bytes into {@code buffer[0, 4)}; returns the connection's
     * stream.
     */
    private OutputStream frame(byte[] buffer, int n) throws IOException {
        if (n > MAX_FRAME) {
            throw new IOException("an SMB message of " + n + " bytes is longer than a frame can say");
        }
        Encdec.enc_uint32be(n, buffer, 0);
        return (OutputStream) stream(OUT);
    }

    private static Method method(Class<?> owner, String name, Class<?>... parameters) {
        try {
            Method m = owner.getDeclaredMethod(name, parameters);
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("jcifs-ng's " + owner.getSimpleName() + " has no method " + name
                    + ": not the jcifs-ng version jbits was built with");
        }
    }

    private static Field field(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError("jcifs-ng's " + owner.getSimpleName() + " has no field " + name
                    + ": not the jcifs-ng version jbits was built with");
        }
    }

    /** jcifs-ng's pool, making these connections: the one it has just made is replaced in its list by one of these. */
    private static final class Pool extends SmbTransportPoolImpl {
        @Override
        @SuppressWarnings("unchecked")
        public SmbTransportImpl getSmbTransport(CIFSContext tc, Address address, int port, InetAddress localAddr,
                int localPort, String hostName, boolean nonPooled, boolean forceSigning) {
            try {
                List<SmbTransportImpl> pooled = (List<SmbTransportImpl>) CONNECTIONS.get(this);
                List<SmbTransportImpl> unpooled = (List<SmbTransportImpl>) NON_POOLED.get(this);
                synchronized (pooled) {
                    SmbTransportImpl t = super.getSmbTransport(tc, address, port, localAddr, localPort, hostName,
                            nonPooled, forceSigning);
                    if (t instanceof JbitsBulkTransport) {
                        return t;
                    }
                    // Not connected yet: nothing but the lists knows of it.
                    JbitsBulkTransport ours = new JbitsBulkTransport(tc, address, port <= 0 ? DEFAULT_PORT : port,
                            localAddr, localPort, forceSigning);
                    List<SmbTransportImpl> list = nonPooled ? unpooled : pooled;
                    for (int i = 0; i < list.size(); i++) {
                        if (list.get(i) == t) {
                            list.set(i, ours);
                            return ours;
                        }
                    }
                    throw new IllegalStateException("jcifs-ng's pool did not list the connection it made");
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A {@link BaseContext} whose transport pool is a {@link Pool}. */
    private static final class BulkContext extends BaseContext {
        private final Pool pool = new Pool();

        BulkContext(Configuration config) throws CIFSException {
            super(config);
        }

        @Override
        public jcifs.SmbTransportPool getTransportPool() {
            return pool;
        }

        @Override
        public boolean close() throws CIFSException {
            boolean inUse = super.close();
            inUse |= pool.close();
            return inUse;
        }
    }
}
