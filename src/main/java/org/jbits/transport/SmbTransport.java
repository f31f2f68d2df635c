package org.jbits.transport;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import jcifs.CIFSContext;
import jcifs.CIFSException;
import jcifs.config.PropertyConfiguration;
import jcifs.smb.NtlmPasswordAuthenticator;
import jcifs.smb.SmbFile;
import jcifs.smb.JbitsBulkIo;
import org.jbits.BitsException;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMB downloads ({@code smb://host[:port]/share/path}; UNC names are turned into these by {@link Transports#parse})
 * over jcifs-ng: SMB 2.0.2 to 3.1.1, NTLMv2 through SPNEGO, the data requests ({@link JbitsBulkIo})
 * signed when the server or the configuration requires signing, the rest as jcifs-ng signs it; no SMB1.
 *
 * <p>The transport's contexts hold the connections (two per server, shared by every job); a job's
 * credentials ({@link TransferContext#serverCredentials()}, else the URL's {@code user:password@}) get a child
 * context ({@code withCredentials}), which shares those connections and has a session of its own. No credentials
 * is an anonymous logon, which a guest share takes.
 *
 * <p>Resume: the validator is the file's size and last-write time, BITS' "file version" ("size+date"); a partial
 * file continues at its offset when the validator still matches, else restarts from byte 0. A file that changes
 * while it is read (checked every second and at the end) fails the attempt as transient BG_E_REMOTE_FILE_CHANGED, so
 * the retry starts it again from 0.
 *
 * <p>Throughput: {@link SmbBlockReader} keeps {@value #READERS} requests of 1 MiB (multi-credit, {@link JbitsBulkIo};
 * 64 KiB without) in flight over two connections
 * (jcifs-ng sends one at a time per stream), and the blocks go to the target in order; the pacer is called per block.
 */
public final class SmbTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(SmbTransport.class);
    /** Streams reading one file at once. */
    static final int READERS = 4;
    /**
     * One reader's unit of work: one read request of 1 MiB (charge 16) where the connection takes multi-credit
     * requests, else sixteen of 64 KiB. With {@link #READERS} readers and twice as many blocks, at most 8 MiB is read
     * ahead of the file's durable writes.
     */
    static final int BLOCK = JbitsBulkIo.MAX_IO;
    /** How often a file being read is looked at again for a change. */
    private static final long RECHECK_NANOS = 1_000_000_000L;

    /**
     * Two contexts, so two connections per server: jcifs-ng reads each connection's replies on one thread (decode,
     * signature check, copy), and smbd serves each connection in one process; with the readers split between two,
     * that work runs on two cores. Measured here (1 GiB, loopback, 8 readers): 1.55x smbclient's time with one
     * connection, 1.04x with two. A job's credentials get a session on each.
     */
    private final CIFSContext base;
    private final CIFSContext second;
    private final ExecutorService readers;
    private final SmbUploader uploader;

    /** A transport with its own connections; timeouts in milliseconds. */
    public SmbTransport(long connectTimeoutMillis, long readTimeoutMillis) {
        Properties p = new Properties();
        p.setProperty("jcifs.smb.client.minVersion", "SMB202");
        p.setProperty("jcifs.smb.client.maxVersion", "SMB311");
        // Negotiate SMB2+ from the first packet: no SMB1 negotiate is ever sent.
        p.setProperty("jcifs.smb.client.useSMB2Negotiation", "true");
        // Host names through DNS only: no NetBIOS broadcasts or WINS queries onto the local network.
        p.setProperty("jcifs.resolveOrder", "DNS");
        p.setProperty("jcifs.smb.client.connTimeout", Long.toString(connectTimeoutMillis));
        p.setProperty("jcifs.smb.client.responseTimeout", Long.toString(readTimeoutMillis));
        // An idle connection is closed after this; it is opened again on the next transfer.
        p.setProperty("jcifs.smb.client.soTimeout", Long.toString(Math.max(readTimeoutMillis, 35_000)));
        p.setProperty("jcifs.smb.client.sessionTimeout", Long.toString(Math.max(readTimeoutMillis, 35_000)));
        // Credentials come with each job; none from the JVM's system properties or a default account.
        p.setProperty("jcifs.smb.client.username", "");
        p.setProperty("jcifs.smb.client.password", "");
        try {
            this.base = JbitsBulkIo.context(new BulkConfiguration(new PropertyConfiguration(p)));
            this.second = JbitsBulkIo.context(new BulkConfiguration(new PropertyConfiguration(p)));
        } catch (CIFSException e) {
            throw new IllegalStateException("cannot configure the SMB client: " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "jbits-smb-read-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.readers = pool;
        this.uploader = new SmbUploader(pool);
    }

    @Override
    public boolean handles(URI uri) {
        return "smb".equalsIgnoreCase(uri.getScheme());
    }

    @Override
    public boolean uploads() {
        return true;
    }

    /** An upload into a temporary file next to the destination, renamed into place at Complete ({@link SmbUploader}). */
    @Override
    public void upload(URI destination, UploadSource source, TransferContext context) throws TransferException {
        if (source.reply() != null) {
            // AddFile refuses these; a job from elsewhere (an older store) still gets BITS' answer.
            throw TransferException.fatal(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, ErrorContext.GENERAL_QUEUE_MANAGER,
                    "an upload-reply job cannot upload to an SMB share (BITS has no SMB upload-reply)", null);
        }
        SmbNames.Location where = SmbNames.Location.of(destination);
        CIFSContext cifs = contextFor(destination, context);
        uploader.upload(where, source, cifs, second.withCredentials(cifs.getCredentials()), context);
    }

    @Override
    public void commitUpload(URI destination, UploadSession session, long size, TransferContext context)
            throws TransferException {
        SmbUploader.commit(contextFor(destination, context), SmbNames.Location.of(destination), session, size);
    }

    @Override
    public void cancelUpload(UploadSession session, TransferContext context) {
        SmbUploader.cancel(contextFor(session.url(), context), SmbNames.Location.of(session.url()), session);
    }

    @Override
    public void download(URI source, DownloadTarget target, TransferContext context) throws TransferException {
        SmbNames.Location where = SmbNames.Location.of(source);
        CIFSContext cifs = contextFor(source, context);
        try (SmbFile file = open(cifs, where)) {
            download(file, where, target, context);
        }
    }

    private void download(SmbFile file, SmbNames.Location where, DownloadTarget target, TransferContext context)
            throws TransferException {
        // Opened before anything else: the open's status tells a missing file from a missing directory or share.
        SmbBlockReader.Stream first = stream(file, where);
        boolean handedOver = false;
        try {
            Version version = stat(file, where);
            long offset = target.offset();
            boolean fromZero = offset == 0 || !version.validator().equals(target.validator()) || offset > version.size();
            if (!fromZero) {
                log.debug("{}: resuming at byte {} of {}", where.unc(), offset, version.size());
            } else if (offset > 0) {
                log.debug("{}: changed since the last attempt ({} -> {}), restarting from 0", where.unc(),
                        target.validator(), version.validator());
            }
            target.begin(version.size(), version.validator(), fromZero);
            long start = target.position();
            if (start < version.size()) {
                handedOver = true;
                copy(first, file, where, version, start, target, context);
                if (context.isStopped()) {
                    return;
                }
            }
            Version now = stat(file, where);
            if (!now.equals(version)) {
                throw changed(where, version, now);
            }
            target.finish();
        } finally {
            if (!handedOver) {
                first.close();
            }
        }
    }

    private void copy(SmbBlockReader.Stream first, SmbFile file, SmbNames.Location where, Version version, long start,
            DownloadTarget target, TransferContext context) throws TransferException {
        // The same file on the second connection, for every other reader; closed when the last reader is done.
        SmbFile onSecond = open(second.withCredentials(file.getContext().getCredentials()), where);
        AtomicInteger opened = new AtomicInteger();
        SmbBlockReader reader = new SmbBlockReader(first,
                () -> openStream(opened.incrementAndGet() % 2 == 0 ? file : onSecond), onSecond::close, start, version.size(), READERS,
                BLOCK, 2 * READERS, readers);
        context.onStop(reader::abort);
        Pacer pacer = context.pacer();
        long lastCheck = System.nanoTime();
        try (reader) {
            SmbBlockReader.Block b;
            while (!context.isStopped() && (b = reader.next()) != null) {
                target.write(b.data().slice(0, b.length()));
                reader.release(b);
                pacer.pace(b.length());
                if (System.nanoTime() - lastCheck > RECHECK_NANOS) {
                    lastCheck = System.nanoTime();
                    Version now = statMidRead(file, where);
                    if (!now.equals(version)) {
                        throw changed(where, version, now);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TransferException.transientError(HResult.BG_E_CONNECTION_CLOSED, ErrorContext.GENERAL_TRANSPORT,
                    "interrupted while reading " + where.unc(), e);
        } catch (java.io.EOFException e) {
            // A read ended early: the file got shorter, or the server went away mid-read (jcifs-ng can report a
            // dropped session as the end of the stream). A fresh stat tells them apart: a server that does not
            // answer, or answers with the same version, is the connection's failure (transient, resumed), not a
            // changed file (downloaded again from 0).
            Version now = statMidRead(file, where);
            if (now.equals(version)) {
                throw TransferException.transientError(HResult.ERROR_NETNAME_DELETED, ErrorContext.GENERAL_TRANSPORT,
                        "the connection to " + where.unc() + " ended mid-read: " + e.getMessage(), e);
            }
            throw changed(where, version, now.size() < version.size() ? null : now);
        } catch (IOException e) {
            if (context.isStopped()) {
                return;
            }
            throw SmbErrors.map(e, where, "reading");
        }
    }

    /**
     * A fresh look at the file in the middle of its read: a server that does not answer it (a timeout, a refused or
     * dropped connection: smbd restarting, the link gone) is the read's connection failing, the transient
     * ERROR_NETNAME_DELETED a failed read is, not a failure of its own; a file deleted or changed is what it is.
     */
    private static Version statMidRead(SmbFile file, SmbNames.Location where) throws TransferException {
        try {
            return stat(file, where);
        } catch (TransferException e) {
            if (!e.isTransient() || e.hresult() == HResult.BG_E_REMOTE_FILE_CHANGED) {
                throw e;
            }
            throw TransferException.transientError(HResult.ERROR_NETNAME_DELETED, ErrorContext.GENERAL_TRANSPORT,
                    "the connection to " + where.unc() + " failed mid-read (" + e.getMessage() + ")", e);
        }
    }

    /** The file's name in jcifs-ng (no request is sent yet). */
    private static SmbFile open(CIFSContext cifs, SmbNames.Location where) throws TransferException {
        try {
            // jcifs-ng takes the path as it is (it decodes no %XX): a name with '#', '%' or spaces passes unchanged.
            return new SmbFile(where.shareUrl() + where.path(), cifs);
        } catch (IOException e) {
            throw TransferException.fatal(HResult.E_INVALIDARG, ErrorContext.REMOTE_FILE,
                    "not a valid SMB name: " + where.unc() + ": " + e.getMessage(), e);
        }
    }

    /** Size and last-write time, read fresh from the server (a new name: jcifs-ng caches attributes). */
    private static Version stat(SmbFile named, SmbNames.Location where) throws TransferException {
        try (SmbFile file = new SmbFile(named.getLocator().getURL().toString(), named.getContext())) {
            if (!file.exists()) {
                // It was there a moment ago (the first look opens it): it went away.
                throw TransferException.transientError(HResult.BG_E_REMOTE_FILE_CHANGED, ErrorContext.REMOTE_FILE,
                        where.unc() + " was deleted while it was read; the retry looks for it again", null);
            }
            if (file.isDirectory()) {
                throw TransferException.fatal(HResult.E_INVALIDARG, ErrorContext.REMOTE_FILE,
                        "the source " + where.unc() + " is a directory", null);
            }
            return new Version(file.length(), file.lastModified());
        } catch (IOException e) {
            throw SmbErrors.map(e, where, "looking up");
        }
    }

    private static SmbBlockReader.Stream stream(SmbFile file, SmbNames.Location where) throws TransferException {
        try {
            return openStream(file);
        } catch (IOException e) {
            throw SmbErrors.map(e, where, "opening");
        }
    }

    /**
     * A stream with its own handle on the file; each read is one request at its position, of at most
     * {@link JbitsBulkIo#maxRead} bytes, its data read into the block as it is.
     */
    private static SmbBlockReader.Stream openStream(SmbFile file) throws IOException {
        JbitsBulkIo in = JbitsBulkIo.openForReading(file);
        return new SmbBlockReader.Stream() {
            @Override
            public int read(long position, ByteBuffer dst) throws IOException {
                int max = in.maxRead();
                if (dst.remaining() <= max) {
                    return in.read(position, dst);
                }
                int n = in.read(position, dst.slice(dst.position(), max));
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }

            @Override
            public BooleanSupplier receipt() {
                return in.receipt()::whole;
            }

            @Override
            public void probe(long position) throws IOException {
                in.probe(position);
            }

            @Override
            public void close() {
                try {
                    in.close();
                } catch (IOException e) {
                    log.debug("closing an SMB stream failed: {}", e.toString());
                }
            }
        };
    }

    private static TransferException changed(SmbNames.Location where, Version was, Version now) {
        return TransferException.transientError(HResult.BG_E_REMOTE_FILE_CHANGED, ErrorContext.REMOTE_FILE,
                where.unc() + " changed while it was read (" + was + (now == null ? ", and it got shorter" : " -> " + now)
                        + "); the retry downloads it again from the start", null);
    }

    /** The child context with the job's credentials (the URL's when the job gives none), or an anonymous one. */
    private CIFSContext contextFor(URI source, TransferContext context) {
        Credentials c = context.serverCredentials() != null ? context.serverCredentials() : SmbNames.credentialsIn(source);
        if (c == null) {
            return base.withAnonymousCredentials();
        }
        String[] du = SmbNames.domainAndUser(c.userName());
        return base.withCredentials(new NtlmPasswordAuthenticator(du[0], du[1], c.password()));
    }

    /**
     * The files of an SMB directory whose names match {@code pattern} ({@code *} and {@code ?}, matched by the server
     * as Windows matches them: case-insensitively), as {@code smb://} URLs without user info, in the order an NTFS
     * directory lists them (by upper-cased name). The CLI expands a wildcard source with it. ERROR_FILE_NOT_FOUND when
     * nothing matches; the other failures as {@link #download} reports them.
     *
     * @param directory {@code smb://host[:port]/share/dir/} (the files' directory)
     * @param credentials the account to list with, or null for an anonymous logon
     */
    public List<URI> list(URI directory, String pattern, Credentials credentials) {
        SmbNames.Location where = SmbNames.Location.of(directory);
        CIFSContext cifs;
        if (credentials == null) {
            cifs = base.withAnonymousCredentials();
        } else {
            String[] du = SmbNames.domainAndUser(credentials.userName());
            cifs = base.withCredentials(new NtlmPasswordAuthenticator(du[0], du[1], credentials.password()));
        }
        List<SmbNames.Location> found = new ArrayList<>();
        String dirPath = where.path().isEmpty() || where.path().endsWith("/") ? where.path() : where.path() + "/";
        try (SmbFile dir = new SmbFile(where.shareUrl() + dirPath, cifs)) {
            for (SmbFile f : dir.listFiles(pattern)) {
                if (!f.isDirectory()) {
                    found.add(where.withPath(dirPath + f.getName()));
                }
            }
        } catch (jcifs.smb.SmbException e) {
            if (e.getNtStatus() == jcifs.smb.NtStatus.NT_STATUS_NO_SUCH_FILE) {
                // What a search that finds nothing answers: the directory is there.
                found.clear();
            } else if (e.getNtStatus() == jcifs.smb.NtStatus.NT_STATUS_OBJECT_NAME_NOT_FOUND) {
                throw new BitsException(HResult.ERROR_PATH_NOT_FOUND, "the directory " + where.unc() + " does not exist");
            } else {
                throw listingError(e, where);
            }
        } catch (IOException e) {
            throw listingError(e, where);
        }
        if (found.isEmpty()) {
            throw new BitsException(HResult.ERROR_FILE_NOT_FOUND, "no file in " + where.unc() + " matches '" + pattern + "'");
        }
        found.sort(Comparator.comparing((SmbNames.Location l) -> l.name().toUpperCase(Locale.ROOT))
                .thenComparing(SmbNames.Location::name));
        return found.stream().map(SmbNames.Location::toUri).toList();
    }

    private static BitsException listingError(IOException e, SmbNames.Location where) {
        TransferException t = SmbErrors.map(e, where, "listing");
        return new BitsException(t.hresult(), t.getMessage());
    }

    /**
     * jcifs-ng's configuration with messages of up to {@link JbitsBulkIo#MAX_MESSAGE} bytes: jcifs-ng's own limit is
     * 65,536 for a whole message (not a property), so a 64 KiB read's response or write's request (64 KiB of data plus
     * its header) would not fit. Larger requests and replies never pass through these buffers: JbitsBulkTransport moves
     * their data itself. jcifs-ng's own streams still size their requests from the negotiated sizes as before.
     */
    static final class BulkConfiguration extends jcifs.config.DelegatingConfiguration {
        BulkConfiguration(jcifs.Configuration delegate) {
            super(delegate);
        }

        @Override
        public int getMaximumBufferSize() {
            return JbitsBulkIo.MAX_MESSAGE;
        }
    }

    /**
     * BITS' file version for SMB: size and last-write time (milliseconds since the epoch). Not the creation time: Samba
     * makes one up at a file's first open when the file was written by another program, so it may change once.
     */
    record Version(long size, long lastWrite) {
        String validator() {
            return "smb:" + size + ":" + lastWrite;
        }
    }
}
