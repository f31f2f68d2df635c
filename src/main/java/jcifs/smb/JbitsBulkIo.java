package jcifs.smb;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import jcifs.CIFSContext;
import jcifs.CIFSException;
import jcifs.Configuration;
import jcifs.SmbConstants;
import jcifs.internal.SMBProtocolDecodingException;
import jcifs.internal.SMBSigningDigest;
import jcifs.internal.smb2.ServerMessageBlock2Request;
import jcifs.internal.smb2.io.Smb2ReadRequest;
import jcifs.internal.smb2.io.Smb2ReadResponse;
import jcifs.internal.smb2.io.Smb2WriteRequest;
import jcifs.internal.smb2.io.Smb2WriteResponse;

/**
 * jbits' bulk reads and writes on one SMB2 file handle, through jcifs-ng's own requests and connection (this class
 * lives in jcifs-ng's package only to reach {@code SmbFile.openUnshared} and the tree handle's {@code send}, which
 * jcifs-ng 2.1.10 does not make public; the version is pinned in the pom).
 *
 * <p>Two differences from jcifs-ng's {@code SmbFileInputStream} and {@code SmbRandomAccessFile}:
 * <ul>
 * <li>every read asks for {@value #MAX_IO} bytes (the largest a credit charge of 1 allows; jcifs-ng's input stream
 * asks for 64,936, so a 256 KiB block took five requests instead of four); writes carry {@link #MAX_WRITE} bytes
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
 * receipt is {@linkplain Receipt#whole whole}; {@link #probe} asks for one more reply when nothing else follows.
 */
public final class JbitsBulkIo implements AutoCloseable {
    /** The largest read a request with credit charge 1 may ask for (64 KiB). */
    public static final int MAX_IO = 65536;
    /**
     * The largest write jcifs-ng can send: it writes a message's length in 16 bits (its {@code doSend}), so a write
     * request, 64 header and 48 fixed bytes with its data, is at most 65,535 bytes; a multiple of 8 below that.
     */
    public static final int MAX_WRITE = (65535 - Smb2WriteRequest.OVERHEAD) & ~7;
    /** A message's header and the largest request's fixed part, over {@link #MAX_IO}: the buffers' size. */
    public static final int MAX_MESSAGE = MAX_IO + 1024;

    /**
     * The read replies each jcifs-ng receive thread has decoded. A connection has its own receive thread (a new one
     * when jcifs-ng connects again), so a count never spans two connections.
     */
    private static final ThreadLocal<AtomicLong> DECODED = ThreadLocal.withInitial(AtomicLong::new);

    private static final byte[] NOTHING = new byte[0];

    private final SmbFileHandleImpl handle;
    private final boolean sign;
    /** This handle's read replies not yet known to have arrived whole (used by one thread at a time). */
    private final List<Ticket> unproven = new ArrayList<>();

    private JbitsBulkIo(SmbFileHandleImpl handle) throws CIFSException {
        this.handle = handle;
        boolean required;
        try (SmbTreeHandleImpl tree = handle.getTree(); SmbSessionImpl session = tree.getSession();
                SmbTransportImpl transport = session.getTransport()) {
            if (!tree.isSMB2()) {
                handle.close();
                throw new SmbException("the server speaks only SMB1, which jbits does not use");
            }
            required = transport.isSigningEnforced();
        }
        this.sign = required;
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

    /** Whether the data requests are signed (signing is required by the server or the configuration). */
    public boolean signed() {
        return sign;
    }

    /**
     * Reads up to {@code len} ({@code <=} {@link #MAX_IO}) bytes at {@code position} into {@code buf[off...]}, in one
     * request; the count read, -1 at the end of the file. Fails as jcifs-ng's input stream does (a dropped connection
     * as its {@code TransportException}, an interrupt as an {@code InterruptedIOException}). The bytes are not yet
     * known to be the server's: see {@link #receipt}.
     */
    public int read(long position, byte[] buf, int off, int len) throws IOException {
        if (len <= 0 || len > MAX_IO) {
            throw new IllegalArgumentException("a read of " + len + " bytes (1 to " + MAX_IO + ")");
        }
        try (SmbTreeHandleImpl tree = handle.getTree()) {
            Read request = new Read(tree.getConfig(), handle.getFileId(), buf, off, sign);
            request.setOffset(position);
            request.setReadLength(len);
            try {
                Reply response = (Reply) tree.send(request, RequestParam.NO_RETRY);
                int n = response.getDataLength();
                if (n > 0) {
                    Ticket t = response.ticket;
                    if (t == null) {
                        throw new IOException("an SMB read reply came back without being decoded by its connection");
                    }
                    unproven.add(t);
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
            Read request = new Read(tree.getConfig(), handle.getFileId(), NOTHING, 0, sign);
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
     * Writes {@code buf[off, off + len)} at {@code position}, in requests of at most {@link #MAX_WRITE} bytes; fails as
     * jcifs-ng's random-access file does.
     */
    public void write(long position, byte[] buf, int off, int len) throws SmbException {
        try (SmbTreeHandleImpl tree = handle.getTree()) {
            while (len > 0) {
                int w = Math.min(len, MAX_WRITE);
                Write request = new Write(tree.getConfig(), handle.getFileId(), sign);
                request.setOffset(position);
                request.setRemainingBytes(len - w);
                request.setData(buf, off, w);
                Smb2WriteResponse response = tree.send(request, RequestParam.NO_RETRY);
                long n = response.getCount();
                if (n <= 0 || n > w) {
                    throw new SmbException("the server took " + n + " of " + w + " bytes written at " + position);
                }
                position += n;
                off += (int) n;
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

    /** A read whose request is signed only when {@code sign}, and whose reply takes a ticket. */
    private static final class Read extends Smb2ReadRequest {
        private final boolean sign;
        private final byte[] buf;
        private final int off;

        Read(Configuration config, byte[] fileId, byte[] buf, int off, boolean sign) {
            super(config, fileId, buf, off);
            this.sign = sign;
            this.buf = buf;
            this.off = off;
        }

        @Override
        public void setDigest(SMBSigningDigest digest) {
            super.setDigest(sign ? digest : null);
        }

        @Override
        protected Smb2ReadResponse createResponse(CIFSContext tc, ServerMessageBlock2Request<Smb2ReadResponse> req) {
            return new Reply(tc.getConfig(), buf, off);
        }
    }

    /**
     * A read reply that takes its ticket as the receive thread decodes it, before its reader is woken. Only these
     * replies count (never chained: jbits' reads are single requests): a reply jcifs-ng decodes out of a compound's
     * later part could be made of stale bytes, so counting every response type would break the proof.
     */
    private static final class Reply extends Smb2ReadResponse {
        private volatile Ticket ticket;

        Reply(Configuration config, byte[] buf, int off) {
            super(config, buf, off);
        }

        @Override
        protected void haveResponse(byte[] buffer, int start, int len) throws SMBProtocolDecodingException {
            AtomicLong decoded = DECODED.get();
            ticket = new Ticket(decoded, decoded.incrementAndGet());
            super.haveResponse(buffer, start, len);
        }
    }

    /** A write whose request is signed only when {@code sign}. */
    private static final class Write extends Smb2WriteRequest {
        private final boolean sign;

        Write(Configuration config, byte[] fileId, boolean sign) {
            super(config, fileId);
            this.sign = sign;
        }

        @Override
        public void setDigest(SMBSigningDigest digest) {
            super.setDigest(sign ? digest : null);
        }
    }
}
