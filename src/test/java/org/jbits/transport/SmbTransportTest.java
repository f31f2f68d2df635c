package org.jbits.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jbits.BitsException;
import org.jbits.ErrorContext;
import org.jbits.HResult;
import org.jbits.testing.Ports;
import org.jbits.testing.SambaServer;
import org.jbits.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SmbTransport} against a real smbd: what it reads, how it resumes, how it fails, with a transfer context
 * built here (the engine's credentials plumbing is tested through the engine). The target is an in-memory
 * {@link DownloadTarget} that keeps what it is given, as the durable file does.
 */
class SmbTransportTest {
    private static SambaServer samba;
    private static SmbTransport transport;

    @BeforeAll
    static void start() {
        samba = SambaServer.shared();
        transport = new SmbTransport(5_000, 10_000);
    }

    private static TransferContext user() {
        return TransferContext.builder()
                .serverCredentials(new Credentials(Credentials.Scheme.NTLM, SambaServer.USER, SambaServer.PASSWORD))
                .build();
    }

    private static TransferException failure(URI uri, TransferContext context) {
        return assertThrows(TransferException.class, () -> transport.download(uri, new MemoryTarget(), context));
    }

    @Test
    void downloadsAFileWholeWithTheAccountsCredentials() throws Exception {
        byte[] content = TestData.random(3_000_001, 1);
        samba.put("share", "t/whole.bin", content);
        MemoryTarget target = new MemoryTarget();
        transport.download(samba.url("share", "t/whole.bin"), target, user());
        assertTrue(target.finished);
        assertEquals(content.length, target.total);
        assertTrue(target.fromZero);
        assertArrayEquals(content, target.bytes());
        assertTrue(target.validator.startsWith("smb:" + content.length + ":"), target.validator);
    }

    @Test
    void takesCredentialsFromTheUrlWhenTheContextHasNone() throws Exception {
        byte[] content = TestData.random(10_000, 2);
        samba.put("share", "t/url-creds.bin", content);
        MemoryTarget target = new MemoryTarget();
        URI uri = URI.create(samba.userUrl("share", "t/url-creds.bin"));
        transport.download(uri, target, TransferContext.builder().build());
        assertArrayEquals(content, target.bytes());
    }

    @Test
    void acceptsADomainInFrontOfTheUserName() throws Exception {
        byte[] content = TestData.random(10_000, 3);
        samba.put("share", "t/domain.bin", content);
        MemoryTarget target = new MemoryTarget();
        transport.download(samba.url("share", "t/domain.bin"), target, TransferContext.builder().serverCredentials(
                new Credentials(Credentials.Scheme.NTLM, SambaServer.DOMAIN + "\\" + SambaServer.USER,
                        SambaServer.PASSWORD)).build());
        assertArrayEquals(content, target.bytes());
    }

    @Test
    void resumesAtTheOffsetWhenTheValidatorStillMatches() throws Exception {
        byte[] content = TestData.random(2_000_000, 4);
        samba.put("share", "t/resume.bin", content);
        MemoryTarget first = new MemoryTarget();
        transport.download(samba.url("share", "t/resume.bin"), first, user());

        long held = 777_777;
        MemoryTarget second = new MemoryTarget(java.util.Arrays.copyOf(content, (int) held), first.validator);
        long before = samba.bytesRead();
        transport.download(samba.url("share", "t/resume.bin"), second, user());
        long read = samba.bytesRead() - before;
        assertFalse(second.fromZero, "a matching validator continues the file");
        assertArrayEquals(content, second.bytes());
        assertEquals(content.length - held, read, "smbd read only the bytes after the offset");
    }

    @Test
    void restartsFromZeroWhenTheFileChangedSinceTheOffsetWasTaken() throws Exception {
        byte[] v1 = TestData.random(1_000_000, 5);
        samba.put("share", "t/changed.bin", v1);
        MemoryTarget first = new MemoryTarget();
        transport.download(samba.url("share", "t/changed.bin"), first, user());
        byte[] v2 = TestData.random(1_000_000, 6);
        samba.put("share", "t/changed.bin", v2);

        MemoryTarget second = new MemoryTarget(java.util.Arrays.copyOf(v1, 400_000), first.validator);
        transport.download(samba.url("share", "t/changed.bin"), second, user());
        assertTrue(second.fromZero, "same size, but a new file: the held bytes are dropped");
        assertArrayEquals(v2, second.bytes());
    }

    @Test
    void guestShareTakesAnAnonymousLogon() throws Exception {
        byte[] content = TestData.random(50_000, 7);
        samba.put("guest", "t/open.bin", content);
        MemoryTarget target = new MemoryTarget();
        transport.download(samba.url("guest", "t/open.bin"), target, TransferContext.builder().build());
        assertArrayEquals(content, target.bytes());
    }

    @Test
    void readsNamesWithSpacesAndNonAsciiCharacters() throws Exception {
        byte[] content = TestData.random(70_000, 8);
        String name = "dir with space/Größe #1 – 100% ü€.bin";
        samba.put("share", name, content);
        MemoryTarget target = new MemoryTarget();
        transport.download(samba.url("share", name), target, user());
        assertArrayEquals(content, target.bytes());
    }

    @Test
    void wrongPasswordIsAFatalLogonFailure() {
        TransferException e = failure(samba.url("share", "t/whole.bin"), TransferContext.builder().serverCredentials(
                new Credentials(Credentials.Scheme.NTLM, SambaServer.USER, "not-the-password")).build());
        assertEquals(HResult.name(HResult.ERROR_LOGON_FAILURE), HResult.name(e.hresult()), e.getMessage());
        assertFalse(e.isTransient());
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
        assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
    }

    @Test
    void missingShareIsFatalBadNetName() {
        TransferException e = failure(samba.url("nosuchshare", "f.bin"), user());
        assertEquals(HResult.name(HResult.ERROR_BAD_NET_NAME), HResult.name(e.hresult()), e.getMessage());
        assertFalse(e.isTransient());
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
    }

    @Test
    void missingFileIsFatalFileNotFound() {
        TransferException e = failure(samba.url("share", "t/no-such-file.bin"), user());
        assertEquals(HResult.name(HResult.ERROR_FILE_NOT_FOUND), HResult.name(e.hresult()), e.getMessage());
        assertFalse(e.isTransient());
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
    }

    @Test
    void missingDirectoryIsFatalPathNotFound() {
        TransferException e = failure(samba.url("share", "no-such-dir/f.bin"), user());
        assertEquals(HResult.name(HResult.ERROR_PATH_NOT_FOUND), HResult.name(e.hresult()), e.getMessage());
        assertFalse(e.isTransient());
    }

    @Test
    void shareTheAccountMayNotUseIsFatalAccessDenied() {
        samba.put("denied", "f.bin", new byte[10]);
        TransferException e = failure(samba.url("denied", "f.bin"), user());
        assertEquals(HResult.name(HResult.E_ACCESSDENIED), HResult.name(e.hresult()), e.getMessage());
        assertFalse(e.isTransient());
        assertEquals(ErrorContext.REMOTE_FILE, e.context());
    }

    @Test
    void anonymousLogonOnAShareThatNeedsAnAccountIsAccessDenied() {
        TransferException e = failure(samba.url("share", "t/whole.bin"), TransferContext.builder().build());
        assertEquals(HResult.name(HResult.E_ACCESSDENIED), HResult.name(e.hresult()), e.getMessage());
    }

    @Test
    void aDirectoryIsNotASource() {
        samba.put("share", "t/adir/inside.bin", new byte[1]);
        TransferException e = failure(samba.url("share", "t/adir"), user());
        assertEquals(HResult.name(HResult.E_INVALIDARG), HResult.name(e.hresult()), e.getMessage());
        assertFalse(e.isTransient());
    }

    @Test
    void unreachableServerIsTransientBadNetPath() {
        URI nobody = URI.create("smb://127.0.0.1:" + Ports.free() + "/share/f.bin");
        TransferException e = failure(nobody, user());
        assertEquals(HResult.name(HResult.ERROR_BAD_NETPATH), HResult.name(e.hresult()), e.getMessage());
        assertTrue(e.isTransient());
        assertEquals(ErrorContext.GENERAL_TRANSPORT, e.context());
    }

    @Test
    void stopAbortsABlockedTransferAndKeepsWhatArrived() throws Exception {
        byte[] content = TestData.random(8 << 20, 9);
        samba.put("share", "t/stop.bin", content);
        TransferContext context = TransferContext.builder()
                .serverCredentials(new Credentials(Credentials.Scheme.NTLM, SambaServer.USER, SambaServer.PASSWORD))
                // 1 MiB/s: the transfer is in the byte loop for seconds
                .pacer(bytes -> {
                    try {
                        Thread.sleep(bytes / 1024);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                })
                .build();
        MemoryTarget target = new MemoryTarget();
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                transport.download(samba.url("share", "t/stop.bin"), target, context);
            } catch (TransferException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (target.position() < 1_000_000 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long stoppedAt = System.nanoTime();
        context.stop();
        run.get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - stoppedAt < TimeUnit.SECONDS.toNanos(2), "stop ended the transfer at once");
        assertFalse(target.finished);
        long held = target.position();
        assertTrue(held > 0 && held < content.length, "held " + held);
        assertArrayEquals(java.util.Arrays.copyOf(content, (int) held), target.bytes(), "what arrived is the file's start");
    }

    @Test
    void thePacerSeesEveryByte() throws Exception {
        byte[] content = TestData.random(1_500_000, 10);
        samba.put("share", "t/paced.bin", content);
        AtomicLong paced = new AtomicLong();
        TransferContext context = TransferContext.builder()
                .serverCredentials(new Credentials(Credentials.Scheme.NTLM, SambaServer.USER, SambaServer.PASSWORD))
                .pacer(paced::addAndGet).build();
        transport.download(samba.url("share", "t/paced.bin"), new MemoryTarget(), context);
        assertEquals(content.length, paced.get());
    }

    @Test
    void listsTheFilesThatMatchAWildcardInNtfsOrder() {
        for (String n : List.of("b.bin", "A.bin", "c.BIN", "a2.bin", "skip.txt")) {
            samba.put("share", "list/" + n, new byte[1]);
        }
        samba.put("share", "list/sub.bin/inner.bin", new byte[1]);
        List<URI> found = transport.list(samba.url("share", "list/"), "*.bin",
                new Credentials(Credentials.Scheme.NTLM, SambaServer.USER, SambaServer.PASSWORD));
        assertEquals(List.of("A.bin", "a2.bin", "b.bin", "c.BIN"),
                found.stream().map(u -> u.getPath().substring(u.getPath().lastIndexOf('/') + 1)).toList(),
                "matched by the server without regard to case, directories left out, sorted by upper-cased name");
        assertEquals(samba.url("share", "list/A.bin"), found.get(0));
    }

    @Test
    void aWildcardThatMatchesNothingIsFileNotFound() {
        samba.put("share", "list/x.dat", new byte[1]);
        BitsException e = assertThrows(BitsException.class, () -> transport.list(samba.url("share", "list/"), "*.nomatch",
                new Credentials(Credentials.Scheme.NTLM, SambaServer.USER, SambaServer.PASSWORD)));
        assertEquals(HResult.name(HResult.ERROR_FILE_NOT_FOUND), HResult.name(e.hresult()), e.getMessage());
    }

    @Test
    void aWildcardInAMissingDirectoryIsPathNotFound() {
        BitsException e = assertThrows(BitsException.class, () -> transport.list(samba.url("share", "nodir/"), "*.bin",
                new Credentials(Credentials.Scheme.NTLM, SambaServer.USER, SambaServer.PASSWORD)));
        assertEquals(HResult.name(HResult.ERROR_PATH_NOT_FOUND), HResult.name(e.hresult()), e.getMessage());
    }

    @Test
    void noLogLineCarriesThePasswordEvenAtTrace() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Logger jcifs = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("jcifs");
        ch.qos.logback.classic.Level rootLevel = root.getLevel();
        ch.qos.logback.classic.Level jcifsLevel = jcifs.getLevel();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        root.addAppender(seen);
        root.setLevel(ch.qos.logback.classic.Level.TRACE);
        jcifs.setLevel(ch.qos.logback.classic.Level.TRACE);
        try {
            samba.put("share", "t/logged.bin", new byte[1000]);
            // A new transport: its connection and logon are made (and logged) now.
            SmbTransport fresh = new SmbTransport(5_000, 10_000);
            fresh.download(samba.url("share", "t/logged.bin"), new MemoryTarget(), user());
            assertThrows(TransferException.class, () -> fresh.download(samba.url("share", "t/logged.bin"),
                    new MemoryTarget(), TransferContext.builder().serverCredentials(new Credentials(
                            Credentials.Scheme.NTLM, SambaServer.USER, "Wr0ng-Secret-77")).build()));
        } finally {
            root.detachAppender(seen);
            root.setLevel(rootLevel);
            jcifs.setLevel(jcifsLevel);
        }
        assertTrue(seen.list.stream().anyMatch(e -> e.getLoggerName().startsWith("jcifs")),
                "jcifs-ng logged at TRACE: " + seen.list.size() + " lines");
        for (ch.qos.logback.classic.spi.ILoggingEvent e : seen.list) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()));
            assertFalse(line.contains(SambaServer.PASSWORD) || line.contains("Wr0ng-Secret-77"), line);
        }
    }

    /** A target that keeps its bytes in memory, with an optional head held from an earlier attempt. */
    static final class MemoryTarget implements DownloadTarget {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final long offset;
        private final String heldValidator;
        volatile long received;
        long total = -2;
        String validator;
        boolean fromZero;
        volatile boolean finished;

        MemoryTarget() {
            this(new byte[0], null);
        }

        MemoryTarget(byte[] held, String validator) {
            out.writeBytes(held);
            this.offset = held.length;
            this.heldValidator = validator;
            this.received = held.length;
        }

        @Override
        public long offset() {
            return offset;
        }

        @Override
        public String validator() {
            return heldValidator;
        }

        @Override
        public void begin(long total, String validator, boolean fromZero) {
            this.total = total;
            this.validator = validator;
            this.fromZero = fromZero;
            if (fromZero) {
                synchronized (out) {
                    out.reset();
                }
                received = 0;
            }
        }

        @Override
        public void write(ByteBuffer buffer) {
            byte[] b = new byte[buffer.remaining()];
            buffer.get(b);
            synchronized (out) {
                out.writeBytes(b);
            }
            received += b.length;
        }

        @Override
        public int readFrom(ReadableByteChannel in) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            int n = in.read(b);
            b.flip();
            write(b);
            return n;
        }

        @Override
        public void finish() {
            finished = true;
        }

        @Override
        public long position() {
            return received;
        }

        byte[] bytes() {
            synchronized (out) {
                return out.toByteArray();
            }
        }
    }
}
