package jcifs.smb;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import jcifs.Address;
import jcifs.CIFSContext;
import jcifs.CIFSException;
import jcifs.Configuration;
import jcifs.context.BaseContext;
import jcifs.internal.CommonServerMessageBlockRequest;
import jcifs.internal.smb2.ServerMessageBlock2;
import jcifs.util.Encdec;
import jcifs.util.transport.Request;

/**
 * jcifs-ng's SMB2 connection with what multi-credit requests (MS-SMB2 3.2.4.1.5) need, which jcifs-ng 2.1.10 lacks:
 * a request of credit charge N takes N message ids ({@code makeKey}: jcifs-ng hands out one per request, and the next
 * request after a charge of N must use the id N further on, else smbd drops the connection with "bad message_id"),
 * and a message longer than 65,535 bytes gets its whole length in the 24-bit direct-TCP header ({@code doSend}:
 * jcifs-ng writes 16 bits). Only jbits' bulk requests ({@link JbitsBulkIo}) carry a charge above 1; every other message
 * goes as jcifs-ng sends it.
 *
 * <p>The message-id counter and the output stream are jcifs-ng's private fields, reached by reflection; jcifs-ng's
 * version is pinned in the pom, and a missing field fails the class's initialisation (so every SMB transfer), not a
 * transfer half-way.
 */
final class JbitsBulkTransport extends SmbTransportImpl {
    private static final Field MID = field(SmbTransportImpl.class, "mid");
    private static final Field OUT = field(SmbTransportImpl.class, "out");
    private static final Field CREDIT_CHARGE = field(ServerMessageBlock2.class, "creditCharge");
    private static final Field CONNECTIONS = field(SmbTransportPoolImpl.class, "connections");
    private static final Field NON_POOLED = field(SmbTransportPoolImpl.class, "nonPooledConnections");
    /** The largest message the 4-byte direct-TCP header can say (24 bits). */
    private static final int MAX_FRAME = 0xFFFFFF;

    private final AtomicLong mids;

    JbitsBulkTransport(CIFSContext tc, Address address, int port, InetAddress localAddr, int localPort,
            boolean forceSigning) {
        super(tc, address, port, localAddr, localPort, forceSigning);
        try {
            this.mids = (AtomicLong) MID.get(this);
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
        if (!(request instanceof CommonServerMessageBlockRequest smb) || smb.size() <= 0xFFFF) {
            super.doSend(request);
            return;
        }
        byte[] buffer = getContext().getBufferCache().getBuffer();
        try {
            synchronized (this.outLock) {
                int n = smb.encode(buffer, 4);
                if (n > MAX_FRAME) {
                    throw new IOException("an SMB message of " + n + " bytes is longer than a frame can say");
                }
                Encdec.enc_uint32be(n, buffer, 0);
                OutputStream out = (OutputStream) OUT.get(this);
                if (out == null) {
                    throw new IOException("the SMB connection is not open");
                }
                out.write(buffer, 0, 4 + n);
                out.flush();
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } finally {
            getContext().getBufferCache().releaseBuffer(buffer);
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
