package jcifs.smb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import jcifs.CIFSContext;
import jcifs.CIFSException;
import jcifs.Configuration;
import jcifs.DialectVersion;
import jcifs.SmbConstants;
import jcifs.internal.SMBProtocolDecodingException;
import jcifs.internal.SMBSigningDigest;
import jcifs.internal.smb2.ServerMessageBlock2Request;
import jcifs.internal.smb2.Smb2Constants;
import jcifs.internal.smb2.nego.Smb2NegotiateResponse;
import jcifs.internal.util.SMBUtil;
import jcifs.internal.smb2.io.Smb2ReadRequest;
import jcifs.internal.smb2.io.Smb2ReadResponse;
import jcifs.internal.smb2.io.Smb2WriteRequest;
import jcifs.internal.smb2.io.Smb2WriteResponse;

/**
 * jbits' bulk reads and writes on one SMB2 file handle, through jcifs-ng's own requests and connection (this class
 * lives in jcifs-ng's package only to reach {@code SmbFile.openUnshared} and the tree handle's {@code send}, which
 * jcifs-ng 2.1.10 does not make public; the version is pinned in the pom).
 *
 * <p>Three differences from jcifs-ng's {@code SmbFileInputStream} and {@code SmbRandomAccessFile}:
 * <ul>
 * <li>multi-credit requests (MS-SMB2 3.2.4.1.5) when the connection takes them (dialect 2.1 or later and the
 * server's LARGE_MTU) and they go unsigned: reads and writes of {@value #MAX_IO} bytes (a credit's worth from the first
 * one a server refuses as too large), each charged a credit per 64 KiB, on a {@link JbitsBulkTransport}, which spends
 * a message id per credit and moves their data itself; jcifs-ng charges 1 and so is held to 64 KiB per request
 * (Samba refuses more: "CreditCharge too low");
 * <li>without multi-credit, every read asks for {@value #CREDIT_BYTES} bytes (jcifs-ng's input stream asks for
 * 64,936, so a 256 KiB block took five requests instead of four) and writes carry {@value #MAX_SINGLE_WRITE} bytes
 * (jcifs-ng's random-access file 64,834);
 * <li>the data requests are signed only when signing is required: by the server (its negotiate response says
 * SIGNING_REQUIRED) or by the client's configuration ({@code jcifs.smb.client.signingEnforced}). jcifs-ng signs every
 * message of a session whose final session-setup response was signed, which an SMB 3.1.1 server always does; the
 * protocol lets a client that does not require signing send unsigned requests (MS-SMB2 3.2.4.1.1), as Windows' and
 * Samba's clients do by default, and the server then answers unsigned. The session setup, the opens, the closes and
 * every other request still go through jcifs-ng as before (signed, and the session setup verified).
 * </ul>
 *
 * <p>And one guard jcifs-ng lacks: a connection that ends inside a read reply. jcifs-ng reads a reply's body with
 * {@code Transport.readn}, which stops at the end of the stream without saying so, and decodes the reply all the
 * same: the data past the cut is whatever its buffer held (seen as zeros in a downloaded file when smbd restarted or
 * the link dropped mid-transfer). A signed reply then fails its signature; an unsigned one passes. What proves a
 * reply whole: the connection's receive thread went on to decode a later reply (it reads the next header only after
 * the whole body, and a stream that ended inside the body has no next header). So every read reply takes a ticket
 * from its receive thread's count as it is decoded ({@link Receipt}), and the caller hands data on only once its
 * receipt is {@linkplain Receipt#whole whole}; {@link #probe} asks for one more reply when nothing else follows. On a
 * {@link JbitsBulkTransport} a successful unsigned reply is read by the transport itself, its data straight into the
 * caller's buffer and to its last byte (or the read fails): such a reply is whole as soon as it is decoded, and still
 * counts as a later reply for the ones before it (a signed, failed or compound reply goes through jcifs-ng).
 */
public final class JbitsBulkIo implements AutoCloseable {
    /** The most one request of charge 1 may carry (64 KiB): a credit's worth (MS-SMB2 3.1.5.2). */
    public static final int CREDIT_BYTES = 65536;
    /**
     * The largest read or write jbits sends when the connection takes multi-credit requests (1 MiB, charge 16; a
     * credit's worth on a handle once the server has refused one as too large): smbclient's own requests are this
     * size or larger.
     */
    public static final int MAX_IO = 1 << 20;
    /**
     * The largest write without multi-credit requests (SMB 2.0.2, or a server without LARGE_MTU): a credit's worth
     * less the request's 64 header and 48 fixed bytes would be 65,424; a multiple of 8 below jcifs-ng's 16-bit send
     * limit, as before.
     */
    public static final int MAX_SINGLE_WRITE = (65535 - Smb2WriteRequest.OVERHEAD) & ~7;
    /**
     * jcifs-ng's message buffers: a credit's worth of data, a header and the largest request's fixed part. Larger
     * requests and their replies never pass through them: they are unsigned and {@link JbitsBulkTransport} sends
     * and receives their data itself.
     */
    public static final int MAX_MESSAGE = CREDIT_BYTES + 1024;

    /**
     * The read replies each jcifs-ng receive thread has decoded. A connection has its own receive thread (a new one
     * when jcifs-ng connects again), so a count never spans two connections.
     */
    private static final ThreadLocal<AtomicLong> DECODED = ThreadLocal.withInitial(AtomicLong::new);

    private static final byte[] NOTHING = new byte[0];

    private final SmbFileHandleImpl handle;
    private final boolean sign;
    /** Whether requests may carry more than a credit's worth (dialect 2.1 or later and the server's LARGE_MTU). */
    private final boolean multiCredit;
    /**
     * Whether a write's data goes to the connection from the caller's buffer as it is (unsigned, on a
     * {@link JbitsBulkTransport}); else it is copied into the request.
     */
    private final boolean directData;
    /** Lowered to a credit's worth when the server refuses a larger request as too large for it. */
    private volatile int maxRead;
    private volatile int maxWrite;
    /** This handle's read replies not yet known to have arrived whole (used by one thread at a time). */
    private final List<Ticket> unproven = new ArrayList<>();

    private JbitsBulkIo(SmbFileHandleImpl handle) throws CIFSException {
        this.handle = handle;
        try (SmbTreeHandleImpl tree = handle.getTree(); SmbSessionImpl session = tree.getSession();
                SmbTransportImpl transport = session.getTransport()) {
            if (!tree.isSMB2()) {
                handle.close();
                throw new SmbException("the server speaks only SMB1, which jbits does not use");
            }
            this.sign = transport.isSigningEnforced();
            // jcifs-ng keeps the server's MaxReadSize and MaxWriteSize only lowered to its own 64 KiB buffers, so a
            // server that takes multi-credit requests is asked for 1 MiB; one that says that is too much for it
            // (STATUS_INVALID_PARAMETER, as smbd answers a read above its "smb2 max read") gets a credit's worth from
            // then on. Windows since 7 and Samba take 1 MiB or more.
            // Unsigned only: a signed message must be whole in one of jcifs-ng's buffers to be signed or verified.
            this.multiCredit = !sign && transport instanceof JbitsBulkTransport
                    && transport.getNegotiateResponse() instanceof Smb2NegotiateResponse n
                    && n.getSelectedDialect().atLeast(DialectVersion.SMB210)
                    && (n.getCapabilities() & Smb2Constants.SMB2_GLOBAL_CAP_LARGE_MTU) != 0;
            this.directData = !sign && transport instanceof JbitsBulkTransport;
            this.maxRead = multiCredit ? MAX_IO : CREDIT_BYTES;
            this.maxWrite = multiCredit ? MAX_IO : MAX_SINGLE_WRITE;
        }
    }

    /**
     * A jcifs-ng context whose connections take jbits' multi-credit requests ({@link JbitsBulkTransport}); everything
     * else about it is a {@code BaseContext} on {@code config}.
     */
    public static CIFSContext context(Configuration config) throws CIFSException {
        return JbitsBulkTransport.context(config);
    }

    /** Opens {@code file} for reading (shared for reading, writing and deleting, as jcifs-ng's input stream does). */
    public static JbitsBulkIo openForReading(SmbFile file) throws SmbException {
        try {
            return new JbitsBulkIo(file.openUnshared(0, SmbConstants.O_RDONLY, SmbConstants.DEFAULT_SHARING,
                    SmbConstants.ATTR_NORMAL, 0));
        } catch (CIFSException e) {
            throw SmbException.wrap(e);
        }
    }

    /**
     * Opens {@code file} for writing with {@code sharing}, as jcifs-ng's {@code openRandomAccess("rw", sharing)} does
     * (created when it is not there).
     */
    public static JbitsBulkIo openForWriting(SmbFile file, int sharing) throws SmbException {
        try {
            return new JbitsBulkIo(file.openUnshared(SmbConstants.O_CREAT | SmbConstants.O_RDWR,
                    SmbConstants.FILE_READ_DATA | SmbConstants.FILE_WRITE_DATA, sharing, SmbConstants.ATTR_NORMAL, 0));
        } catch (CIFSException e) {
            throw SmbException.wrap(e);
        }
    }

    /** The most one {@link #read} asks for: 1 MiB with multi-credit requests, else (or once refused) 64 KiB. */
    public int maxRead() {
        return maxRead;
    }

    /** The most one write request carries: 1 MiB with multi-credit requests, else {@link #MAX_SINGLE_WRITE}. */
    public int maxWrite() {
        return maxWrite;
    }

    /** Whether the data requests are signed (signing is required by the server or the configuration). */
    public boolean signed() {
        return sign;
    }

    /**
     * Reads up to {@code len} ({@code <=} {@link #maxRead}) bytes at {@code position} into {@code buf[off...]}, in one
     * request; the count read, -1 at the end of the file. As {@link #read(long, ByteBuffer)}.
     */
    public int read(long position, byte[] buf, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        return read(position, ByteBuffer.wrap(buf, off, len));
    }

    /**
     * Reads up to {@code dst.remaining()} ({@code <=} {@link #maxRead}) bytes at {@code position} into {@code dst}, in
     * one request, and moves its position past them; the count read, -1 at the end of the file. On a
     * {@link JbitsBulkTransport} an unsigned reply's data goes from the socket into {@code dst} as it is: a direct
     * buffer takes it with no copy in this process. Fails as jcifs-ng's input stream does (a dropped connection as its
     * {@code TransportException}, or as an {@code IOException} when it ended inside this reply, an interrupt as an
     * {@code InterruptedIOException}); after a failure {@code dst} may still be written into by the connection (a
     * reply on its way as the caller gave up): give it to nobody else. The bytes are not yet known to be the
     * server's: see {@link #receipt}.
     */
    public int read(long position, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        if (len <= 0 || len > maxRead) {
            throw new IllegalArgumentException("a read of " + len + " bytes (1 to " + maxRead + ")");
        }
        try (SmbTreeHandleImpl tree = handle.getTree()) {
            Read request = new Read(tree.getConfig(), handle.getFileId(), dst.slice(), sign, charge(len));
            request.setOffset(position);
            request.setReadLength(len);
            try {
                Reply response;
                try {
                    response = (Reply) tree.send(request, RequestParam.NO_RETRY);
                } catch (SmbException e) {
                    if (len > CREDIT_BYTES && e.getNtStatus() == NtStatus.NT_STATUS_INVALID_PARAMETER) {
                        maxRead = CREDIT_BYTES;
                        int n = read(position, dst.slice(dst.position(), CREDIT_BYTES));
                        if (n > 0) {
                            dst.position(dst.position() + n);
                        }
                        return n;
                    }
                    throw e;
                }
                Ticket t = response.ticket;
                if (t == null) {
                    // Never decoded: jcifs-ng hands a reply its connection failed inside back as received, its
                    // status still 0 and no data, not the end of the file. (Not getException(): a disconnect sets
                    // that on every response still listed, a whole one its reader has not yet taken too.)
                    throw new IOException("the SMB connection failed inside a read reply", response.getException());
                }
                int n = response.getDataLength();
                if (n > 0) {
                    unproven.add(t);
                    dst.position(dst.position() + n);
                }
                return n <= 0 ? -1 : n;
            } catch (SmbException e) {
                if (e.getNtStatus() == NtStatus.NT_STATUS_END_OF_FILE) {
                    return -1;
                }
                throw e;
            }
        } catch (CIFSException e) {
            throw SmbFileInputStream.seToIoe(SmbException.wrap(e));
        }
    }

    /**
     * The receipt for every byte {@link #read} has returned so far: {@linkplain Receipt#whole whole} once each reply
     * that carried them is known to have arrived whole.
     */
    public Receipt receipt() {
        unproven.removeIf(Ticket::whole);
        if (unproven.isEmpty()) {
            return Receipt.WHOLE;
        }
        List<Ticket> these = List.copyOf(unproven);
        return () -> these.stream().allMatch(Ticket::whole);
    }

    /**
     * Asks for one more reply on this handle's connection (a read of 0 bytes at {@code position}: no byte of the file
     * moves), which proves every earlier reply on it whole; fails as {@link #read} does when the connection has ended
     * before that reply came.
     */
    public void probe(long position) throws IOException {
        if (receipt().whole()) {
            return;
        }
        CIFSException failure = null;
        try (SmbTreeHandleImpl tree = handle.getTree()) {
            Read request = new Read(tree.getConfig(), handle.getFileId(), ByteBuffer.allocate(0), sign, 1);
            request.setOffset(position);
            request.setReadLength(0);
            tree.send(request, RequestParam.NO_RETRY);
        } catch (CIFSException e) {
            failure = e; // an error reply proves as well as data does: the receipt says
        }
        if (!receipt().whole()) {
            throw failure != null ? SmbFileInputStream.seToIoe(SmbException.wrap(failure))
                    : new IOException("the SMB connection ended before the last read reply was known to be whole");
        }
    }

    /** Whether bytes read are the server's: every reply that carried them arrived whole. */
    @FunctionalInterface
    public interface Receipt {
        Receipt WHOLE = () -> true;

        boolean whole();
    }

    /** A read reply's place in its receive thread's count: whole once the thread has decoded a later reply. */
    private record Ticket(AtomicLong decoded, long number) {
        boolean whole() {
            return decoded.get() > number;
        }
    }

    /**
     * Writes {@code buf[off, off + len)} at {@code position}, in requests of at most {@link #maxWrite} bytes; fails as
     * jcifs-ng's random-access file does.
     */
    public void write(long position, byte[] buf, int off, int len) throws SmbException {
        write(position, ByteBuffer.wrap(buf, off, len));
    }

    /**
     * Writes the remaining bytes of {@code data} at {@code position}, in requests of at most {@link #maxWrite} bytes
     * (the buffer's position is not moved); fails as jcifs-ng's random-access file does. Unsigned, a direct buffer's
     * bytes go to the connection without a copy in this process.
     */
    public void write(long position, ByteBuffer data) throws SmbException {
        int at = data.position();
        int len = data.remaining();
        try (SmbTreeHandleImpl tree = handle.getTree()) {
            while (len > 0) {
                int w = Math.min(len, maxWrite);
                Write request = new Write(tree.getConfig(), handle.getFileId(), sign, charge(w));
                request.setOffset(position);
                request.setRemainingBytes(len - w);
                ByteBuffer chunk = data.slice(at, w);
                if (directData) {
                    request.setData(chunk);
                } else if (chunk.hasArray()) {
                    request.setData(chunk.array(), chunk.arrayOffset(), w);
                } else {
                    byte[] copy = new byte[w];
                    chunk.get(copy);
                    request.setData(copy, 0, w);
                }
                Smb2WriteResponse response;
                try {
                    response = tree.send(request, RequestParam.NO_RETRY);
                } catch (SmbException e) {
                    if (w > MAX_SINGLE_WRITE && e.getNtStatus() == NtStatus.NT_STATUS_INVALID_PARAMETER) {
                        maxWrite = MAX_SINGLE_WRITE;
                        continue;
                    }
                    throw e;
                }
                if (response instanceof WriteReply r && !r.decoded) {
                    // As for a read: a reply the connection failed inside comes back as received, never decoded.
                    throw new SmbException("the SMB connection failed inside a write reply", response.getException());
                }
                long n = response.getCount();
                if (n <= 0 || n > w) {
                    throw new SmbException("the server took " + n + " of " + w + " bytes written at " + position);
                }
                position += n;
                at += (int) n;
                len -= (int) n;
            }
        } catch (CIFSException e) {
            throw SmbException.wrap(e);
        }
    }

    @Override
    public void close() throws SmbException {
        try {
            handle.close();
        } catch (CIFSException e) {
            throw SmbException.wrap(e);
        }
    }

    /** The credit charge of a request that carries {@code bytes} (MS-SMB2 3.1.5.2); 1 without multi-credit. */
    private int charge(int bytes) {
        return multiCredit ? Math.max(1, (bytes + CREDIT_BYTES - 1) / CREDIT_BYTES) : 1;
    }

    /**
     * A read whose request is signed only when {@code sign}, charged {@code charge} credits, and whose reply takes a
     * ticket.
     */
    static final class Read extends Smb2ReadRequest {
        private final boolean sign;
        private final ByteBuffer target;
        private final int charge;

        /** A read into {@code target} (its position 0 to its limit). */
        Read(Configuration config, byte[] fileId, ByteBuffer target, boolean sign, int charge) {
            super(config, fileId, NOTHING, 0);
            this.sign = sign;
            this.target = target;
            this.charge = charge;
            JbitsBulkTransport.chargeOf(this, charge);
        }

        @Override
        public int getCreditCost() {
            return charge;
        }

        @Override
        public void setDigest(SMBSigningDigest digest) {
            super.setDigest(sign ? digest : null);
        }

        @Override
        protected Smb2ReadResponse createResponse(CIFSContext tc, ServerMessageBlock2Request<Smb2ReadResponse> req) {
            return new Reply(tc.getConfig(), target, sign);
        }
    }

    /**
     * A read reply that takes its ticket as the receive thread decodes it, before its reader is woken, and whose data
     * goes into a {@link ByteBuffer} (a direct one for jbits' blocks): read there by the transport itself
     * ({@link #decodeWithoutData}) or, for a reply jcifs-ng received whole into one of its buffers (a signed one),
     * copied there from it as jcifs-ng's own reply copies it into an array. Only these replies count (never chained:
     * jbits' reads are single requests): a reply jcifs-ng decodes out of a compound's later part could be made of
     * stale bytes, so counting every response type would break the proof.
     */
    static final class Reply extends Smb2ReadResponse {
        /** The header and the fixed part of a read reply (MS-SMB2 2.2.20): where its data may begin. */
        static final int FIXED_END = Smb2Constants.SMB2_HEADER_LENGTH + 16;
        private volatile Ticket ticket;
        /** Where the data goes: from position 0 up to its limit. */
        private final ByteBuffer target;
        /** While the transport decodes the reply's header and fixed part, its data already in {@code target}. */
        private boolean withoutData;
        /** Set as the reply is decoded, before its reader is woken (by haveResponse). */
        private volatile int dataLength;

        private final boolean signedRequest;

        Reply(Configuration config, ByteBuffer target, boolean signedRequest) {
            super(config, NOTHING, 0);
            this.target = target;
            this.signedRequest = signedRequest;
        }

        /** The buffer the data goes into, from position 0 up to its limit (the most the reply may carry). */
        ByteBuffer target() {
            return target;
        }

        /**
         * Decodes a reply whose {@code dataLength} bytes of data the transport has read into {@link #target} itself,
         * from {@code msg}: its header and fixed part ({@link #FIXED_END} bytes). The ticket is taken as for any reply.
         */
        void decodeWithoutData(byte[] msg, int frameSize) throws SMBProtocolDecodingException {
            setReadSize(frameSize);
            withoutData = true;
            try {
                decode(msg, 0);
            } finally {
                withoutData = false;
            }
        }

        @Override
        public int getDataLength() {
            return dataLength;
        }

        @Override
        protected int readBytesWireFormat(byte[] buffer, int bufferIndex) throws SMBProtocolDecodingException {
            int start = bufferIndex;
            int structureSize = SMBUtil.readInt2(buffer, bufferIndex);
            if (structureSize == 9) {
                return readErrorResponse(buffer, bufferIndex);
            }
            if (structureSize != 17) {
                throw new SMBProtocolDecodingException("Expected structureSize = 17");
            }
            int length = SMBUtil.readInt4(buffer, bufferIndex + 4);
            if (withoutData) {
                dataLength = length;
                return 16;
            }
            int dataStart = getHeaderStart() + (buffer[bufferIndex + 2] & 0xFF);
            if (length < 0 || length > target.limit() || dataStart + (long) length > buffer.length) {
                throw new SMBProtocolDecodingException("a read reply of " + length + " bytes for a read of "
                        + target.limit());
            }
            target.put(0, buffer, dataStart, length);
            dataLength = length;
            return Math.max(16, dataStart + length - start);
        }

        @Override
        protected void haveResponse(byte[] buffer, int start, int len) throws SMBProtocolDecodingException {
            AtomicLong decoded = DECODED.get();
            long number = decoded.incrementAndGet();
            // A reply the transport read to its last byte is whole now (number 0); it still counts, proving the
            // replies before it on the connection. Set before super wakes the reader.
            ticket = new Ticket(decoded, withoutData ? 0 : number);
            super.haveResponse(buffer, start, len);
        }

        /** Whether the request was sent unsigned (then the transport may read the reply's data itself). */
        boolean unsigned() {
            return !signedRequest;
        }
    }

    /**
     * A write reply that says whether it was decoded: jcifs-ng hands one its connection failed inside back as received
     * (status 0), with nothing decoded, when its writer had not yet begun to wait for it.
     */
    static final class WriteReply extends Smb2WriteResponse {
        /** Set as the receive thread decodes the reply, before the writer is woken. */
        volatile boolean decoded;

        WriteReply(Configuration config) {
            super(config);
        }

        @Override
        protected void haveResponse(byte[] buffer, int start, int len) throws SMBProtocolDecodingException {
            decoded = true;
            super.haveResponse(buffer, start, len);
        }
    }

    /**
     * A write whose request is signed only when {@code sign}, charged {@code charge} credits. Unsigned, its data need
     * not be copied into a message buffer: {@link JbitsBulkTransport} encodes the header and fixed part alone
     * ({@link #encodeWithoutData}) and sends the data from the caller's array after them.
     */
    static final class Write extends Smb2WriteRequest {
        /** The header and the fixed part of a write request: where its data begins (DataOffset). */
        static final int DATA_OFFSET = Smb2Constants.SMB2_HEADER_LENGTH + 48;
        private final boolean sign;
        private final int charge;
        private byte[] fileId;
        private long offset;
        private int remainingBytes;
        /** The data, from its position to its limit (not moved by sending: {@link #data} gives a view). */
        private ByteBuffer data;
        private int dataLength;
        private boolean fromBuffer;
        /** While the transport encodes the request without its data. */
        private boolean withoutData;

        Write(Configuration config, byte[] fileId, boolean sign, int charge) {
            super(config, fileId);
            this.fileId = fileId;
            this.sign = sign;
            this.charge = charge;
            JbitsBulkTransport.chargeOf(this, charge);
        }

        @Override
        public int getCreditCost() {
            return charge;
        }

        @Override
        public void setDigest(SMBSigningDigest digest) {
            super.setDigest(sign ? digest : null);
        }

        @Override
        public void setFileId(byte[] fileId) {
            super.setFileId(fileId);
            this.fileId = fileId;
        }

        @Override
        protected Smb2WriteResponse createResponse(CIFSContext tc, ServerMessageBlock2Request<Smb2WriteResponse> req) {
            return new WriteReply(tc.getConfig());
        }

        @Override
        public void setOffset(long offset) {
            super.setOffset(offset);
            this.offset = offset;
        }

        @Override
        public void setRemainingBytes(int remainingBytes) {
            super.setRemainingBytes(remainingBytes);
            this.remainingBytes = remainingBytes;
        }

        @Override
        public void setData(byte[] data, int offset, int length) {
            super.setData(data, offset, length);
            this.data = ByteBuffer.wrap(data, offset, length).slice();
            this.dataLength = length;
        }

        /**
         * The data as a buffer's remaining bytes, sent from it by {@link JbitsBulkTransport} ({@link #direct} only: no
         * copy is made for jcifs-ng's encoder, which then has none to write).
         */
        void setData(ByteBuffer data) {
            super.setData(NOTHING, 0, 0);
            this.data = data.slice();
            this.dataLength = data.remaining();
            this.fromBuffer = true;
        }

        /** Whether the data was set as a buffer: then only {@link JbitsBulkTransport} can send it ({@link #direct}). */
        boolean fromBuffer() {
            return fromBuffer;
        }

        /**
         * The message's size as jcifs-ng's send checks it against its buffers: without the data when the data goes
         * straight from the caller's array ({@link #direct}), which no buffer holds.
         */
        @Override
        public int size() {
            if (withoutData || fromBuffer) {
                // The whole message, data and padding to 8 bytes included, as encodeWithoutData checks it (jcifs-ng's
                // own count holds no data when it was set as a buffer).
                return withoutData ? (DATA_OFFSET + dataLength + 7) & ~7 : DATA_OFFSET + 8;
            }
            return dataLength > MAX_SINGLE_WRITE && direct() ? DATA_OFFSET + 8 : super.size();
        }

        /** Whether the data may go without a copy: nothing signs the message, and it is a request alone. */
        boolean direct() {
            return getDigest() == null && getNext() == null && !isRetainPayload();
        }

        /**
         * Encodes the header and the fixed part into {@code dst[dstIndex...]} ({@link #DATA_OFFSET} bytes) and returns
         * the whole message's length, data and trailing padding included, as {@code encode} would; the data is not
         * written. Only when {@link #direct}.
         */
        int encodeWithoutData(byte[] dst, int dstIndex) {
            withoutData = true;
            try {
                return encode(dst, dstIndex);
            } finally {
                withoutData = false;
            }
        }

        /** A view of the data (its own position), for one send. */
        ByteBuffer data() {
            return data.duplicate();
        }

        int dataLength() {
            return dataLength;
        }

        @Override
        protected int writeBytesWireFormat(byte[] dst, int dstIndex) {
            if (!withoutData) {
                return super.writeBytesWireFormat(dst, dstIndex);
            }
            // Smb2WriteRequest's fixed part (MS-SMB2 2.2.21), the data's place counted but not filled.
            int start = dstIndex;
            SMBUtil.writeInt2(49, dst, dstIndex);
            SMBUtil.writeInt2(DATA_OFFSET, dst, dstIndex + 2);
            SMBUtil.writeInt4(dataLength, dst, dstIndex + 4);
            SMBUtil.writeInt8(offset, dst, dstIndex + 8);
            System.arraycopy(fileId, 0, dst, dstIndex + 16, 16);
            SMBUtil.writeInt4(0, dst, dstIndex + 32); // Channel
            SMBUtil.writeInt4(remainingBytes, dst, dstIndex + 36);
            SMBUtil.writeInt2(0, dst, dstIndex + 40); // WriteChannelInfoOffset
            SMBUtil.writeInt2(0, dst, dstIndex + 42); // WriteChannelInfoLength
            SMBUtil.writeInt4(0, dst, dstIndex + 44); // Flags
            return dstIndex + 48 - start + dataLength;
        }
    }
}
